package logbridge

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
)

// TestHandlerOptionsLevel: HandlerOptions.Level is the level of both
// outputs, a LevelVar changes it live, of it and WithLevel the option
// given last wins, and a nil Level leaves LOG_LEVEL in charge.
func TestHandlerOptionsLevel(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	h, kit, buf := newTest(t, WithHandlerOptions(&slog.HandlerOptions{Level: &lv}))
	l := slog.New(h)
	l.Info("under")
	lv.Set(slog.LevelInfo)
	l.Info("over")
	if lines, recs := buf.lines(t), kit.Logs(); len(lines) != 1 || len(recs) != 1 || lines[0]["msg"] != "over" {
		t.Errorf("lines %v, %d records; want the one above the level", lines, len(recs))
	}

	for _, tc := range []struct {
		name string
		opts []Option
		env  string
		want slog.Level
	}{
		{"options after WithLevel", []Option{WithLevel(slog.LevelError), WithHandlerOptions(&slog.HandlerOptions{Level: slog.LevelDebug})}, "", slog.LevelDebug},
		{"WithLevel after options", []Option{WithHandlerOptions(&slog.HandlerOptions{Level: slog.LevelDebug}), WithLevel(slog.LevelError)}, "", slog.LevelError},
		{"nil Level leaves LOG_LEVEL", []Option{WithHandlerOptions(&slog.HandlerOptions{AddSource: true})}, "warn+1", slog.LevelWarn + 1},
		{"Level beats LOG_LEVEL", []Option{WithHandlerOptions(&slog.HandlerOptions{Level: slog.LevelDebug})}, "error", slog.LevelDebug},
		{"nil options", []Option{WithHandlerOptions(nil)}, "", slog.LevelInfo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(string) (string, bool) { return tc.env, tc.env != "" }
			h, err := newHandler(nil, lookup, append(tc.opts, WithConsole(false)))
			if err != nil {
				t.Fatal(err)
			}
			if got := h.level.Level(); got != tc.want {
				t.Errorf("level %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHandlerOptionsOutputs: AddSource puts the source on the console
// line and the code.* attributes on the OpenTelemetry record; ReplaceAttr
// rewrites the console line only, after redaction.
func TestHandlerOptionsOutputs(t *testing.T) {
	var seen []string
	replace := func(groups []string, a slog.Attr) slog.Attr {
		seen = append(seen, strings.Join(append(slices.Clone(groups), a.Key), "."))
		switch a.Key {
		case slog.MessageKey:
			a.Key = "message"
		case "user":
			a.Key = "user.id"
		case "drop":
			return slog.Attr{}
		}
		return a
	}
	h, kit, buf := newTest(t, WithHandlerOptions(&slog.HandlerOptions{AddSource: true, ReplaceAttr: replace}))
	slog.New(h).WithGroup("req").Info("served", "user", "u-1", "drop", 1, "api_key", "sk-1")

	lines := buf.lines(t)
	if len(lines) != 1 {
		t.Fatalf("%d lines", len(lines))
	}
	line := lines[0]
	src, _ := line[slog.SourceKey].(map[string]any)
	if file, _ := src["file"].(string); !strings.HasSuffix(file, "options_test.go") {
		t.Errorf("source %v; want this file", line[slog.SourceKey])
	}
	req, _ := line["req"].(map[string]any)
	if line["message"] != "served" || req["user.id"] != "u-1" || req["drop"] != nil || req["api_key"] != Redacted {
		t.Errorf("console line %v", line)
	}
	if !slices.Contains(seen, "req.api_key") || !slices.Contains(seen, "msg") {
		t.Errorf("ReplaceAttr saw %v", seen)
	}

	recs := kit.Logs()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	m := attrMap(recs[0])
	if req, _ := m["req"].(map[string]any); req["user"] != "u-1" || req["drop"] != int64(1) || req["api_key"] != Redacted {
		t.Errorf("otel attributes %v; want them as logged, redacted", m)
	}
	if f, _ := m["code.file.path"].(string); !strings.HasSuffix(f, "options_test.go") || m["code.line.number"] == nil {
		t.Errorf("otel attributes %v; want code.file.path and code.line.number", m)
	}
}

// TestSDKErrorsCollectorDown: with WithSDKErrors, a collector that is
// down gives one line, rate-limited, in the service's own JSON log
// stream, with a stable key set, and nothing goes to the handler Init
// was given.
func TestSDKErrorsCollectorDown(t *testing.T) {
	initHandler := make(chan error, 10)
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("logbridge-test"),
		telemetry.WithEndpoint(testutil.ClosedAddr(t)),
		telemetry.WithInsecure(true),
		telemetry.WithGlobals(false),
		telemetry.WithRuntimeMetrics(false),
		telemetry.WithExportTimeout(200*time.Millisecond),
		telemetry.WithErrorHandler(func(err error) { initHandler <- err }),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = tel.Shutdown(ctx) // reports the failed exports; expected
	})
	buf := &syncBuffer{}
	l, err := New(tel, WithWriter(buf), WithSDKErrors())
	if err != nil {
		t.Fatal(err)
	}
	l.Info("before")
	_, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "op")
	span.End()
	for range 2 { // three signals fail twice: one line passes the rate limit
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = tel.ForceFlush(ctx)
		cancel()
	}
	l.Info("after")

	lines := buf.lines(t)
	var sdk []map[string]any
	for _, line := range lines {
		if line["msg"] == sdkErrorMessage {
			sdk = append(sdk, line)
		}
	}
	if len(sdk) != 1 || len(lines) != 3 {
		t.Fatalf("lines %v; want before, one SDK error, after", lines)
	}
	if keys := slices.Sorted(maps.Keys(sdk[0])); !slices.Equal(keys, []string{"error", "level", "msg", "time"}) {
		t.Errorf("keys %v; want error, level, msg, time", keys)
	}
	if msg, _ := sdk[0]["error"].(string); sdk[0]["level"] != "ERROR" || !strings.Contains(msg, "export") {
		t.Errorf("SDK error line %v", sdk[0])
	}
	select {
	case err := <-initHandler:
		t.Errorf("Init's error handler got %v; want the log to have it", err)
	default:
	}
}

// failingSpans is a span exporter whose errors quote a credential, as
// some collectors' answers do.
type failingSpans struct{ secret string }

func (e failingSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	return errors.New("401 from collector: bad credentials " + e.secret)
}
func (failingSpans) Shutdown(context.Context) error { return nil }

// TestSDKErrorsRedactedInTheLogFormat: the SDK's error line is in the
// console's format (text here, ReplaceAttr applied) and the header
// values stay redacted.
func TestSDKErrorsRedactedInTheLogFormat(t *testing.T) {
	const secret = "Bearer sk-canary-0123456789"
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("logbridge-test"),
		telemetry.WithHeaders(map[string]string{"Authorization": secret}),
		telemetry.WithSpanExporter(failingSpans{secret}),
		telemetry.WithMetricExporter(testutil.DiscardMetrics{}),
		telemetry.WithLogExporter(testutil.DiscardLogs{}),
		telemetry.WithGlobals(false),
		telemetry.WithRuntimeMetrics(false),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	buf := &syncBuffer{}
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	if _, err := New(tel, WithWriter(buf), WithFormat(Text), WithSDKErrors(),
		WithHandlerOptions(&slog.HandlerOptions{ReplaceAttr: noTime})); err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "op")
	span.End()
	_ = tel.ForceFlush(context.Background())

	want := `level=ERROR msg=telemetry error="telemetry: export of 1 traces failed: 401 from collector: bad credentials [REDACTED]"` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestSDKErrorsConsoleOff: with the console off the SDK's errors become
// OpenTelemetry records (and a nil Telemetry does not make the option
// fail).
func TestSDKErrorsConsoleOff(t *testing.T) {
	p := &collect{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(p))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	h, err := newHandler(nil, noEnv, []Option{WithLoggerProvider(lp), WithConsole(false), WithSDKErrors()})
	if err != nil {
		t.Fatal(err)
	}
	h.sdkError(errors.New("export failed"))
	if len(p.recs) != 1 || p.recs[0].Body().AsString() != sdkErrorMessage {
		t.Fatalf("records %v", p.recs)
	}
	var got attribute.Value
	p.recs[0].WalkAttributes(func(kv attribute.KeyValue) bool { got = kv.Value; return true })
	if got.AsString() != "export failed" {
		t.Errorf("error attribute %v", got)
	}
}

// collect keeps the records a logger provider emits.
type collect struct{ recs []sdklog.Record }

func (c *collect) OnEmit(_ context.Context, r *sdklog.Record) error {
	c.recs = append(c.recs, r.Clone())
	return nil
}
func (*collect) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (*collect) Shutdown(context.Context) error                         { return nil }
func (*collect) ForceFlush(context.Context) error                       { return nil }
