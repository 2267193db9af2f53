package export

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

// recorder is a span exporter that keeps the size of each batch and can
// be held (blocked) to fill the queue.
type recorder struct {
	mu      sync.Mutex
	batches []int
	hold    chan struct{} // when not nil, ExportSpans waits on it
	closed  bool
}

func (r *recorder) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if r.hold != nil {
		select {
		case <-r.hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	r.batches = append(r.batches, len(spans))
	r.mu.Unlock()
	return nil
}

func (r *recorder) Shutdown(context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return nil
}

func (r *recorder) total() (n int, batches []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.batches {
		n += b
	}
	return n, append([]int(nil), r.batches...)
}

// newTestProcessor returns a tracer provider on a BatchSpanProcessor to
// rec, and the processor's counter.
func newTestProcessor(t *testing.T, rec *recorder, o sdktrace.BatchSpanProcessorOptions) (*sdktrace.TracerProvider, *BatchSpanProcessor, *Counter) {
	t.Helper()
	c := NewCounter(Traces, NewHandler(func(error) {}, 0, nil))
	p := NewBatchSpanProcessor(&SpanExporter{SpanExporter: rec, C: c}, c, o)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	return tp, p, c
}

func endSpans(tp *sdktrace.TracerProvider, n int) {
	tr := tp.Tracer("test")
	for range n {
		_, s := tr.Start(context.Background(), "s")
		s.End()
	}
}

func TestBatchSpanProcessorBatches(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := &recorder{}
	tp, _, c := newTestProcessor(t, rec, sdktrace.BatchSpanProcessorOptions{MaxExportBatchSize: 10, BatchTimeout: time.Hour})
	endSpans(tp, 25)
	// Two full batches go without waiting for the timer.
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := rec.total(); n < 20 && time.Now().Before(deadline); n, _ = rec.total() {
		time.Sleep(time.Millisecond)
	}
	if n, b := rec.total(); n < 20 {
		t.Fatalf("exported %d spans in %v before the timer, want the two full batches", n, b)
	}
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, b := rec.total(); n != 25 {
		t.Errorf("after ForceFlush: %d spans in %v, want 25", n, b)
	}
	for _, b := range rec.batches {
		if b > 10 {
			t.Errorf("a batch of %d, above MaxExportBatchSize", b)
		}
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !rec.closed {
		t.Error("the exporter was not shut down")
	}
	if s := c.Stats(); s.ItemsExported != 25 || s.Dropped != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestBatchSpanProcessorTimer(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := &recorder{}
	tp, _, _ := newTestProcessor(t, rec, sdktrace.BatchSpanProcessorOptions{BatchTimeout: 20 * time.Millisecond})
	defer func() { _ = tp.Shutdown(context.Background()) }()
	endSpans(tp, 3)
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := rec.total(); n < 3 && time.Now().Before(deadline); n, _ = rec.total() {
		time.Sleep(5 * time.Millisecond)
	}
	if n, b := rec.total(); n != 3 {
		t.Errorf("the timer exported %d spans (%v), want 3", n, b)
	}
}

func TestBatchSpanProcessorFullQueue(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := &recorder{hold: make(chan struct{})}
	tp, _, c := newTestProcessor(t, rec, sdktrace.BatchSpanProcessorOptions{MaxQueueSize: 8, MaxExportBatchSize: 4, BatchTimeout: time.Hour})
	endSpans(tp, 20) // the exporter is held: 8 fit (queued or in the held export), 12 are refused
	if s := c.Stats(); s.Dropped != 12 {
		t.Errorf("dropped %d, want 12", s.Dropped)
	}
	close(rec.hold)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.ItemsExported != 8 {
		t.Errorf("exported %d, want 8 (every admitted span)", s.ItemsExported)
	}
	// After Shutdown, spans are refused and counted.
	endSpans(tp, 1) // the provider is shut down: no span reaches the processor
	p := NewBatchSpanProcessor(&SpanExporter{SpanExporter: &recorder{}, C: c}, c, sdktrace.BatchSpanProcessorOptions{})
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := c.Stats().Dropped
	p.OnEnd(tracetest.SpanStub{SpanContext: sampledContext()}.Snapshot())
	if c.Stats().Dropped != before+1 {
		t.Error("a span after Shutdown was not counted as dropped")
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if err := p.ForceFlush(context.Background()); err != nil {
		t.Errorf("ForceFlush after Shutdown: %v", err)
	}
}

func TestBatchSpanProcessorDeadlines(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := &recorder{hold: make(chan struct{})}
	tp, p, c := newTestProcessor(t, rec, sdktrace.BatchSpanProcessorOptions{ExportTimeout: 50 * time.Millisecond, BatchTimeout: time.Hour})
	endSpans(tp, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	// The held export outlasts the flush's deadline.
	if err := p.ForceFlush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ForceFlush = %v, want the deadline", err)
	}
	// The export timeout ends the held export: Shutdown then completes.
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.ItemsFailed != 2 {
		t.Errorf("stats %+v, want the 2 spans failed (export timeout)", s)
	}
}

func TestBatchSpanProcessorNoDelay(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := &recorder{}
	tp, _, _ := newTestProcessor(t, rec, sdktrace.BatchSpanProcessorOptions{BatchTimeout: 0, MaxExportBatchSize: 100})
	defer func() { _ = tp.Shutdown(context.Background()) }()
	endSpans(tp, 1) // a delay of 0 exports each span as it ends
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := rec.total(); n < 1 && time.Now().Before(deadline); n, _ = rec.total() {
		time.Sleep(time.Millisecond)
	}
	if n, _ := rec.total(); n != 1 {
		t.Errorf("exported %d, want the span at once", n)
	}
}

func TestBatchSpanProcessorUnsampled(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := &recorder{}
	c := NewCounter(Traces, NewHandler(func(error) {}, 0, nil))
	p := NewBatchSpanProcessor(&SpanExporter{SpanExporter: rec, C: c}, c, sdktrace.BatchSpanProcessorOptions{})
	p.OnEnd(tracetest.SpanStub{}.Snapshot()) // not sampled
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := rec.total(); n != 0 {
		t.Errorf("exported %d unsampled spans", n)
	}
}

// BenchmarkSpanProcessorIdle is one span ended every 200 µs (a service
// with a request every few milliseconds: the export goroutine sleeps
// between spans), without a processor, through the SDK's batch processor
// and through ours: CPU per span, all threads (the sleep itself costs
// some: compare with none).
func BenchmarkSpanProcessorIdle(b *testing.B) {
	for _, v := range []struct {
		name string
		new  func() sdktrace.SpanProcessor
	}{
		{"none", nil},
		{"sdk", func() sdktrace.SpanProcessor { return sdktrace.NewBatchSpanProcessor(tracetest.NewNoopExporter()) }},
		{"ours", func() sdktrace.SpanProcessor {
			c := NewCounter(Traces, NewHandler(func(error) {}, 0, nil))
			return NewBatchSpanProcessor(&SpanExporter{SpanExporter: tracetest.NewNoopExporter(), C: c}, c,
				sdktrace.BatchSpanProcessorOptions{BatchTimeout: sdktrace.DefaultScheduleDelay * time.Millisecond}) // Init's default
		}},
	} {
		b.Run("processor="+v.name, func(b *testing.B) {
			var opts []sdktrace.TracerProviderOption
			if v.new != nil {
				opts = append(opts, sdktrace.WithSpanProcessor(v.new()))
			}
			tp := sdktrace.NewTracerProvider(opts...)
			defer func() { _ = tp.Shutdown(context.Background()) }()
			tr := tp.Tracer("bench")
			start := cpuTime()
			for b.Loop() {
				_, s := tr.Start(context.Background(), "s")
				s.End()
				time.Sleep(200 * time.Microsecond)
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// sampledContext is a valid, sampled span context.
func sampledContext() trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled})
}

// cpuTime is the CPU time of the process, all threads (internal/testutil
// has it too, but imports what imports this package).
func cpuTime() time.Duration {
	var r syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
