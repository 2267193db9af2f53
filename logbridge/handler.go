package logbridge

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
)

// ScopeName is the instrumentation scope of the log records the bridge
// emits.
const ScopeName = telemetry.ScopeName + "/logbridge"

// The console attributes that carry the trace context.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// Handler is a slog.Handler that writes each record to OpenTelemetry logs
// (through contrib's otelslog bridge) and to a console handler, after
// checking the level, redacting credentials and finding the span once.
// Build it with [NewHandler]; the zero value is not usable. It is safe for
// concurrent use.
type Handler struct {
	level     slog.Leveler
	otel      slog.Handler      // nil when the Telemetry is nil or disabled
	console   *console          // nil when the console is off
	redact    *redactor         // nil without redaction
	redactAll bool              // an open group's name matched: redact everything in it
	span      trace.SpanContext // remembered by From
}

var _ slog.Handler = (*Handler)(nil)

// New returns a logger on a new [Handler]; see [NewHandler].
func New(tel *telemetry.Telemetry, opts ...Option) (*slog.Logger, error) {
	h, err := NewHandler(tel, opts...)
	if err != nil {
		return nil, err
	}
	return slog.New(h), nil
}

// NewHandler returns a Handler that sends records to tel's LoggerProvider
// (or that of [WithLoggerProvider]) and to the console. A nil or disabled
// tel without WithLoggerProvider gives the console output only. It returns
// a *telemetry.ConfigError (errors.Is telemetry.ErrInvalidConfig) if
// LOG_LEVEL or an option holds a value it does not accept.
func NewHandler(tel *telemetry.Telemetry, opts ...Option) (*Handler, error) {
	return newHandler(tel, os.LookupEnv, opts)
}

func newHandler(tel *telemetry.Telemetry, lookup func(string) (string, bool), opts []Option) (*Handler, error) {
	c, err := newConfig(lookup, opts)
	if err != nil {
		return nil, err
	}
	var lp otellog.LoggerProvider
	if tel.Enabled() {
		lp = tel.LoggerProvider()
	}
	h := buildHandler(lp, c)
	if c.sdkErrors {
		tel.SetErrorHandler(h.sdkError)
	}
	return h, nil
}

// newHandlerProvider builds a Handler on lp, unless WithLoggerProvider
// gives another (neither: console only).
func newHandlerProvider(lp otellog.LoggerProvider, lookup func(string) (string, bool), opts []Option) (*Handler, error) {
	c, err := newConfig(lookup, opts)
	if err != nil {
		return nil, err
	}
	return buildHandler(lp, c), nil
}

// buildHandler builds the Handler that c describes on lp, unless
// WithLoggerProvider gives another (neither: console only).
func buildHandler(lp otellog.LoggerProvider, c config) *Handler {
	if c.providers.Logger != nil {
		lp = c.providers.Logger
	}
	h := &Handler{level: c.level}
	if lp != nil {
		h.otel = otelslog.NewHandler(ScopeName, otelslog.WithLoggerProvider(lp), otelslog.WithSource(c.console.AddSource))
	}
	if !c.noConsole {
		h.console = newConsole(c.writer, c.format == JSON, &c.console)
	}
	if !c.noRedact {
		h.redact = newRedactor(c.redactKeys)
	}
	return h
}

// The message and the key of the lines WithSDKErrors writes.
const (
	sdkErrorMessage = "telemetry"
	sdkErrorKey     = "error"
)

// sdkError writes one of the Telemetry's own errors as a record of its
// own: to the console, or with the console off to the OpenTelemetry side.
// It runs on the SDK's goroutines, behind its rate limit.
func (h *Handler) sdkError(err error) {
	if slog.LevelError < h.level.Level() {
		return
	}
	r := slog.NewRecord(time.Now(), slog.LevelError, sdkErrorMessage, 0)
	r.AddAttrs(slog.String(sdkErrorKey, err.Error()))
	if h.console != nil {
		_ = h.console.handle(r, trace.SpanContext{})
		return
	}
	if h.otel != nil {
		_ = h.otel.Handle(context.Background(), r)
	}
}

// Enabled reports whether a record at level l would be written. It checks
// the level first, so a call below the level costs a comparison.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	if l < h.level.Level() {
		return false
	}
	if h.console != nil {
		return true
	}
	if h.otel == nil {
		return false
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return h.otel.Enabled(ctx, l)
}

// attrBuf is how many record attributes Handle gathers without allocating.
const attrBuf = 8

// Handle redacts r and writes it to both outputs. The console line ends
// with trace_id and span_id when ctx (or the logger's remembered span, see
// [From]) has a valid span. It returns the outputs' errors joined.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		ctx = context.Background()
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() && h.span.IsValid() {
		sc = h.span
		if h.otel != nil {
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
	}
	// Most records hold nothing to redact: a scan of the keys finds out,
	// and the record is rebuilt, once for both outputs, only when there is.
	dirty := false
	if h.redact != nil {
		r.Attrs(func(a slog.Attr) bool {
			dirty = !h.redact.clean(a, h.redactAll)
			return !dirty
		})
	}
	if dirty {
		h.redactRecord(&r)
	}

	var errOTel, errConsole error
	if h.otel != nil && (h.console == nil || h.otel.Enabled(ctx, r.Level)) {
		errOTel = h.otel.Handle(ctx, r)
	}
	if h.console != nil {
		errConsole = h.console.handle(r, sc)
	}
	return errors.Join(errOTel, errConsole)
}

// redactRecord replaces *r, which holds a secret, by a copy with its
// secrets redacted.
func (h *Handler) redactRecord(r *slog.Record) {
	var buf [attrBuf]slog.Attr
	attrs, changed := buf[:0], false
	r.Attrs(func(a slog.Attr) bool {
		var c bool
		a, c = h.redact.attr(a, h.redactAll)
		changed = changed || c
		attrs = append(attrs, a)
		return true
	})
	if !changed {
		return
	}
	nr := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	nr.AddAttrs(attrs...)
	*r = nr
}

// WithAttrs returns a Handler whose records carry attrs (redacted once,
// here, LogValuers resolved).
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	if h.redact != nil {
		if ra, ok := h.redact.attrs(attrs, h.redactAll); ok {
			attrs = ra
		}
	}
	h2 := *h
	if h.otel != nil {
		h2.otel = h.otel.WithAttrs(attrs)
	}
	if h.console != nil {
		h2.console = h.console.withAttrs(attrs)
	}
	return &h2
}

// WithGroup returns a Handler that nests the attributes that follow in
// group name. On the console the trace ids stay at the top level.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	if h.otel != nil {
		h2.otel = h.otel.WithGroup(name)
	}
	if h.console != nil {
		h2.console = h.console.withGroup(name)
	}
	if h.redact != nil && h.redact.match(name) {
		h2.redactAll = true
	}
	return &h2
}
