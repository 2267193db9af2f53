package telemetry

import (
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestTemporalitySelector: the three values of
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, kind by kind, as the
// specification's table gives them.
func TestTemporalitySelector(t *testing.T) {
	const c, d = metricdata.CumulativeTemporality, metricdata.DeltaTemporality
	kinds := []sdkmetric.InstrumentKind{
		sdkmetric.InstrumentKindCounter, sdkmetric.InstrumentKindUpDownCounter, sdkmetric.InstrumentKindHistogram,
		sdkmetric.InstrumentKindObservableCounter, sdkmetric.InstrumentKindObservableUpDownCounter,
		sdkmetric.InstrumentKindObservableGauge, sdkmetric.InstrumentKindGauge,
	}
	for pref, want := range map[string][]metricdata.Temporality{
		"cumulative":         {c, c, c, c, c, c, c},
		temporalityDelta:     {d, c, d, d, c, d, d},
		temporalityLowMemory: {d, c, d, c, c, c, c},
	} {
		sel := temporalitySelector(pref)
		for i, k := range kinds {
			if got := sel(k); got != want[i] {
				t.Errorf("%s: %v is %v, want %v", pref, k, got, want[i])
			}
		}
	}
}
