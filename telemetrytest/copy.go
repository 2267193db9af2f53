package telemetrytest

import (
	"slices"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func copyResourceMetrics(rm *metricdata.ResourceMetrics) metricdata.ResourceMetrics {
	out := metricdata.ResourceMetrics{Resource: rm.Resource, ScopeMetrics: make([]metricdata.ScopeMetrics, len(rm.ScopeMetrics))}
	for i, sm := range rm.ScopeMetrics {
		ms := make([]metricdata.Metrics, len(sm.Metrics))
		for j, m := range sm.Metrics {
			m.Data = copyData(m.Data)
			ms[j] = m
		}
		out.ScopeMetrics[i] = metricdata.ScopeMetrics{Scope: sm.Scope, Metrics: ms}
	}
	return out
}

func copyData(d metricdata.Aggregation) metricdata.Aggregation {
	if c, ok := copyOf[int64](d); ok {
		return c
	}
	if c, ok := copyOf[float64](d); ok {
		return c
	}
	// Exponential histograms and summaries are not produced by the SDK's
	// default views; they are returned as they are.
	return d
}

// copyOf copies the points of a sum, gauge or histogram of N; false for
// any other aggregation.
func copyOf[N int64 | float64](d metricdata.Aggregation) (metricdata.Aggregation, bool) {
	switch d := d.(type) {
	case metricdata.Sum[N]:
		d.DataPoints = copyPoints(d.DataPoints)
		return d, true
	case metricdata.Gauge[N]:
		d.DataPoints = copyPoints(d.DataPoints)
		return d, true
	case metricdata.Histogram[N]:
		d.DataPoints = copyHist(d.DataPoints)
		return d, true
	}
	return d, false
}

func copyPoints[N int64 | float64](dps []metricdata.DataPoint[N]) []metricdata.DataPoint[N] {
	out := slices.Clone(dps)
	for i := range out {
		out[i].Exemplars = slices.Clone(out[i].Exemplars)
	}
	return out
}

func copyHist[N int64 | float64](dps []metricdata.HistogramDataPoint[N]) []metricdata.HistogramDataPoint[N] {
	out := slices.Clone(dps)
	for i := range out {
		out[i].Bounds = slices.Clone(out[i].Bounds)
		out[i].BucketCounts = slices.Clone(out[i].BucketCounts)
		out[i].Exemplars = slices.Clone(out[i].Exemplars)
	}
	return out
}
