package telemetry_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// Names in otelhttp v0.72 (semantic conventions v1.x HTTP client).
const (
	otelhttpDurationName = "http.client.request.duration"
	otelhttpClientSpan   = "HTTP GET"
)

// headerLog keeps the headers of the requests a test server received.
type headerLog struct {
	mu      sync.Mutex
	headers []http.Header
}

func (l *headerLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.headers = append(l.headers, r.Header.Clone())
	l.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (l *headerLog) all() []http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]http.Header(nil), l.headers...)
}

// get sends a GET through client and reads and closes the response: the
// otelhttp client span ends when its body is closed.
func get(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Body.Close()
}

// TestInteropWithOpenTelemetryContrib checks that with the globals
// installed (Init's default), code instrumented with plain OpenTelemetry
// (here contrib's otelhttp client transport, which uses the globals) joins
// our traces and its telemetry carries environment, project and service.
//
//	test -> upstream (a server span of ours) -> otelhttp transport -> downstream
func TestInteropWithOpenTelemetryContrib(t *testing.T) {
	telemetrytest.SaveGlobals(t) // first: the kit's shutdown runs before the globals come back
	handled := &testutil.ErrorLog{}
	kit := telemetrytest.New(t,
		telemetry.WithService("api-gateway"),
		telemetry.WithEnvironment(telemetry.Staging),
		telemetry.WithProject("interop"),
		telemetry.WithGlobals(true),
		telemetry.WithErrorHandler(handled.Handle),
	)
	tel := kit.Telemetry
	mandatory := []attribute.KeyValue{
		attribute.String("environment", "staging"),
		attribute.String("project", "interop"),
		attribute.String("service", "api-gateway"),
	}

	downstream := &headerLog{}
	down := httptest.NewServer(downstream)
	defer down.Close()

	// The client a service would build: otelhttp with no options, so the
	// global propagator and meter provider, and the tracer provider of the
	// span in the request's context (else the global one).
	base := http.DefaultTransport.(*http.Transport).Clone()
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: otelhttp.NewTransport(base)}

	// upstream starts a server span on the Telemetry's tracer provider, as
	// our middleware does, and calls downstream inside it.
	serverSpans := make(chan trace.SpanContext, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := tel.Propagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tel.TracerProvider().Tracer("interop-test").Start(ctx, "GET /checkout", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		serverSpans <- span.SpanContext()
		code, err := get(ctx, client, down.URL+"/stock")
		if err != nil {
			span.RecordError(err)
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(code)
	}))
	defer up.Close()
	plain := up.Client() // the test's own client, not instrumented
	defer plain.CloseIdleConnections()

	// The server span has ended when the response arrives: net/http
	// finishes the response after the handler (and its deferred End)
	// returned.
	if code, err := get(context.Background(), plain, up.URL+"/checkout"); err != nil || code != http.StatusNoContent {
		t.Fatalf("GET upstream: %d, %v; want 204 from downstream", code, err)
	}

	serverSpan := <-serverSpans
	spans := kit.Spans()
	server := findSpan(t, spans, "GET /checkout", trace.SpanKindServer)
	clientSpan := findSpan(t, spans, otelhttpClientSpan, trace.SpanKindClient)

	t.Run("traceparent reaches downstream", func(t *testing.T) {
		hs := downstream.all()
		if len(hs) != 1 {
			t.Fatalf("downstream got %d requests, want 1", len(hs))
		}
		if hs[0].Get("traceparent") == "" {
			t.Fatalf("downstream got no traceparent; headers %v", hs[0])
		}
		sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(hs[0])))
		if sc.TraceID() != serverSpan.TraceID() {
			t.Errorf("traceparent trace id %s, want ours %s", sc.TraceID(), serverSpan.TraceID())
		}
		if sc.SpanID() != clientSpan.SpanContext.SpanID() {
			t.Errorf("traceparent parent id %s, want the otelhttp client span %s", sc.SpanID(), clientSpan.SpanContext.SpanID())
		}
	})

	t.Run("otelhttp span is a child of ours", func(t *testing.T) {
		if server.SpanContext.SpanID() != serverSpan.SpanID() {
			t.Fatalf("exported server span %s, want %s", server.SpanContext.SpanID(), serverSpan.SpanID())
		}
		if clientSpan.SpanContext.TraceID() != server.SpanContext.TraceID() {
			t.Errorf("client span trace %s, want %s", clientSpan.SpanContext.TraceID(), server.SpanContext.TraceID())
		}
		if clientSpan.Parent.SpanID() != server.SpanContext.SpanID() {
			t.Errorf("client span parent %s, want the server span %s", clientSpan.Parent.SpanID(), server.SpanContext.SpanID())
		}
		if got := clientSpan.InstrumentationScope.Name; got != otelhttp.ScopeName {
			t.Errorf("client span scope %q, want %q", got, otelhttp.ScopeName)
		}
		// Same resource as our spans: service.name and the environment.
		if !hasAttr(clientSpan.Resource.Attributes(), attribute.String("service.name", "api-gateway")) ||
			!hasAttr(clientSpan.Resource.Attributes(), attribute.String("deployment.environment.name", "staging")) {
			t.Errorf("client span resource %v lacks service.name or deployment.environment.name", clientSpan.Resource.Attributes())
		}
	})

	t.Run("otelhttp metric carries the labels", func(t *testing.T) {
		scope := ""
		for _, sm := range kit.Metrics().ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name == otelhttpDurationName {
					scope = sm.Scope.Name
				}
			}
		}
		if scope != otelhttp.ScopeName {
			t.Fatalf("%s not exported under scope %s (got scope %q)", otelhttpDurationName, otelhttp.ScopeName, scope)
		}
		// One request observed (a histogram's value is its count), with
		// the three labels beside otelhttp's own attributes.
		attrs := append(mandatory[:len(mandatory):len(mandatory)],
			attribute.String("http.request.method", "GET"), attribute.Int("http.response.status_code", 204))
		if n, err := kit.Value(otelhttpDurationName, attrs...); err != nil || n != 1 {
			t.Errorf("%s with the three labels: %v, %v; want one observation", otelhttpDurationName, n, err)
		}
	})

	t.Run("no parent span: the global tracer provider", func(t *testing.T) {
		kit.Reset()
		if code, err := get(context.Background(), client, down.URL+"/health"); err != nil || code != http.StatusNoContent {
			t.Fatalf("GET downstream: %d, %v", code, err)
		}
		root := findSpan(t, kit.Spans(), otelhttpClientSpan, trace.SpanKindClient)
		if root.Parent.IsValid() {
			t.Errorf("client span without a parent span has parent %s", root.Parent.SpanID())
		}
		hs := downstream.all()
		sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(hs[len(hs)-1])))
		if sc.TraceID() != root.SpanContext.TraceID() {
			t.Errorf("traceparent trace %s, want the client span's %s", sc.TraceID(), root.SpanContext.TraceID())
		}
		if n, ok := kit.Sum(otelhttpDurationName, mandatory...); !ok || n != 2 {
			t.Errorf("%s observations with the three labels = %v, %v; want 2", otelhttpDurationName, n, ok)
		}
	})

	t.Run("a library's own instruments and logs on the globals", func(t *testing.T) {
		ctx := context.Background()
		// What any contrib-style library does: take its meter and logger
		// from the globals.
		calls, err := otel.GetMeterProvider().Meter("example.com/contrib-lib").Int64Counter("lib.calls")
		if err != nil {
			t.Fatal(err)
		}
		calls.Add(ctx, 3)
		if n, err := kit.Value("lib.calls", mandatory...); err != nil || n != 3 {
			t.Errorf("lib.calls with the three labels: %v, %v; want 3", n, err)
		}

		kit.Reset()
		var rec otellog.Record
		rec.SetBody(attribute.StringValue("from a library"))
		otel.GetLoggerProvider().Logger("example.com/contrib-lib").Emit(ctx, rec)
		logs := kit.Logs()
		if len(logs) != 1 || logs[0].Body().AsString() != "from a library" {
			t.Fatalf("logs on the global logger provider: %d records, want 1", len(logs))
		}
		for _, kv := range mandatory {
			var got string
			logs[0].WalkAttributes(func(a attribute.KeyValue) bool {
				if a.Key == kv.Key {
					got = a.Value.AsString()
				}
				return true
			})
			if got != kv.Value.AsString() {
				t.Errorf("log record %s = %q, want %q", kv.Key, got, kv.Value.AsString())
			}
		}

		// And the global error handler is the Telemetry's.
		boom := errors.New("contrib-lib: cannot export")
		otel.Handle(boom)
		if all := handled.All(); len(all) != 1 || !errors.Is(all[0], boom) {
			t.Errorf("otel.Handle reached the Telemetry's handler with %v; want [%v]", all, boom)
		}
	})
}

func findSpan(t *testing.T, spans tracetest.SpanStubs, name string, kind trace.SpanKind) tracetest.SpanStub {
	t.Helper()
	var found []tracetest.SpanStub
	for _, s := range spans {
		if s.Name == name && s.SpanKind == kind {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		names := make([]string, len(spans))
		for i, s := range spans {
			names[i] = s.Name + " (" + s.SpanKind.String() + ")"
		}
		t.Fatalf("%d %s spans named %q, want 1; spans: %v", len(found), kind, name, names)
	}
	return found[0]
}

func hasAttr(kvs []attribute.KeyValue, want attribute.KeyValue) bool {
	for _, kv := range kvs {
		if kv == want {
			return true
		}
	}
	return false
}
