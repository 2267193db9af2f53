package metrics_test

import (
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/bounded"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// TestNamesAreTheCatalogues ties the exported names and default bounds of
// this package to the metric catalogue, which the instruments, the docs,
// the dashboards, the rules and the end-to-end suite are built from.
func TestNamesAreTheCatalogues(t *testing.T) {
	for _, c := range []struct {
		name string
		def  catalog.Metric
	}{
		{metrics.HTTPRequestsName, catalog.HTTPRequests},
		{metrics.HTTPRequestDurationName, catalog.HTTPRequestDuration},
		{metrics.HTTPErrorsName, catalog.HTTPErrors},
		{metrics.AIRequestsName, catalog.AIRequests},
		{metrics.AITokensName, catalog.AITokens},
		{metrics.AICostName, catalog.AICost},
		{metrics.AIUnpricedRequestsName, catalog.AIUnpricedRequests},
		{metrics.AIUsageMissingName, catalog.AIUsageMissing},
		{metrics.AIPricingAsOfName, catalog.AIPricingAsOf},
		{metrics.LabelOverflowName, catalog.LabelOverflow},
		{metrics.UserRetentionRateName, catalog.UserRetention},
		{metrics.FeatureAdoptionRateName, catalog.FeatureAdoption},
		{metrics.PMFScoreName, catalog.PMFScore},
		{metrics.GenAITokenUsageName, catalog.GenAITokenUsage},
		{metrics.GenAIOperationDurationName, catalog.GenAIOperationDuration},
		{metrics.GenAITimeToFirstChunkName, catalog.GenAITimeToFirstChunk},
		{metrics.GenAITimePerOutputChunkName, catalog.GenAITimePerOutputChunk},
		{metrics.GenAIExecuteToolDurationName, catalog.GenAIExecuteToolDuration},
		{metrics.LatestGenAIInferenceDurationName, catalog.GenAIInferenceDuration},
		{metrics.LatestGenAITimeToFirstChunkName, catalog.GenAIInferenceTimeToFirstChunk},
		{metrics.LatestGenAITimePerOutputChunkName, catalog.GenAIInferenceTimePerOutputChunk},
		{metrics.LatestGenAIInputTokensName, catalog.GenAIInferenceInputTokens},
		{metrics.LatestGenAIOutputTokensName, catalog.GenAIInferenceOutputTokens},
	} {
		if c.name != c.def.InstrumentName() {
			t.Errorf("name %q, the catalogue's %q", c.name, c.def.InstrumentName())
		}
	}
	for _, c := range []struct {
		what     string
		got, cat int
	}{
		{"DefaultMaxFeatures", metrics.DefaultMaxFeatures, catalog.MaxFeatures},
		{"DefaultMaxSegments", metrics.DefaultMaxSegments, catalog.MaxSegments},
		{"DefaultMaxRetentionPeriods", metrics.DefaultMaxRetentionPeriods, catalog.MaxRetentionPeriods},
		{"DefaultMaxPMFMethods", metrics.DefaultMaxPMFMethods, catalog.MaxPMFMethods},
		{"DefaultMaxModels", metrics.DefaultMaxModels, catalog.MaxModels},
		{"DefaultMaxProviders", metrics.DefaultMaxProviders, catalog.MaxProviders},
	} {
		if c.got != c.cat {
			t.Errorf("%s = %d, the catalogue's bound %d", c.what, c.got, c.cat)
		}
	}
	for name, v := range map[string]string{"metrics.HTTPOther": metrics.HTTPOther, "ailabels.Other": ailabels.Other, "bounded.Overflow": bounded.Overflow} {
		if v != catalog.Overflow {
			t.Errorf("%s = %q, the catalogue's overflow value %q", name, v, catalog.Overflow)
		}
	}
}
