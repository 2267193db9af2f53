package catalog

import "go.opentelemetry.io/otel/metric"

// Int64Counter creates m's counter on meter, with its name, unit and
// description.
func Int64Counter(meter metric.Meter, m Metric) (metric.Int64Counter, error) {
	return meter.Int64Counter(m.InstrumentName(), metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
}

// Float64Histogram creates m's histogram on meter with the given bucket
// boundaries.
func Float64Histogram(meter metric.Meter, m Metric, buckets []float64) (metric.Float64Histogram, error) {
	return meter.Float64Histogram(m.InstrumentName(), metric.WithUnit(m.Unit), metric.WithDescription(m.Description),
		metric.WithExplicitBucketBoundaries(buckets...))
}

// Int64Histogram creates m's histogram on meter with the given bucket
// boundaries.
func Int64Histogram(meter metric.Meter, m Metric, buckets []float64) (metric.Int64Histogram, error) {
	return meter.Int64Histogram(m.InstrumentName(), metric.WithUnit(m.Unit), metric.WithDescription(m.Description),
		metric.WithExplicitBucketBoundaries(buckets...))
}

// Float64Gauge creates m's gauge on meter.
func Float64Gauge(meter metric.Meter, m Metric) (metric.Float64Gauge, error) {
	return meter.Float64Gauge(m.InstrumentName(), metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
}

// Int64ObservableGauge creates m's observable gauge on meter.
func Int64ObservableGauge(meter metric.Meter, m Metric, opts ...metric.Int64ObservableGaugeOption) (metric.Int64ObservableGauge, error) {
	return meter.Int64ObservableGauge(m.InstrumentName(),
		append([]metric.Int64ObservableGaugeOption{metric.WithUnit(m.Unit), metric.WithDescription(m.Description)}, opts...)...)
}

// Int64ObservableCounter creates m's observable counter on meter.
func Int64ObservableCounter(meter metric.Meter, m Metric, opts ...metric.Int64ObservableCounterOption) (metric.Int64ObservableCounter, error) {
	return meter.Int64ObservableCounter(m.InstrumentName(),
		append([]metric.Int64ObservableCounterOption{metric.WithUnit(m.Unit), metric.WithDescription(m.Description)}, opts...)...)
}

// Float64Counter creates m's counter on meter, with its name, unit and
// description.
func Float64Counter(meter metric.Meter, m Metric) (metric.Float64Counter, error) {
	return meter.Float64Counter(m.InstrumentName(), metric.WithUnit(m.Unit), metric.WithDescription(m.Description))
}
