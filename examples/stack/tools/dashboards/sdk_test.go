package dashboards

import (
	"slices"
	"testing"

	"github.com/starmates-ai-team/telemetry/metrics"
)

// TestSDKMetricsAreTheSDKs checks the list the dashboards are held to
// against the SDK's own instrument names (the module is replaced by the
// repository's root), so a renamed instrument breaks this test and not a
// dashboard in production. Counters and gauges keep their names in
// Prometheus (unit ""); the duration histogram becomes three series.
func TestSDKMetricsAreTheSDKs(t *testing.T) {
	want := []string{
		metrics.HTTPRequestsName,
		metrics.HTTPRequestDurationName + "_bucket",
		metrics.HTTPRequestDurationName + "_sum",
		metrics.HTTPRequestDurationName + "_count",
		metrics.HTTPErrorsName,
		metrics.AIRequestsName,
		metrics.AITokensName,
		metrics.AICostName,
		metrics.UserRetentionRateName,
		metrics.FeatureAdoptionRateName,
		metrics.PMFScoreName,
	}
	for _, u := range []string{metrics.HTTPRequestsUnit, metrics.HTTPErrorsUnit, metrics.AIRequestsUnit, metrics.AITokensUnit, metrics.AICostUnit} {
		if u != "" {
			t.Errorf("a counter has unit %q: the collector would insert it into the Prometheus name", u)
		}
	}
	got := slices.Clone(SDKMetrics)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("SDKMetrics = %v\nthe SDK's instruments = %v", got, want)
	}
}
