package middleware_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/httpmetrics"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func labels(method, endpoint, status string) []attribute.KeyValue {
	return []attribute.KeyValue{
		metrics.HTTPMethodKey.String(method),
		metrics.HTTPEndpointKey.String(endpoint),
		metrics.HTTPStatusCodeKey.String(status),
	}
}

// requests returns the value of http_requests_total for the labels.
func requests(t *testing.T, kit *telemetrytest.Kit, method, endpoint, status string) float64 {
	t.Helper()
	v, _ := kit.Sum(metrics.HTTPRequestsName, labels(method, endpoint, status)...)
	return v
}

func errorsOf(kit *telemetrytest.Kit, et httpmetrics.ErrorType) float64 {
	v, _ := kit.Sum(metrics.HTTPErrorsName, metrics.HTTPErrorTypeKey.String(et.String()))
	return v
}

// durationCount returns the number of observations of the duration
// histogram for method and endpoint.
func durationCount(t *testing.T, kit *telemetrytest.Kit, method, endpoint string) uint64 {
	t.Helper()
	m, ok := kit.Metric(metrics.HTTPRequestDurationName)
	if !ok {
		return 0
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is %T, want a float64 histogram", metrics.HTTPRequestDurationName, m.Data)
	}
	for _, dp := range h.DataPoints {
		mv, _ := dp.Attributes.Value(metrics.HTTPMethodKey)
		ev, _ := dp.Attributes.Value(metrics.HTTPEndpointKey)
		if mv.AsString() == method && ev.AsString() == endpoint {
			if _, has := dp.Attributes.Value(metrics.HTTPStatusCodeKey); has {
				t.Errorf("duration point has a status_code label: %v", dp.Attributes)
			}
			return dp.Count
		}
	}
	return 0
}

func onlySpan(t *testing.T, kit *telemetrytest.Kit) tracetest.SpanStub {
	t.Helper()
	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1: %v", len(spans), spanNames(spans))
	}
	return spans[0]
}

func spanNames(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func attr(s tracetest.SpanStub, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// serve runs h behind the middleware on a ResponseRecorder.
func serve(kit *telemetrytest.Kit, h http.Handler, method, target string, opts ...middleware.Option) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	middleware.Handler(kit.Telemetry, h, opts...).ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestStatusCapture(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  string
		errType *httpmetrics.ErrorType
	}{
		{"nothing written", func(http.ResponseWriter, *http.Request) {}, "200", nil},
		{"write without WriteHeader", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hi") }, "200", nil},
		{"explicit 201", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }, "201", nil},
		{"second WriteHeader ignored", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			w.WriteHeader(http.StatusInternalServerError)
		}, "202", nil},
		{"103 early hints then 204", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
		}, "204", nil},
		{"Flush first", func(w http.ResponseWriter, _ *http.Request) {
			w.(http.Flusher).Flush()
			w.WriteHeader(http.StatusTeapot) // too late: 200 was sent
		}, "200", nil},
		{"ResponseController Flush", func(w http.ResponseWriter, _ *http.Request) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				panic(err)
			}
		}, "200", nil},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "404", ptr(httpmetrics.ClientError)},
		{"500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }, "500", ptr(httpmetrics.ServerError)},
		{"504", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(504) }, "504", ptr(httpmetrics.Timeout)},
		{"status out of range", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(999) }, metrics.HTTPOther, nil},
		{"handler recovers its own panic and writes 503", func(w http.ResponseWriter, _ *http.Request) {
			defer func() {
				if recover() != nil {
					w.WriteHeader(http.StatusServiceUnavailable)
				}
			}()
			panic("inner")
		}, "503", ptr(httpmetrics.ServerError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			serve(kit, tt.handler, http.MethodGet, "/x", middleware.WithRouteFunc(func(*http.Request) string { return "/x" }))
			if got := requests(t, kit, "GET", "/x", tt.status); got != 1 {
				t.Errorf("http_requests_total{status_code=%q} = %v, want 1", tt.status, got)
			}
			if got := durationCount(t, kit, "GET", "/x"); got != 1 {
				t.Errorf("duration count = %d, want 1", got)
			}
			for et := httpmetrics.ClientError; et <= httpmetrics.Panic; et++ {
				want := 0.0
				if tt.errType != nil && *tt.errType == et {
					want = 1
				}
				if got := errorsOf(kit, et); got != want {
					t.Errorf("http_errors_total{error_type=%q} = %v, want %v", et, got, want)
				}
			}
			s := onlySpan(t, kit)
			if s.Name != "GET /x" || s.SpanKind != trace.SpanKindServer {
				t.Errorf("span = %q kind %v, want \"GET /x\" server", s.Name, s.SpanKind)
			}
			wantErr := tt.status[0] == '5'
			if (s.Status.Code == codes.Error) != wantErr {
				t.Errorf("span status = %v, want error %v", s.Status.Code, wantErr)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestStatusCaptureRealServer covers what only net/http's own writer
// offers: Hijack and ReadFrom, and that the wrapper keeps exactly the
// optional interfaces of the server's writer.
func TestStatusCaptureRealServer(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hijack", func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer func() { _ = conn.Close() }()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
		_ = buf.Flush()
	})
	mux.HandleFunc("GET /readfrom", func(w http.ResponseWriter, _ *http.Request) {
		if _, err := w.(io.ReaderFrom).ReadFrom(strings.NewReader("streamed body")); err != nil {
			t.Error(err)
		}
	})
	mux.HandleFunc("GET /controller", func(w http.ResponseWriter, _ *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through Unwrap: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
		if err := rc.Flush(); err != nil {
			t.Error(err)
		}
	})
	mux.HandleFunc("GET /interfaces", func(w http.ResponseWriter, _ *http.Request) {
		_, f := w.(http.Flusher)
		_, h := w.(http.Hijacker)
		_, rf := w.(io.ReaderFrom)
		if !f || !h || !rf {
			t.Errorf("wrapper lost interfaces: Flusher %v Hijacker %v ReaderFrom %v", f, h, rf)
		}
	})
	srv := httptest.NewServer(middleware.New(kit.Telemetry)(mux))
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	for _, path := range []string{"/readfrom", "/controller", "/interfaces"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}

	// A hijacked connection: speak raw HTTP.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(conn).ReadString('\n')
	_ = conn.Close()
	if err != nil || !strings.Contains(line, "101") {
		t.Fatalf("hijacked response %q, %v", line, err)
	}

	waitFor(t, func() bool { return len(kit.Spans()) == 4 })
	for _, c := range []struct{ path, status string }{
		{"/hijack", "101"}, {"/readfrom", "200"}, {"/controller", "202"}, {"/interfaces", "200"},
	} {
		if got := requests(t, kit, "GET", c.path, c.status); got != 1 {
			t.Errorf("%s: http_requests_total{status_code=%q} = %v, want 1", c.path, c.status, got)
		}
	}
}

func TestRecorderKeepsOnlyItsInterfaces(t *testing.T) {
	kit := telemetrytest.New(t)
	serve(kit, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("lost http.Flusher")
		}
		if _, ok := w.(http.Hijacker); ok {
			t.Error("gained http.Hijacker that the recorder does not have")
		}
		if _, ok := w.(io.ReaderFrom); ok {
			t.Error("gained io.ReaderFrom that the recorder does not have")
		}
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() == nil {
			t.Error("no Unwrap for http.ResponseController")
		}
	}), "GET", "/")
}

func TestPanicIsRecordedAndRepanicked(t *testing.T) {
	kit := telemetrytest.New(t)
	type boom struct{ msg string }
	want := &boom{"kaput"}
	h := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "partial") // a write before the panic: 200 was sent
		panic(want)
	}), middleware.WithRouteFunc(func(*http.Request) string { return "/boom" }))

	func() {
		defer func() {
			if got := recover(); got != want {
				t.Errorf("recovered %v, want the handler's own panic value", got)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/boom", nil))
		t.Error("ServeHTTP returned normally")
	}()

	if got := requests(t, kit, "POST", "/boom", "500"); got != 1 {
		t.Errorf("http_requests_total{status_code=500} = %v, want 1", got)
	}
	if got := errorsOf(kit, httpmetrics.Panic); got != 1 {
		t.Errorf("http_errors_total{panic} = %v, want 1", got)
	}
	if got := errorsOf(kit, httpmetrics.ServerError); got != 0 {
		t.Errorf("http_errors_total{server_error} = %v, want 0 (counted once, as panic)", got)
	}
	s := onlySpan(t, kit)
	if s.Status.Code != codes.Error || !strings.Contains(s.Status.Description, "kaput") {
		t.Errorf("span status = %+v, want Error mentioning the panic", s.Status)
	}
	if len(s.Events) != 1 || s.Events[0].Name != "exception" {
		t.Errorf("span events = %+v, want one exception", s.Events)
	}
	if v, _ := attr(s, "error.type"); v.AsString() != "panic" {
		t.Errorf("error.type = %q, want panic", v.AsString())
	}
}

// TestPanicThroughRealServer checks that net/http still sees the panic:
// the connection is closed without a response, as without middleware.
func TestPanicThroughRealServer(t *testing.T) {
	kit := telemetrytest.New(t)
	srv := httptest.NewUnstartedServer(middleware.Handler(kit.Telemetry, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler) // net/http's silent abort
	})))
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	if resp, err := client.Get(srv.URL); err == nil {
		_ = resp.Body.Close()
		t.Fatalf("got a response %s, want the connection aborted", resp.Status)
	}
	waitFor(t, func() bool { return errorsOf(kit, httpmetrics.Panic) == 1 })
}

func TestUnmatchedRoute(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(http.ResponseWriter, *http.Request) {})
	h := middleware.New(kit.Telemetry)(mux)
	for _, target := range []string{"/users/1", "/users/2", "/nothing/here", "/users"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	// A method the route does not allow: 405 from the mux, no pattern.
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/users/1", nil))

	if got := requests(t, kit, "GET", "/users/{id}", "200"); got != 2 {
		t.Errorf("GET /users/{id} 200 = %v, want 2", got)
	}
	if got := requests(t, kit, "GET", metrics.HTTPUnmatched, "404"); got != 2 {
		t.Errorf("GET unmatched 404 = %v, want 2", got)
	}
	if got := requests(t, kit, "DELETE", metrics.HTTPUnmatched, "405"); got != 1 {
		t.Errorf("DELETE unmatched 405 = %v, want 1", got)
	}
	names := spanNames(kit.Spans())
	want := []string{"GET /users/{id}", "GET /users/{id}", "GET", "GET", "DELETE"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("span names = %q, want %q", names, want)
	}
}

func TestExcludedPaths(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if trace.SpanFromContext(r.Context()).SpanContext().IsValid() {
			t.Error("excluded request has a span")
		}
	})
	mux.HandleFunc("/metrics", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/work", func(http.ResponseWriter, *http.Request) {})
	h := middleware.New(kit.Telemetry,
		middleware.ExcludePaths("/healthz", "/metrics"),
		middleware.WithFilter(func(r *http.Request) bool { return r.Header.Get("X-Skip") == "" }),
	)(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/metrics", nil))
	skip := httptest.NewRequest("GET", "/work", nil)
	skip.Header.Set("X-Skip", "1")
	h.ServeHTTP(httptest.NewRecorder(), skip)

	if spans := kit.Spans(); len(spans) != 0 {
		t.Errorf("excluded requests made spans: %v", spanNames(spans))
	}
	if _, ok := kit.Metric(metrics.HTTPRequestsName); ok {
		t.Error("excluded requests were counted")
	}

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/work", nil))
	if got := requests(t, kit, "GET", "/work", "200"); got != 1 {
		t.Errorf("GET /work = %v, want 1", got)
	}
}

func TestMethodNormalisation(t *testing.T) {
	kit := telemetrytest.New(t)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	route := middleware.WithRouteFunc(func(*http.Request) string { return "/r" })
	for _, m := range []string{"GET", "PATCH", "get", "FOO", "PROPFIND"} {
		serve(kit, h, m, "/r", route)
	}
	if got := requests(t, kit, "GET", "/r", "200"); got != 1 {
		t.Errorf("GET = %v, want 1", got)
	}
	if got := requests(t, kit, "PATCH", "/r", "200"); got != 1 {
		t.Errorf("PATCH = %v, want 1", got)
	}
	if got := requests(t, kit, metrics.HTTPOther, "/r", "200"); got != 3 {
		t.Errorf("_OTHER = %v, want 3", got)
	}
	spans := kit.Spans()
	if spans[2].Name != "HTTP /r" {
		t.Errorf("span name for method get = %q, want \"HTTP /r\"", spans[2].Name)
	}
	if v, _ := attr(spans[3], "http.request.method_original"); v.AsString() != "FOO" {
		t.Errorf("http.request.method_original = %q, want FOO", v.AsString())
	}
}

// TestNoUserInputInLabelsOrSpanNames sends a path with an id, a query with
// a secret and a made-up Host, and checks that none of them reaches a
// label value or a span name.
func TestNoUserInputInLabelsOrSpanNames(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(http.ResponseWriter, *http.Request) {})
	h := middleware.New(kit.Telemetry)(mux)
	for _, target := range []string{
		"http://evil.example/users/12345?token=s3cr3t",
		"http://evil.example/no/such/98765?token=s3cr3t",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	}
	forbidden := []string{"12345", "98765", "s3cr3t", "token", "evil"}
	check := func(where, s string) {
		for _, f := range forbidden {
			if strings.Contains(s, f) {
				t.Errorf("%s %q contains %q", where, s, f)
			}
		}
	}
	for _, s := range kit.Spans() {
		check("span name", s.Name)
	}
	rm := kit.Metrics()
	n := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, set := range testutil.PointSets(m.Data) {
				for _, kv := range set.ToSlice() {
					n++
					check("label "+string(kv.Key), kv.Value.String())
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no labels recorded")
	}
	if got := requests(t, kit, "GET", "/users/{id}", "200"); got != 1 {
		t.Errorf("GET /users/{id} = %v, want 1", got)
	}
}

func TestRouteSources(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/", func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/files/{path...}") // the handler knows better
	})
	mux.HandleFunc("GET /plain", func(http.ResponseWriter, *http.Request) {})
	h := middleware.New(kit.Telemetry, middleware.WithRouteFunc(func(r *http.Request) string {
		if r.URL.Path == "/plain" {
			return "" // unknown to the router: fall back to r.Pattern
		}
		return "/from-router-func"
	}))(mux)
	for _, p := range []string{"/files/a/b", "/plain", "/nope"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	for _, c := range []struct{ endpoint, status string }{
		{"/files/{path...}", "200"}, {"/plain", "200"}, {"/from-router-func", "404"},
	} {
		if got := requests(t, kit, "GET", c.endpoint, c.status); got != 1 {
			t.Errorf("endpoint %q status %s = %v, want 1", c.endpoint, c.status, got)
		}
	}
	// SetRoute outside the middleware is harmless.
	middleware.SetRoute(httptest.NewRequest("GET", "/", nil), "/x")
}

func TestTimeoutAndCanceled(t *testing.T) {
	kit := telemetrytest.New(t)
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		<-release
		w.WriteHeader(http.StatusOK) // too late: TimeoutHandler already answered
		_, _ = io.WriteString(w, "late")
	})
	route := middleware.WithRouteFunc(func(*http.Request) string { return "/slow" })

	// http.TimeoutHandler outside the middleware: its 503 counts as timeout.
	th := http.TimeoutHandler(middleware.Handler(kit.Telemetry, slow, route), 10*time.Millisecond, "timed out")
	rec := httptest.NewRecorder()
	th.ServeHTTP(rec, httptest.NewRequest("GET", "/slow", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("TimeoutHandler answered %d", rec.Code)
	}
	close(release)
	waitFor(t, func() bool { return errorsOf(kit, httpmetrics.Timeout) == 1 })
	if got := requests(t, kit, "GET", "/slow", "503"); got != 1 {
		t.Errorf("timeout: http_requests_total{503} = %v, want 1", got)
	}

	// A request context past its deadline.
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	serveCtx(kit, ctx, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), route)
	if got := errorsOf(kit, httpmetrics.Timeout); got != 2 {
		t.Errorf("deadline: http_errors_total{timeout} = %v, want 2", got)
	}

	// The client went away.
	ctx, cancel = context.WithCancel(context.Background())
	serveCtx(kit, ctx, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		cancel()
		w.WriteHeader(http.StatusOK)
	}), route)
	if got := errorsOf(kit, httpmetrics.Canceled); got != 1 {
		t.Errorf("http_errors_total{canceled} = %v, want 1", got)
	}
	for _, s := range kit.Spans() {
		if ok, _ := attr(s, "error.type"); s.Status.Code == codes.Error && ok.AsString() == "canceled" {
			t.Error("a canceled request made an error span")
		}
	}
}

func serveCtx(kit *telemetrytest.Kit, ctx context.Context, h http.Handler, opts ...middleware.Option) {
	r := httptest.NewRequest("GET", "/slow", nil).WithContext(ctx)
	middleware.Handler(kit.Telemetry, h, opts...).ServeHTTP(httptest.NewRecorder(), r)
}

func TestSpanContinuesIncomingTraceAndAttributes(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	})
	r := httptest.NewRequest("GET", "/users/7?q=1", nil)
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	r.Header.Set("User-Agent", "test-agent/1.0")
	middleware.New(kit.Telemetry)(mux).ServeHTTP(httptest.NewRecorder(), r)

	s := onlySpan(t, kit)
	if got := s.SpanContext.TraceID().String(); got != "0af7651916cd43dd8448eb211c80319c" {
		t.Errorf("trace id = %s, want the incoming one", got)
	}
	if got := s.Parent.SpanID().String(); got != "b7ad6b7169203331" || !s.Parent.IsRemote() {
		t.Errorf("parent = %s (remote %v), want the incoming span", got, s.Parent.IsRemote())
	}
	if s.Status.Code == codes.Error {
		t.Error("a 404 made an error server span")
	}
	for k, want := range map[attribute.Key]string{
		"http.request.method": "GET", "http.route": "/users/{id}", "url.scheme": "http",
		"url.path": "/users/7", "user_agent.original": "test-agent/1.0",
		"url.query": "q=1", "server.address": "example.com", // httptest's Host
	} {
		if v, ok := attr(s, k); !ok || v.AsString() != want {
			t.Errorf("%s = %q, want %q", k, v.AsString(), want)
		}
	}
	if v, _ := attr(s, "http.response.status_code"); v.AsInt64() != 404 {
		t.Errorf("http.response.status_code = %d, want 404", v.AsInt64())
	}
	// url.full is a client attribute.
	if _, ok := attr(s, "url.full"); ok {
		t.Error("server span has url.full")
	}
}

func TestDisabledTelemetryPassesThrough(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/x") // harmless without the middleware
		w.WriteHeader(http.StatusTeapot)
	})
	for _, tel := range []*telemetry.Telemetry{nil, telemetrytest.New(t, telemetry.WithDisabled(true)).Telemetry} {
		rec := httptest.NewRecorder()
		middleware.New(tel)(h).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != http.StatusTeapot {
			t.Errorf("status = %d", rec.Code)
		}
		if rt := middleware.Transport(tel, nil); rt != http.DefaultTransport {
			t.Errorf("Transport(disabled, nil) = %T, want http.DefaultTransport", rt)
		}
	}
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the deadline")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
