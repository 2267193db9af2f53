package logbridge

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/labels"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
)

func TestSeverity(t *testing.T) {
	tests := []struct {
		level slog.Level
		sev   otellog.Severity
		text  string
	}{
		{slog.LevelDebug, otellog.SeverityDebug, "DEBUG"},
		{slog.LevelInfo, otellog.SeverityInfo, "INFO"},
		{slog.LevelWarn, otellog.SeverityWarn, "WARN"},
		{slog.LevelError, otellog.SeverityError, "ERROR"},
		{slog.LevelInfo + 2, otellog.SeverityInfo3, "INFO+2"},
		{slog.LevelError + 4, otellog.SeverityFatal, "ERROR+4"},
	}
	h, kit, buf := newTest(t, WithLevel(slog.LevelDebug))
	l := slog.New(h)
	for _, tt := range tests {
		l.Log(context.Background(), tt.level, "m")
	}
	recs := kit.Logs()
	lines := buf.lines(t)
	if len(recs) != len(tests) || len(lines) != len(tests) {
		t.Fatalf("got %d records, %d lines; want %d", len(recs), len(lines), len(tests))
	}
	for i, tt := range tests {
		if got := recs[i].Severity(); got != tt.sev {
			t.Errorf("%v: severity %v, want %v", tt.level, got, tt.sev)
		}
		if got := recs[i].SeverityText(); got != tt.text {
			t.Errorf("%v: severity text %q, want %q", tt.level, got, tt.text)
		}
		if got := lines[i]["level"]; got != tt.text {
			t.Errorf("%v: console level %v, want %q", tt.level, got, tt.text)
		}
	}
}

func TestRecordCarriesResourceAndLabels(t *testing.T) {
	h, kit, _ := newTest(t)
	slog.New(h).Info("hello", "k", "v")
	recs := kit.Logs()
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0]
	if got := r.Body().AsString(); got != "hello" {
		t.Errorf("body %q", got)
	}
	if got := r.InstrumentationScope().Name; got != ScopeName {
		t.Errorf("scope %q, want %q", got, ScopeName)
	}
	m := attrMap(r)
	tel := kit.Telemetry
	want := map[string]any{
		"k":                        "v",
		string(labels.Environment): string(tel.Environment()),
		string(labels.Project):     tel.Project(),
		string(labels.Service):     tel.Service(),
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("attributes %v, want %v", m, want)
	}
	if v, ok := r.Resource().Set().Value("service.name"); !ok || v.AsString() != tel.Service() {
		t.Errorf("resource service.name = %v", v)
	}
}

func TestCorrelation(t *testing.T) {
	h, kit, buf := newTest(t)
	l := slog.New(h)
	ctx, span := kit.Telemetry.TracerProvider().Tracer("test").Start(context.Background(), "op")
	sc := span.SpanContext()
	l.InfoContext(ctx, "in span", "n", 1)
	l.Info("no context")
	span.End()

	recs, lines := kit.Logs(), buf.lines(t)
	if len(recs) != 2 || len(lines) != 2 {
		t.Fatalf("got %d records, %d lines", len(recs), len(lines))
	}
	if recs[0].TraceID() != sc.TraceID() || recs[0].SpanID() != sc.SpanID() {
		t.Errorf("otel record trace %v/%v, want %v/%v", recs[0].TraceID(), recs[0].SpanID(), sc.TraceID(), sc.SpanID())
	}
	if lines[0][TraceIDKey] != sc.TraceID().String() || lines[0][SpanIDKey] != sc.SpanID().String() {
		t.Errorf("console line %v lacks trace %v span %v", lines[0], sc.TraceID(), sc.SpanID())
	}
	if recs[1].TraceID().IsValid() {
		t.Errorf("record without context has trace %v", recs[1].TraceID())
	}
	if _, ok := lines[1][TraceIDKey]; ok {
		t.Errorf("line without context has a trace id: %v", lines[1])
	}
}

// TestHTTPCorrelation drives a handler behind a middleware (the shape the
// middleware package gives) and checks that logs written inside it carry
// the trace id that came with the request, in both outputs, whether the
// handler logs with the request context or through From.
func TestHTTPCorrelation(t *testing.T) {
	h, kit, buf := newTest(t)
	logger := slog.New(h)
	tel := kit.Telemetry

	middleware := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := tel.Propagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := tel.TracerProvider().Tracer("test").Start(ctx, "GET /orders", trace.WithSpanKind(trace.SpanKindServer))
			defer span.End()
			next.ServeHTTP(w, r.WithContext(Context(ctx, logger)))
		})
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "with context")
		From(r.Context()).Info("from context, no ctx argument")
		From(r.Context()).WithGroup("g").With("a", 1).Info("grouped")
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(middleware(app))
	defer srv.Close()

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/orders", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans", len(spans))
	}
	spanID := spans[0].SpanContext.SpanID()
	recs, lines := kit.Logs(), buf.lines(t)
	if len(recs) != 3 || len(lines) != 3 {
		t.Fatalf("got %d records, %d lines; want 3", len(recs), len(lines))
	}
	for i := range recs {
		if got := recs[i].TraceID().String(); got != traceID {
			t.Errorf("record %d trace %s, want %s", i, got, traceID)
		}
		if recs[i].SpanID() != spanID {
			t.Errorf("record %d span %s, want %s", i, recs[i].SpanID(), spanID)
		}
		if lines[i][TraceIDKey] != traceID || lines[i][SpanIDKey] != spanID.String() {
			t.Errorf("line %d = %v, want trace %s span %s", i, lines[i], traceID, spanID)
		}
	}
}

func TestFromWithoutLogger(t *testing.T) {
	if From(context.Background()) != slog.Default() {
		t.Error("From(empty context) is not slog.Default()")
	}
	// A logger not built on Handler comes back as it is.
	other := slog.New(slog.DiscardHandler)
	ctx := trace.ContextWithSpanContext(Context(context.Background(), other), validSpanContext())
	if From(ctx) != other {
		t.Error("From did not return the stored foreign logger")
	}
}

func validSpanContext() trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:     trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		TraceFlags: trace.FlagsSampled,
	})
}

func TestGroupsKeepStructure(t *testing.T) {
	h, kit, buf := newTest(t)
	l := slog.New(h).With("top", "t").WithGroup("req").With("method", "GET").WithGroup("empty")
	ctx := trace.ContextWithSpanContext(context.Background(), validSpanContext())
	l.InfoContext(ctx, "m", "status", 200, slog.Group("user", "id", 7))
	slog.New(h).WithGroup("req").WithGroup("inner").Info("no attrs")

	want := groupsWant[float64]() // numbers decoded from the console's JSON
	lines := buf.lines(t)
	if len(lines) != 2 {
		t.Fatalf("got %d lines", len(lines))
	}
	got := lines[0]
	if got[TraceIDKey] != validSpanContext().TraceID().String() {
		t.Errorf("trace_id not at the top level: %v", got)
	}
	for _, k := range []string{"time", "level", "msg", TraceIDKey, SpanIDKey} {
		delete(got, k)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("console\n got %v\nwant %v", got, want)
	}
	if _, ok := lines[1]["req"]; ok {
		t.Errorf("empty groups written: %v", lines[1])
	}

	recs := kit.Logs()
	m := attrMap(recs[0])
	wantOTel := groupsWant[int64]()
	for _, k := range []string{string(labels.Environment), string(labels.Project), string(labels.Service)} {
		delete(m, k)
	}
	if !reflect.DeepEqual(m, wantOTel) {
		t.Errorf("otel\n got %v\nwant %v", m, wantOTel)
	}
}

// groupsWant is the structure TestGroupsKeepStructure logs, with its
// numbers of type N.
func groupsWant[N float64 | int64]() map[string]any {
	return map[string]any{
		"top": "t",
		"req": map[string]any{
			"method": "GET",
			"empty": map[string]any{
				"status": N(200),
				"user":   map[string]any{"id": N(7)},
			},
		},
	}
}

func TestLevelFromEnvironment(t *testing.T) {
	tests := []struct {
		env     string
		set     bool
		want    slog.Level
		wantErr bool
	}{
		{set: false, want: slog.LevelInfo},
		{env: "", set: true, want: slog.LevelInfo},
		{env: "debug", set: true, want: slog.LevelDebug},
		{env: "INFO", set: true, want: slog.LevelInfo},
		{env: " Warn ", set: true, want: slog.LevelWarn},
		{env: "error", set: true, want: slog.LevelError},
		{env: "verbose", set: true, wantErr: true},
		{env: "warning", set: true, wantErr: true},
		{env: "INFO+2", set: true, want: slog.LevelInfo + 2},
		{env: "warn-1", set: true, want: slog.LevelWarn - 1},
		{env: "DEBUG", set: true, want: slog.LevelDebug},
		{env: "info+", set: true, wantErr: true},
		{env: "loud", set: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			lookup := func(k string) (string, bool) {
				if k != LevelEnv {
					t.Errorf("looked up %q", k)
				}
				return tt.env, tt.set
			}
			h, err := newHandler(nil, lookup, nil)
			if tt.wantErr {
				var ce *telemetry.ConfigError
				if !errors.As(err, &ce) || ce.Field != LevelEnv || !errors.Is(err, telemetry.ErrInvalidConfig) {
					t.Fatalf("err = %v, want a ConfigError for %s", err, LevelEnv)
				}
				for _, s := range []string{"LOG_LEVEL", "debug", "info", "warn", "error", tt.env} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not name %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := h.level.Level(); got != tt.want {
				t.Errorf("level %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLevelOptionOverridesEnvironment(t *testing.T) {
	t.Setenv(LevelEnv, "nonsense")
	if _, err := NewHandler(nil, WithConsole(false)); err == nil {
		t.Error("NewHandler accepted LOG_LEVEL=nonsense")
	}
	var lv slog.LevelVar
	lv.Set(slog.LevelError)
	h, err := NewHandler(nil, WithLevel(&lv), WithConsole(false))
	if err != nil {
		t.Fatal(err)
	}
	if h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("warn enabled at level error")
	}
}

func TestLevelFilters(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	h, kit, buf := newTest(t, WithLevel(&lv))
	l := slog.New(h)
	l.Debug("d")
	l.Info("i")
	l.Warn("w")
	lv.Set(slog.LevelDebug)
	l.Debug("d2")
	recs, lines := kit.Logs(), buf.lines(t)
	if len(recs) != 2 || len(lines) != 2 {
		t.Fatalf("got %d records, %d lines; want 2 (w, d2)", len(recs), len(lines))
	}
	if recs[0].Body().AsString() != "w" || lines[1]["msg"] != "d2" {
		t.Errorf("wrong records: %v / %v", recs[0].Body(), lines[1])
	}
}

func TestNilAndDisabledTelemetry(t *testing.T) {
	for name, tel := range testutil.NilAndDisabled(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := New(tel, WithWriter(&buf), WithLevel(slog.LevelInfo))
			if err != nil {
				t.Fatal(err)
			}
			l.With("a", 1).WithGroup("g").Info("console only", "b", 2)
			if !strings.Contains(buf.String(), `"msg":"console only","a":1,"g":{"b":2}`) {
				t.Errorf("console output %q", buf.String())
			}
			off, err := New(tel, WithConsole(false))
			if err != nil {
				t.Fatal(err)
			}
			if off.Enabled(context.Background(), slog.LevelError) {
				t.Error("a logger with no output reports enabled")
			}
			off.Error("goes nowhere")
		})
	}
}

func TestConsoleOff(t *testing.T) {
	h, kit, buf := newTest(t, WithConsole(false))
	slog.New(h).Info("otel only")
	if buf.String() != "" {
		t.Errorf("console written: %q", buf.String())
	}
	if n := len(kit.Logs()); n != 1 {
		t.Errorf("got %d records", n)
	}
}

func TestTextFormat(t *testing.T) {
	h, _, buf := newTest(t, WithFormat(Text))
	ctx := trace.ContextWithSpanContext(context.Background(), validSpanContext())
	slog.New(h).InfoContext(ctx, "hi", "api_key", "k")
	sc := validSpanContext()
	want := `level=INFO msg=hi api_key=[REDACTED] trace_id=` + sc.TraceID().String() + ` span_id=` + sc.SpanID().String()
	if !strings.Contains(buf.String(), want) {
		t.Errorf("text output %q lacks %q", buf.String(), want)
	}
}

func TestBadFormat(t *testing.T) {
	_, err := New(nil, WithFormat("yaml"))
	var ce *telemetry.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "json or text") {
		t.Errorf("err = %v", err)
	}
}

func TestNilContext(t *testing.T) {
	h, kit, buf := newTest(t)
	//lint:ignore SA1012 a nil context must not panic
	_ = h.Handle(nil, slog.NewRecord(time.Now(), slog.LevelInfo, "nil ctx", 0)) //nolint:staticcheck
	//lint:ignore SA1012 a nil context must not panic
	if !h.Enabled(nil, slog.LevelInfo) { //nolint:staticcheck
		t.Error("not enabled")
	}
	if len(kit.Logs()) != 1 || len(buf.lines(t)) != 1 {
		t.Error("record lost")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConsoleErrorReturnedOTelStillWritten(t *testing.T) {
	kit := newKit(t)
	h, err := newHandler(kit.Telemetry, noEnv, []Option{WithWriter(failWriter{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Handle error = %v", err)
	}
	if len(kit.Logs()) != 1 {
		t.Error("otel record lost")
	}
}

// A logger from From remembers the request's span, but a call with a
// context of its own (a child span) is correlated with that one, in both
// outputs.
func TestFromPrefersCallContext(t *testing.T) {
	h, kit, buf := newTest(t)
	tracer := kit.Telemetry.TracerProvider().Tracer("test")
	ctx, parent := tracer.Start(context.Background(), "request")
	l := From(Context(ctx, slog.New(h)))
	childCtx, child := tracer.Start(ctx, "db")
	l.InfoContext(childCtx, "in child")
	l.Info("in request")
	child.End()
	parent.End()

	recs, lines := kit.Logs(), buf.lines(t)
	if len(recs) != 2 || len(lines) != 2 {
		t.Fatalf("got %d records, %d lines", len(recs), len(lines))
	}
	for i, want := range []trace.SpanContext{child.SpanContext(), parent.SpanContext()} {
		if recs[i].SpanID() != want.SpanID() || recs[i].TraceID() != want.TraceID() {
			t.Errorf("record %d span %s, want %s", i, recs[i].SpanID(), want.SpanID())
		}
		if lines[i][SpanIDKey] != want.SpanID().String() || lines[i][TraceIDKey] != want.TraceID().String() {
			t.Errorf("line %d = %v, want span %s", i, lines[i], want.SpanID())
		}
	}
}
