// Package telemetrytest gives tests a *telemetry.Telemetry whose spans,
// metric points and log records land in memory instead of a collector.
// They go through the same pipeline as in production (same resource,
// environment/project/service labels, batch processors), so a test asserts
// exactly what the collector would receive.
//
//	func TestCheckout(t *testing.T) {
//		kit := telemetrytest.New(t, telemetry.WithService("checkout"))
//		handler := middleware.Handler(kit.Telemetry, mux)
//		// ... drive the handler ...
//		m, ok := kit.Metric("http_requests_total")
//	}
package telemetrytest

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
)

// Kit is a Telemetry recording into memory. Its methods are safe for
// concurrent use.
type Kit struct {
	// Telemetry is what the code under test receives.
	Telemetry *telemetry.Telemetry

	spans   *tracetest.InMemoryExporter
	metrics *metricExporter
	logs    *logExporter
}

// New returns a Kit for tb. The service defaults to "test-service" and the
// environment to dev; opts override them. The Kit shuts down when the test
// ends. New fails the test if the options are invalid.
func New(tb testing.TB, opts ...telemetry.Option) *Kit {
	tb.Helper()
	k, err := NewKit(context.Background(), opts...)
	if err != nil {
		tb.Fatalf("telemetrytest: %v", err)
	}
	tb.Cleanup(func() { _ = k.Telemetry.Shutdown(context.Background()) })
	return k
}

// NewKit is New for code without a testing.TB (examples, demos). The caller
// must call Telemetry.Shutdown.
func NewKit(ctx context.Context, opts ...telemetry.Option) (*Kit, error) {
	k := &Kit{
		spans:   tracetest.NewInMemoryExporter(),
		metrics: &metricExporter{},
		logs:    &logExporter{},
	}
	all := []telemetry.Option{
		telemetry.WithService("test-service"),
		telemetry.WithEnvironment(telemetry.Dev),
		// Tests run side by side: leave the OpenTelemetry globals alone
		// unless the test asks for them with telemetry.WithGlobals(true).
		telemetry.WithGlobals(false),
		// Only Flush collects: tests see no point twice by accident.
		telemetry.WithMetricInterval(time.Hour),
	}
	all = append(all, opts...)
	all = append(all,
		telemetry.WithSpanExporter(k.spans),
		telemetry.WithMetricExporter(k.metrics),
		telemetry.WithLogExporter(k.logs),
	)
	tel, err := telemetry.Init(ctx, all...)
	if err != nil {
		return nil, err
	}
	k.Telemetry = tel
	return k, nil
}

// Flush pushes everything recorded so far to the in-memory exporters.
func (k *Kit) Flush() { _ = k.Telemetry.ForceFlush(context.Background()) }

// Spans flushes and returns the ended spans, oldest first.
func (k *Kit) Spans() tracetest.SpanStubs {
	k.Flush()
	return k.spans.GetSpans()
}

// Metrics flushes and returns the latest collection (cumulative totals).
func (k *Kit) Metrics() metricdata.ResourceMetrics {
	k.Flush()
	return k.metrics.last()
}

// Metric returns the metric named name from a fresh collection.
func (k *Kit) Metric(name string) (metricdata.Metrics, bool) {
	rm := k.Metrics()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// Logs flushes and returns the emitted log records, oldest first.
func (k *Kit) Logs() []sdklog.Record {
	k.Flush()
	return k.logs.all()
}

// Reset forgets the spans and log records recorded so far. Metric totals
// are cumulative and are not reset.
func (k *Kit) Reset() {
	k.Flush()
	k.spans.Reset()
	k.logs.reset()
}

// SumValue returns the value of the counter point of metric name whose
// attributes include all of attrs, and whether there is one.
func (k *Kit) SumValue(name string, attrs ...attribute.KeyValue) (float64, bool) {
	m, ok := k.Metric(name)
	if !ok {
		return 0, false
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			if hasAll(dp.Attributes, attrs) {
				return float64(dp.Value), true
			}
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			if hasAll(dp.Attributes, attrs) {
				return dp.Value, true
			}
		}
	case metricdata.Gauge[float64]:
		for _, dp := range d.DataPoints {
			if hasAll(dp.Attributes, attrs) {
				return dp.Value, true
			}
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			if hasAll(dp.Attributes, attrs) {
				return float64(dp.Value), true
			}
		}
	}
	return 0, false
}

func hasAll(s attribute.Set, attrs []attribute.KeyValue) bool {
	for _, kv := range attrs {
		v, ok := s.Value(kv.Key)
		if !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// metricExporter keeps a deep copy of the latest collection: the SDK reuses
// the memory it exports from.
type metricExporter struct {
	mu     sync.Mutex
	latest metricdata.ResourceMetrics
}

var _ sdkmetric.Exporter = (*metricExporter)(nil)

func (e *metricExporter) Temporality(k sdkmetric.InstrumentKind) metricdata.Temporality {
	return sdkmetric.DefaultTemporalitySelector(k)
}

func (e *metricExporter) Aggregation(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(k)
}

func (e *metricExporter) Export(_ context.Context, rm *metricdata.ResourceMetrics) error {
	c := copyResourceMetrics(rm)
	e.mu.Lock()
	e.latest = c
	e.mu.Unlock()
	return nil
}

func (e *metricExporter) last() metricdata.ResourceMetrics {
	e.mu.Lock()
	defer e.mu.Unlock()
	return copyResourceMetrics(&e.latest)
}

func (e *metricExporter) ForceFlush(context.Context) error { return nil }
func (e *metricExporter) Shutdown(context.Context) error   { return nil }

type logExporter struct {
	mu      sync.Mutex
	records []sdklog.Record
}

var _ sdklog.Exporter = (*logExporter)(nil)

func (e *logExporter) Export(_ context.Context, rs []sdklog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range rs {
		e.records = append(e.records, r.Clone())
	}
	return nil
}

func (e *logExporter) all() []sdklog.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]sdklog.Record, len(e.records))
	for i, r := range e.records {
		out[i] = r.Clone()
	}
	return out
}

func (e *logExporter) reset() {
	e.mu.Lock()
	e.records = nil
	e.mu.Unlock()
}

func (e *logExporter) ForceFlush(context.Context) error { return nil }
func (e *logExporter) Shutdown(context.Context) error   { return nil }
