// Package export wraps the SDK's exporters so that every signal leaves the
// process the same way: mandatory labels on metric points and log records,
// export errors counted and reported through one rate-limited handler
// instead of the OpenTelemetry global error handler.
package export

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/starmates-ai-team/telemetry/internal/labels"
)

// Signal names used in error messages and statistics.
const (
	Traces  = "traces"
	Metrics = "metrics"
	Logs    = "logs"
)

// Stats counts what one signal's exporter did. All fields are monotonic.
type Stats struct {
	Exports       int64 // export calls that succeeded
	Failures      int64 // export calls that failed
	ItemsExported int64 // spans, data points or log records sent
	ItemsFailed   int64 // spans, data points or log records in failed calls
	Dropped       int64 // spans or log records refused: the queue was full
}

// Counter accumulates Stats and remembers the last error. It is safe for
// concurrent use.
type Counter struct {
	Signal  string
	handler *Handler

	exports, failures, itemsOK, itemsFailed, dropped atomic.Int64
	// inflight counts the items admitted to a batch processor and not yet
	// exported or failed; Admit keeps it at or under the queue bound, so
	// the processor itself never drops and every loss is counted here.
	inflight atomic.Int64

	mu   sync.Mutex
	last error

	// abortCtx is canceled when Telemetry.Shutdown's deadline has passed:
	// exports in flight are aborted and later ones fail at once, so that
	// nothing lingers after Shutdown returned.
	abortCtx context.Context
	abort    context.CancelFunc
}

// Admit reserves room for one item in a queue of size limit. It returns
// false, and counts the item as dropped, when the queue is full.
func (c *Counter) Admit(limit int64) bool {
	for {
		n := c.inflight.Load()
		if n >= limit {
			c.dropped.Add(1)
			return false
		}
		if c.inflight.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Drop counts an item that was refused for another reason (the pipeline
// was shut down).
func (c *Counter) Drop() { c.dropped.Add(1) }

// NewCounter returns a Counter for signal that reports errors to h.
func NewCounter(signal string, h *Handler) *Counter {
	c := &Counter{Signal: signal, handler: h}
	c.abortCtx, c.abort = context.WithCancel(context.Background())
	return c
}

// errAbandoned fails the exports that come after Telemetry.Shutdown gave up.
var errAbandoned = errors.New("telemetry: shutdown deadline passed, export abandoned")

// exportCtx returns ctx, canceled as well when the signal is abandoned.
func (c *Counter) exportCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(c.abortCtx, cancel)
	return ctx, func() { stop(); cancel() }
}

func (c *Counter) abandoned() bool { return c.abortCtx.Err() != nil }

func (c *Counter) done(n int, err error) {
	c.inflight.Add(-int64(n))
	if err == nil {
		c.exports.Add(1)
		c.itemsOK.Add(int64(n))
		return
	}
	c.failures.Add(1)
	c.itemsFailed.Add(int64(n))
	c.mu.Lock()
	c.last = err
	c.mu.Unlock()
	c.handler.Handle(fmt.Errorf("telemetry: export of %d %s failed: %w", n, c.Signal, err))
}

// Stats returns a snapshot.
func (c *Counter) Stats() Stats {
	return Stats{
		Exports:       c.exports.Load(),
		Failures:      c.failures.Load(),
		ItemsExported: c.itemsOK.Load(),
		ItemsFailed:   c.itemsFailed.Load(),
		Dropped:       c.dropped.Load(),
	}
}

// FailuresSince returns an error describing the failures counted after a
// snapshot taken with Stats, or nil if there were none.
func (c *Counter) FailuresSince(before Stats) error {
	now := c.Stats()
	if now.Failures == before.Failures {
		return nil
	}
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	return fmt.Errorf("telemetry: %s: %d export(s) of %d item(s) failed: %w",
		c.Signal, now.Failures-before.Failures, now.ItemsFailed-before.ItemsFailed, last)
}

// export runs one export of n items through fn, canceled when the signal
// is abandoned (failing at once if it already is), and counts the result.
// It returns nil: the error is counted and handled here, so that the SDK
// does not also send it to the global error handler.
func (c *Counter) export(ctx context.Context, n int, fn func(context.Context) error) error {
	if c.abandoned() {
		c.done(n, errAbandoned)
		return nil
	}
	ctx, cancel := c.exportCtx(ctx)
	defer cancel()
	c.done(n, fn(ctx))
	return nil
}

// closer shuts an inner exporter down once, whether Telemetry.Shutdown
// abandons it or its batch processor gets to it after draining.
type closer struct {
	once sync.Once
	err  error
}

func (c *closer) close(ctx context.Context, shutdown func(context.Context) error) error {
	c.once.Do(func() { c.err = shutdown(ctx) })
	return c.err
}

// abandon is called when Shutdown's deadline passed: it aborts exports in
// flight, fails later ones at once and closes the inner exporter's
// connections.
func abandon(c *Counter, cl *closer, shutdown func(context.Context) error) {
	c.abort()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = cl.close(ctx, shutdown)
}

// shutdown shuts the inner exporter down, or reports nothing if Shutdown
// already abandoned it (its error would otherwise reach the global error
// handler from the batch processor's goroutine).
func shutdown(ctx context.Context, c *Counter, cl *closer, fn func(context.Context) error) error {
	if c.abandoned() {
		_ = cl.close(ctx, fn)
		return nil
	}
	return cl.close(ctx, fn)
}

// SpanExporter wraps a span exporter. Export errors are counted and handled
// here and not returned, so that the SDK does not also send them to the
// global error handler; Telemetry.Shutdown reports them from the Counter.
type SpanExporter struct {
	sdktrace.SpanExporter
	C  *Counter
	cl closer
}

// ExportSpans implements sdktrace.SpanExporter.
func (e *SpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	return e.C.export(ctx, len(spans), func(ctx context.Context) error {
		return e.SpanExporter.ExportSpans(ctx, sanitizeSpans(spans))
	})
}

// Shutdown implements sdktrace.SpanExporter.
func (e *SpanExporter) Shutdown(ctx context.Context) error {
	return shutdown(ctx, e.C, &e.cl, e.SpanExporter.Shutdown)
}

// Abandon aborts what is in flight and closes the exporter.
func (e *SpanExporter) Abandon() { abandon(e.C, &e.cl, e.SpanExporter.Shutdown) }

// MetricExporter wraps a metric exporter and injects the mandatory labels.
type MetricExporter struct {
	sdkmetric.Exporter
	C  *Counter
	in *labels.Injector
	mu sync.Mutex // the Injector's memo is not concurrent-safe
	cl closer
}

// NewMetricExporter wraps exp.
func NewMetricExporter(exp sdkmetric.Exporter, c *Counter, kvs []attribute.KeyValue) *MetricExporter {
	return &MetricExporter{Exporter: exp, C: c, in: labels.NewInjector(kvs...)}
}

// Export implements sdkmetric.Exporter.
func (e *MetricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	n := countPoints(rm)
	if n == 0 {
		// Nothing recorded yet: do not wake a collector (or wait on a dead one).
		return nil
	}
	return e.C.export(ctx, n, func(ctx context.Context) error {
		e.mu.Lock()
		e.in.Inject(rm)
		e.mu.Unlock()
		return e.Exporter.Export(ctx, rm)
	})
}

// Shutdown implements sdkmetric.Exporter.
func (e *MetricExporter) Shutdown(ctx context.Context) error {
	return shutdown(ctx, e.C, &e.cl, e.Exporter.Shutdown)
}

// Abandon aborts what is in flight and closes the exporter.
func (e *MetricExporter) Abandon() { abandon(e.C, &e.cl, e.Exporter.Shutdown) }

// LogExporter wraps a log exporter and adds the mandatory labels as record
// attributes (Loki keeps them as structured metadata; the resource carries
// them as well).
type LogExporter struct {
	sdklog.Exporter
	C   *Counter
	kvs []attribute.KeyValue
	cl  closer
}

// NewLogExporter wraps exp.
func NewLogExporter(exp sdklog.Exporter, c *Counter, kvs []attribute.KeyValue) *LogExporter {
	return &LogExporter{Exporter: exp, C: c, kvs: kvs}
}

// Export implements sdklog.Exporter.
func (e *LogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	return e.C.export(ctx, len(records), func(ctx context.Context) error {
		for i := range records {
			sanitizeRecord(&records[i])
			addMissing(&records[i], e.kvs)
		}
		return e.Exporter.Export(ctx, records)
	})
}

// Shutdown implements sdklog.Exporter.
func (e *LogExporter) Shutdown(ctx context.Context) error {
	return shutdown(ctx, e.C, &e.cl, e.Exporter.Shutdown)
}

// Abandon aborts what is in flight and closes the exporter.
func (e *LogExporter) Abandon() { abandon(e.C, &e.cl, e.Exporter.Shutdown) }

// addMissing adds the labels the record does not carry yet; a record that
// already names one of them (set by the caller) keeps its own value.
func addMissing(r *sdklog.Record, kvs []attribute.KeyValue) {
	var have [3]bool
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		for i, l := range kvs {
			if i < len(have) && kv.Key == l.Key {
				have[i] = true
			}
		}
		return true
	})
	for i, l := range kvs {
		if i < len(have) && have[i] {
			continue
		}
		r.AddAttributes(l)
	}
}

// countPoints counts the data points of a collection.
func countPoints(rm *metricdata.ResourceMetrics) int {
	return labels.EachPoint(rm, func(*attribute.Set) {})
}
