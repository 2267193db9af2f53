package middleware_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// A log line written inside a middleware-wrapped handler, even without a
// context (the classic trap), carries the request's trace id in both
// outputs: the OTel log record and the console line.
func TestWithLoggerCorrelatesBothOutputs(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("svc"))
	var console bytes.Buffer
	logger, err := logbridge.New(kit.Telemetry, logbridge.WithWriter(&console))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		logbridge.From(r.Context()).Info("order read", "order_id", r.PathValue("id")) // no ctx
		io.WriteString(w, "ok")
	})
	srv := httptest.NewServer(middleware.New(kit.Telemetry, middleware.WithLogger(logger))(mux))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/orders/7")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv.Client().CloseIdleConnections()

	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("spans = %d; want 1", len(spans))
	}
	traceID := spans[0].SpanContext.TraceID()

	logs := kit.Logs()
	if len(logs) != 1 || logs[0].TraceID() != traceID {
		t.Fatalf("OTel log records %d, trace id %v; want 1 with %s", len(logs), logs, traceID)
	}
	var line map[string]any
	if err := json.Unmarshal(console.Bytes(), &line); err != nil {
		t.Fatalf("console %q: %v", console.String(), err)
	}
	if line["trace_id"] != traceID.String() {
		t.Errorf("console trace_id = %v; want %s", line["trace_id"], traceID)
	}
}

// TestWithLoggerWithoutTelemetry: with a nil Telemetry the middleware
// records nothing but still puts WithLogger's logger in each request's
// context, whose console side works without telemetry.
func TestWithLoggerWithoutTelemetry(t *testing.T) {
	var console bytes.Buffer
	logger, err := logbridge.New(nil, logbridge.WithWriter(&console))
	if err != nil {
		t.Fatal(err)
	}
	h := middleware.New(nil, middleware.WithLogger(logger))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logbridge.From(r.Context()).Info("order read")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/orders/7", nil))
	var line map[string]any
	if err := json.Unmarshal(console.Bytes(), &line); err != nil || line["msg"] != "order read" {
		t.Errorf("console %q (%v): want the handler's line", console.String(), err)
	}
}
