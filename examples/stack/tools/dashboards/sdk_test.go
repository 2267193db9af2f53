package dashboards

import (
	"slices"
	"testing"
)

// TestSDKMetricsAreInTheCatalogue checks the list the dashboards are held to against the
// SDK's metric catalogue (the module is replaced by the repository's root), so a metric
// renamed or dropped there breaks this test and not a dashboard in production.
func TestSDKMetricsAreInTheCatalogue(t *testing.T) {
	for _, s := range SDKMetrics {
		if !slices.Contains(CatalogSeries, s) {
			t.Errorf("%s is not a series of the catalogue", s)
		}
	}
	if len(SDKMetrics) != 11 {
		t.Errorf("SDKMetrics has %d series, want the 11 of the design's HTTP, AI and business metrics", len(SDKMetrics))
	}
}
