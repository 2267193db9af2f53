package logbridge

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

type ctxKey struct{}

// Context returns a copy of ctx that carries l, for [From] to find. HTTP
// middleware calls it once per request.
func Context(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the logger that [Context] put in ctx, or slog.Default() if
// there is none. When ctx holds a span and the logger is built on a
// [Handler], the logger returned remembers that span: its calls without a
// context (Info rather than InfoContext) are correlated with it, and calls
// with a context that has a span of its own use that one. Take the logger
// where the span is (once per request or operation), not once for good:
// each call of From with a span costs two small allocations.
func From(ctx context.Context) *slog.Logger {
	l, _ := ctx.Value(ctxKey{}).(*slog.Logger)
	if l == nil {
		l = slog.Default()
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return l
	}
	h, ok := l.Handler().(*Handler)
	if !ok || h.span.Equal(sc) {
		return l
	}
	h2 := *h
	h2.span = sc
	return slog.New(&h2)
}
