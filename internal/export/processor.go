package export

import (
	"context"
	"sync/atomic"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// LogProcessor sits in front of a log BatchProcessor whose queue holds
// Limit records: the batch processor drops the oldest record when its
// queue is full; this admits records only while fewer than Limit are
// queued or being exported and counts the rest, so that none is lost
// silently. (The log BatchProcessor signals its goroutine only when a
// batch is full, so it needs no replacement as the span one does: see
// BatchSpanProcessor.)
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
