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
//		ok, err := kit.Value("http_requests_total", // exactly one series
//			attribute.String("method", "GET"), attribute.String("endpoint", "/orders/{id}"),
//			attribute.String("status_code", "200"))
//		all, _ := kit.Sum("http_requests_total") // every series added up
//		spans := kit.Spans()
//	}
//
// # Reading metrics
//
// Metric returns a metric as the SDK collected it. Sum and Value read
// numbers from it, selecting points whose attributes include the ones
// given (like PromQL label matchers; the points may have more): Sum adds
// every matching point, as sum() would, and Value requires exactly one,
// returning an error that says how many matched otherwise. For histograms
// both read the count of observations.
//
// # Globals
//
// The kit leaves the OpenTelemetry globals alone (it passes
// telemetry.WithGlobals(false) before the test's options), so tests can run
// side by side. A test of code that uses the globals passes
// telemetry.WithGlobals(true), must not run in parallel with others that do,
// and calls SaveGlobals first, which puts the previous globals back when the
// test ends:
//
//	telemetrytest.SaveGlobals(t)
//	kit := telemetrytest.New(t, telemetry.WithGlobals(true))
//	client := &http.Client{Transport: otelhttp.NewTransport(nil)} // joins the kit's traces
package telemetrytest

import (
	"context"
	"fmt"
	"strings"
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

// Sum adds the values of every point of metric name whose attributes
// include all of attrs (none: every point), from a fresh collection, and
// reports whether any point matched. It is what a PromQL sum() over the
// same label matchers returns:
//
//   - counters and up-down counters (int64 and float64 sums): the values;
//   - histograms (explicit and exponential): the counts of observations,
//     that is the _count series (for the observed total, read the points'
//     Sum through Metric);
//   - gauges: the values too. A sum of gauges means something only when
//     the gauge adds up across the labels left open (queue length per
//     shard); to read one gauge series, use Value.
//
// One AI call with 100 input and 7 output tokens makes
// Sum("ai_tokens_total", model=gpt-4o) 107, its input and output series
// added; Value with the same attributes is an error (two points match),
// and with token_type=input too it is 100.
func (k *Kit) Sum(name string, attrs ...attribute.KeyValue) (float64, bool) {
	pts, ok := k.points(name, attrs)
	if !ok || len(pts) == 0 {
		return 0, false
	}
	var sum float64
	for _, v := range pts {
		sum += v
	}
	return sum, true
}

// Value returns the value of the one point of metric name whose attributes
// include all of attrs, from a fresh collection, with the rules of Sum (a
// histogram's value is its count). It returns an error, saying how many
// points matched, when the metric is missing or not exactly one point
// matches: an attribute list that selects several series is a bug in the
// test, and reading one of them at random would hide it.
func (k *Kit) Value(name string, attrs ...attribute.KeyValue) (float64, error) {
	pts, ok := k.points(name, attrs)
	if !ok {
		return 0, fmt.Errorf("telemetrytest: no metric %s in the collection", name)
	}
	if len(pts) != 1 {
		return 0, fmt.Errorf("telemetrytest: %s%s: %d points match, want exactly 1", name, selector(attrs), len(pts))
	}
	return pts[0], nil
}

// points returns the values (counts for histograms) of the points of
// metric name that have all of attrs, and whether the metric exists.
func (k *Kit) points(name string, attrs []attribute.KeyValue) ([]float64, bool) {
	m, ok := k.Metric(name)
	if !ok {
		return nil, false
	}
	var out []float64
	add := func(s attribute.Set, v float64) {
		if hasAll(s, attrs) {
			out = append(out, v)
		}
	}
	eachValue[int64](m.Data, add)
	eachValue[float64](m.Data, add)
	return out, true
}

// eachValue calls add with the attributes and value of every point of a
// sum or gauge of N, and with the attributes and count of every point of
// a histogram of N.
func eachValue[N int64 | float64](d metricdata.Aggregation, add func(attribute.Set, float64)) {
	var pts []metricdata.DataPoint[N]
	switch d := d.(type) {
	case metricdata.Sum[N]:
		pts = d.DataPoints
	case metricdata.Gauge[N]:
		pts = d.DataPoints
	case metricdata.Histogram[N]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes, float64(dp.Count))
		}
	case metricdata.ExponentialHistogram[N]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes, float64(dp.Count))
		}
	}
	for _, dp := range pts {
		add(dp.Attributes, float64(dp.Value))
	}
}

// selector renders attrs as a PromQL-style selector, {k="v",...}.
func selector(attrs []attribute.KeyValue) string {
	if len(attrs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range attrs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", kv.Key, kv.Value.String())
	}
	b.WriteByte('}')
	return b.String()
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
