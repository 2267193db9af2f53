package logbridge

import (
	"log/slog"
	"testing"
	"testing/slogtest"

	"go.opentelemetry.io/otel/attribute"

	"github.com/starmates-ai-team/telemetry/internal/labels"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// TestSlogRulesConsole checks the console side against slog's handler
// rules, with and without a span (the trace ids must not disturb groups).
func TestSlogRulesConsole(t *testing.T) {
	for _, withSpan := range []bool{false, true} {
		name := "no span"
		if withSpan {
			name = "span"
		}
		t.Run(name, func(t *testing.T) {
			var buf *syncBuffer
			slogtest.Run(t, func(t *testing.T) slog.Handler {
				var h *Handler
				h, _, buf = newTest(t)
				if withSpan {
					// What From does for a request context.
					h.span = validSpanContext()
				}
				return h
			}, func(t *testing.T) map[string]any {
				lines := buf.lines(t)
				if len(lines) != 1 {
					t.Fatalf("got %d lines, want 1", len(lines))
				}
				m := lines[0]
				if withSpan && (m[TraceIDKey] != validSpanContext().TraceID().String() || m[SpanIDKey] != validSpanContext().SpanID().String()) {
					t.Errorf("trace ids missing from the top level: %v", m)
				}
				delete(m, TraceIDKey)
				delete(m, SpanIDKey)
				return m
			})
		})
	}
}

// TestSlogRulesOTel checks the OpenTelemetry side (through our Handler,
// console off) against slog's handler rules.
func TestSlogRulesOTel(t *testing.T) {
	var kit *telemetrytest.Kit
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		kit = telemetrytest.New(t)
		h, err := newHandler(kit.Telemetry, noEnv, []Option{WithConsole(false)})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}, func(t *testing.T) map[string]any {
		recs := kit.Logs()
		if len(recs) != 1 {
			t.Fatalf("got %d records, want 1", len(recs))
		}
		r := recs[0]
		m := attrMap(r)
		for _, k := range []attribute.Key{labels.Environment, labels.Project, labels.Service} {
			delete(m, string(k))
		}
		m[slog.MessageKey] = r.Body().AsString()
		m[slog.LevelKey] = r.SeverityText()
		if !r.Timestamp().IsZero() {
			m[slog.TimeKey] = r.Timestamp()
		}
		return m
	})
}
