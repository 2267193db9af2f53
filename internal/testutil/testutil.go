// Package testutil holds the test doubles the SDK's own tests and
// benchmarks share: exporters that discard, a loopback address nobody
// listens on, the attribute sets of collected metric points, the
// Telemetry values that record nothing, providers of a test's own and a
// log of reported errors.
package testutil

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/labels"
)

// DiscardMetrics is a metric exporter that drops everything.
type DiscardMetrics struct{}

var _ sdkmetric.Exporter = DiscardMetrics{}

// Temporality implements sdkmetric.Exporter.
func (DiscardMetrics) Temporality(k sdkmetric.InstrumentKind) metricdata.Temporality {
	return sdkmetric.DefaultTemporalitySelector(k)
}

// Aggregation implements sdkmetric.Exporter.
func (DiscardMetrics) Aggregation(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(k)
}

// Export implements sdkmetric.Exporter.
func (DiscardMetrics) Export(context.Context, *metricdata.ResourceMetrics) error { return nil }

// ForceFlush implements sdkmetric.Exporter.
func (DiscardMetrics) ForceFlush(context.Context) error { return nil }

// Shutdown implements sdkmetric.Exporter.
func (DiscardMetrics) Shutdown(context.Context) error { return nil }

// DiscardLogs is a log exporter that drops everything.
type DiscardLogs struct{}

var _ sdklog.Exporter = DiscardLogs{}

// Export implements sdklog.Exporter.
func (DiscardLogs) Export(context.Context, []sdklog.Record) error { return nil }

// ForceFlush implements sdklog.Exporter.
func (DiscardLogs) ForceFlush(context.Context) error { return nil }

// Shutdown implements sdklog.Exporter.
func (DiscardLogs) Shutdown(context.Context) error { return nil }

// DiscardSpans is a span exporter that drops everything.
type DiscardSpans struct{}

var _ sdktrace.SpanExporter = DiscardSpans{}

// ExportSpans implements sdktrace.SpanExporter.
func (DiscardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }

// Shutdown implements sdktrace.SpanExporter.
func (DiscardSpans) Shutdown(context.Context) error { return nil }

// ClosedAddr returns a 127.0.0.1 address nothing listens on: a collector
// that is down.
func ClosedAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// PointSets returns the attribute set of every point of a collected metric.
func PointSets(d metricdata.Aggregation) []attribute.Set {
	var out []attribute.Set
	rm := metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{{Data: d}}}}}
	labels.EachPoint(&rm, func(s *attribute.Set) { out = append(out, *s) })
	return out
}

// ReportCPU adds cpu-ns/op to a benchmark: the process CPU time per
// iteration since start (a CPUTime reading). On a shared machine it is
// steadier than ns/op, which counts the time other processes held the
// cores.
func ReportCPU(b *testing.B, start time.Duration) {
	if start == 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
}

// NilAndDisabled returns, by name, the two Telemetry values that record
// nothing: "nil" and "disabled" (from Init with WithDisabled).
func NilAndDisabled(tb testing.TB) map[string]*telemetry.Telemetry {
	tb.Helper()
	disabled, err := telemetry.Init(context.Background(), telemetry.WithService("svc"), telemetry.WithDisabled(true))
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]*telemetry.Telemetry{"nil": nil, "disabled": disabled}
}

// Providers is an OpenTelemetry SDK of the test's own, not a Telemetry's:
// a tracer provider exporting synchronously into memory and a meter
// provider on a manual reader.
type Providers struct {
	Spans  *tracetest.InMemoryExporter
	TP     *sdktrace.TracerProvider
	Reader *sdkmetric.ManualReader
	MP     *sdkmetric.MeterProvider
}

// NewProviders returns Providers that are shut down when the test ends.
func NewProviders(tb testing.TB) *Providers {
	tb.Helper()
	p := &Providers{Spans: tracetest.NewInMemoryExporter(), Reader: sdkmetric.NewManualReader()}
	p.TP = sdktrace.NewTracerProvider(sdktrace.WithSyncer(p.Spans))
	p.MP = sdkmetric.NewMeterProvider(sdkmetric.WithReader(p.Reader))
	tb.Cleanup(func() {
		_ = p.TP.Shutdown(context.Background())
		_ = p.MP.Shutdown(context.Background())
	})
	return p
}

// Collect returns what the reader holds now.
func (p *Providers) Collect(tb testing.TB) metricdata.ResourceMetrics {
	tb.Helper()
	var rm metricdata.ResourceMetrics
	if err := p.Reader.Collect(context.Background(), &rm); err != nil {
		tb.Fatal(err)
	}
	return rm
}

// SumBy collects the reader and returns the points of the int64 sum name
// added up by their value of key. A point with one of the labels that
// only a Telemetry's exporters add (environment, project, service) is an
// error: a provider of one's own does not get them.
func (p *Providers) SumBy(tb testing.TB, name string, key attribute.Key) map[string]int64 {
	tb.Helper()
	rm := p.Collect(tb)
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				for _, k := range []attribute.Key{labels.Environment, labels.Project, labels.Service} {
					if _, has := dp.Attributes.Value(k); has {
						tb.Errorf("%s point has %s on a provider of one's own", name, k)
					}
				}
				v, _ := dp.Attributes.Value(key)
				out[v.AsString()] += dp.Value
			}
		}
	}
	return out
}

// ErrorLog keeps the errors sent to an error handler (its Handle), safe
// for concurrent use.
type ErrorLog struct {
	mu   sync.Mutex
	errs []error
}

// Handle keeps err; give it to telemetry.WithErrorHandler or otel's
// SetErrorHandler.
func (l *ErrorLog) Handle(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

// All returns the errors kept so far.
func (l *ErrorLog) All() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// Count returns how many of the errors match target (errors.Is).
func (l *ErrorLog) Count(target error) int {
	n := 0
	for _, err := range l.All() {
		if errors.Is(err, target) {
			n++
		}
	}
	return n
}

// Text returns the errors' messages, a line each.
func (l *ErrorLog) Text() string {
	var b strings.Builder
	for i, err := range l.All() {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// StartSampler is a sampler that samples every span and keeps the
// attributes each span started with: what instrumentation gives a sampler
// to decide on. Give it to telemetry.WithSampler or sdktrace.WithSampler.
// It is safe for concurrent use.
type StartSampler struct {
	mu   sync.Mutex
	seen [][]attribute.KeyValue
}

var _ sdktrace.Sampler = (*StartSampler)(nil)

// ShouldSample implements sdktrace.Sampler: it keeps p's attributes and
// samples.
func (s *StartSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	s.mu.Lock()
	s.seen = append(s.seen, slices.Clone(p.Attributes))
	s.mu.Unlock()
	return sdktrace.AlwaysSample().ShouldSample(p)
}

// Description implements sdktrace.Sampler.
func (s *StartSampler) Description() string { return "StartSampler" }

// Seen returns the start attributes of each span the sampler was asked
// about, in the order it was asked.
func (s *StartSampler) Seen() [][]attribute.KeyValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// Last returns the start attributes of the last span the sampler was
// asked about, by key; it fails tb when the sampler was not asked.
func (s *StartSampler) Last(tb testing.TB) map[attribute.Key]attribute.Value {
	tb.Helper()
	seen := s.Seen()
	if len(seen) == 0 {
		tb.Fatal("the sampler was not asked")
	}
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range seen[len(seen)-1] {
		m[kv.Key] = kv.Value
	}
	return m
}

// StartChild runs this test binary again as a child process with env=1 in
// its environment (its TestMain then serves instead of testing), and
// returns the first line the child prints, its address. The child's
// standard input stays open until tb ends (a child may serve until it
// reads EOF); then the child is killed. Benchmarks use it to keep a fake server's CPU out
// of the process whose CPUTime they report.
func StartChild(tb testing.TB, env string) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(line)
}
