package labels

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestInjectOverridesAndMemoises(t *testing.T) {
	in := NewInjector(Environment.String("prod"), Project.String("p"), Service.String("s"))
	rm := &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{
		{Name: "c", Data: metricdata.Sum[int64]{DataPoints: []metricdata.DataPoint[int64]{
			{Attributes: attribute.NewSet(attribute.String("k", "v"), Service.String("spoofed"))},
		}}},
		{Name: "h", Data: metricdata.Histogram[float64]{DataPoints: []metricdata.HistogramDataPoint[float64]{{}}}},
	}}}}
	in.Inject(rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		var s attribute.Set
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			s = d.DataPoints[0].Attributes
			if v, _ := s.Value("k"); v.AsString() != "v" {
				t.Errorf("%s lost its own attribute", m.Name)
			}
		case metricdata.Histogram[float64]:
			s = d.DataPoints[0].Attributes
		}
		for k, want := range map[attribute.Key]string{Environment: "prod", Project: "p", Service: "s"} {
			if v, _ := s.Value(k); v.AsString() != want {
				t.Errorf("%s: %s = %q; want %q", m.Name, k, v.AsString(), want)
			}
		}
	}
	if len(in.cache) != 2 {
		t.Errorf("cache has %d entries; want 2", len(in.cache))
	}
	allocs := testing.AllocsPerRun(100, func() {
		rm.ScopeMetrics[0].Metrics[1].Data.(metricdata.Histogram[float64]).DataPoints[0].Attributes = attribute.NewSet()
		in.Inject(rm)
	})
	if allocs > 2 {
		t.Errorf("Inject of memoised series allocates %.0f times; want at most 2", allocs)
	}
}
