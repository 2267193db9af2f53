package logbridge

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/internal/labels"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// memProcessor keeps every record emitted on its provider.
type memProcessor struct {
	mu   sync.Mutex
	recs []sdklog.Record
}

func (p *memProcessor) OnEmit(_ context.Context, r *sdklog.Record) error {
	p.mu.Lock()
	p.recs = append(p.recs, r.Clone())
	p.mu.Unlock()
	return nil
}

func (p *memProcessor) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (p *memProcessor) Shutdown(context.Context) error                         { return nil }
func (p *memProcessor) ForceFlush(context.Context) error                       { return nil }

func (p *memProcessor) records() []sdklog.Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sdklog.Record(nil), p.recs...)
}

func newMemProvider(t *testing.T) (*sdklog.LoggerProvider, *memProcessor) {
	t.Helper()
	p := &memProcessor{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(p))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp, p
}

var testSpan = trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
	SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	TraceFlags: trace.FlagsSampled,
})

// checkOwnRecord checks the one record on p: message, severity, trace,
// redaction, scope, and no environment/project/service (the Telemetry's
// exporter adds those; it is not in this pipeline).
func checkOwnRecord(t *testing.T, p *memProcessor) {
	t.Helper()
	recs := p.records()
	if len(recs) != 1 {
		t.Fatalf("%d records on the given provider, want 1", len(recs))
	}
	r := recs[0]
	if r.Body().AsString() != "order placed" || r.Severity() != otellog.SeverityWarn {
		t.Errorf("record %q at %v; want order placed at WARN", r.Body().AsString(), r.Severity())
	}
	if r.TraceID() != testSpan.TraceID() || r.SpanID() != testSpan.SpanID() {
		t.Errorf("record trace %s/%s, want %s/%s", r.TraceID(), r.SpanID(), testSpan.TraceID(), testSpan.SpanID())
	}
	if r.InstrumentationScope().Name != ScopeName {
		t.Errorf("scope %q, want %q", r.InstrumentationScope().Name, ScopeName)
	}
	m := attrMap(r)
	if m["api_key"] != Redacted || m["order_id"] != int64(42) {
		t.Errorf("attributes %v; want order_id 42 and api_key redacted", m)
	}
	for _, k := range []string{string(labels.Environment), string(labels.Project), string(labels.Service)} {
		if _, ok := m[k]; ok {
			t.Errorf("attribute %s on a record of a provider of one's own: %v", k, m)
		}
	}
}

func logOnce(l *slog.Logger) {
	ctx := trace.ContextWithSpanContext(context.Background(), testSpan)
	l.WarnContext(ctx, "order placed", "order_id", 42, "api_key", "sk-live-123")
}

func TestWithLoggerProviderWithoutTelemetry(t *testing.T) {
	for name, tel := range testutil.NilAndDisabled(t) {
		t.Run(name, func(t *testing.T) {
			lp, p := newMemProvider(t)
			buf := &syncBuffer{}
			h, err := newHandler(tel, noEnv, []Option{WithLoggerProvider(lp), WithWriter(buf)})
			if err != nil {
				t.Fatal(err)
			}
			logOnce(slog.New(h))
			checkOwnRecord(t, p)
			lines := buf.lines(t)
			if len(lines) != 1 || lines[0]["trace_id"] != testSpan.TraceID().String() || lines[0]["api_key"] != Redacted {
				t.Errorf("console %v; want one line with the trace id and api_key redacted", lines)
			}
		})
	}
}

// With a Telemetry too, the option wins: nothing reaches the Telemetry.
func TestWithLoggerProviderWinsOverTelemetry(t *testing.T) {
	kit := telemetrytest.New(t)
	lp, p := newMemProvider(t)
	h, err := newHandler(kit.Telemetry, noEnv, []Option{WithLoggerProvider(lp), WithConsole(false)})
	if err != nil {
		t.Fatal(err)
	}
	logOnce(slog.New(h))
	checkOwnRecord(t, p)
	if n := len(kit.Logs()); n != 0 {
		t.Errorf("%d records reached the Telemetry despite WithLoggerProvider", n)
	}
}

// A nil provider leaves the Telemetry's; without a Telemetry and with the
// console off, a provider alone makes the handler enabled.
func TestWithLoggerProviderDefaults(t *testing.T) {
	kit := telemetrytest.New(t)
	h, err := newHandler(kit.Telemetry, noEnv, []Option{WithLoggerProvider(nil), WithConsole(false)})
	if err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("to the Telemetry")
	if n := len(kit.Logs()); n != 1 {
		t.Errorf("%d records on the Telemetry with WithLoggerProvider(nil), want 1", n)
	}

	ctx := context.Background()
	none, err := newHandler(nil, noEnv, []Option{WithConsole(false)})
	if err != nil {
		t.Fatal(err)
	}
	if none.Enabled(ctx, slog.LevelError) {
		t.Error("no Telemetry, no provider, no console: Enabled")
	}
	lp, p := newMemProvider(t)
	own, err := newHandler(nil, noEnv, []Option{WithConsole(false), WithLoggerProvider(lp)})
	if err != nil {
		t.Fatal(err)
	}
	if !own.Enabled(ctx, slog.LevelInfo) || own.Enabled(ctx, slog.LevelDebug) {
		t.Error("a provider of one's own: want enabled at info, not at debug")
	}
	logOnce(slog.New(own))
	checkOwnRecord(t, p)
}
