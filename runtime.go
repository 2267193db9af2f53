package telemetry

import (
	"context"

	"go.opentelemetry.io/contrib/instrumentation/runtime"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// SchedulerLatencyBuckets are the bucket boundaries, in seconds, of
// go.schedule.duration as the SDK exports it. The Go runtime keeps that
// histogram in 162 buckets, which would cost 164 series per service; the
// SDK folds them into these 10 (each runtime bucket counts in the first of
// these that is not below its upper bound).
var SchedulerLatencyBuckets = []float64{1e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 1e-1}

// runtimeProducer is contrib's producer of go.schedule.duration with the
// runtime's buckets folded into SchedulerLatencyBuckets.
type runtimeProducer struct{ p *runtime.Producer }

// newRuntimeProducer returns the producer, or nil when the runtime metrics
// are off.
func newRuntimeProducer(cfg *config) sdkmetric.Producer {
	if cfg.noRuntimeMetrics {
		return nil
	}
	return runtimeProducer{runtime.NewProducer()}
}

// Produce implements sdkmetric.Producer.
func (r runtimeProducer) Produce(ctx context.Context) ([]metricdata.ScopeMetrics, error) {
	sms, err := r.p.Produce(ctx)
	for i := range sms {
		for j := range sms[i].Metrics {
			if h, ok := sms[i].Metrics[j].Data.(metricdata.Histogram[float64]); ok {
				for k := range h.DataPoints {
					fold(&h.DataPoints[k], SchedulerLatencyBuckets)
				}
			}
		}
	}
	return sms, err
}

// fold re-buckets dp into bounds. A runtime bucket goes to the first
// bound at or above its upper bound, so a count is never reported in a
// bucket lower than where it was measured.
func fold(dp *metricdata.HistogramDataPoint[float64], bounds []float64) {
	counts := make([]uint64, len(bounds)+1)
	for i, c := range dp.BucketCounts {
		j := len(bounds) // +Inf
		if i < len(dp.Bounds) {
			j = 0
			for j < len(bounds) && bounds[j] < dp.Bounds[i] {
				j++
			}
		}
		counts[j] += c
	}
	dp.Bounds, dp.BucketCounts = bounds, counts
	dp.Min, dp.Max = metricdata.Extrema[float64]{}, metricdata.Extrema[float64]{}
}
