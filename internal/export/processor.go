package export

import (
	"context"
	"sync/atomic"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// SpanProcessor sits in front of a BatchSpanProcessor whose queue holds
// Limit spans. It admits a span only while fewer than Limit are queued or
// being exported, so the batch processor never drops one silently: each
// span refused is counted in C.
type SpanProcessor struct {
	Next  sdktrace.SpanProcessor
	C     *Counter
	Limit int64

	stopped atomic.Bool
}

// OnStart implements sdktrace.SpanProcessor.
func (p *SpanProcessor) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	p.Next.OnStart(parent, s)
}

// OnEnd implements sdktrace.SpanProcessor.
func (p *SpanProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return // the batch processor does not export these either
	}
	if p.stopped.Load() {
		p.C.Drop()
		return
	}
	if p.C.Admit(p.Limit) {
		p.Next.OnEnd(s)
	}
}

// Shutdown implements sdktrace.SpanProcessor.
func (p *SpanProcessor) Shutdown(ctx context.Context) error {
	p.stopped.Store(true)
	return p.Next.Shutdown(ctx)
}

// ForceFlush implements sdktrace.SpanProcessor.
func (p *SpanProcessor) ForceFlush(ctx context.Context) error { return p.Next.ForceFlush(ctx) }

// LogProcessor does for a log BatchProcessor what SpanProcessor does for
// spans: the batch processor drops the oldest record when its queue is
// full; this admits records only while there is room and counts the rest.
type LogProcessor struct {
	Next  sdklog.Processor
	C     *Counter
	Limit int64

	stopped atomic.Bool
}

// OnEmit implements sdklog.Processor.
func (p *LogProcessor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	if p.stopped.Load() {
		p.C.Drop()
		return nil
	}
	if !p.C.Admit(p.Limit) {
		return nil
	}
	return p.Next.OnEmit(ctx, r)
}

// Enabled implements sdklog.Processor.
func (p *LogProcessor) Enabled(ctx context.Context, param sdklog.EnabledParameters) bool {
	return p.Next.Enabled(ctx, param)
}

// Shutdown implements sdklog.Processor.
func (p *LogProcessor) Shutdown(ctx context.Context) error {
	p.stopped.Store(true)
	return p.Next.Shutdown(ctx)
}

// ForceFlush implements sdklog.Processor.
func (p *LogProcessor) ForceFlush(ctx context.Context) error { return p.Next.ForceFlush(ctx) }
