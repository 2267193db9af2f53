package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// globalErrors routes otel.Handle to a fresh ErrorLog until the test ends.
// Tests that use it must not run in parallel.
func globalErrors(t *testing.T) *testutil.ErrorLog {
	t.Helper()
	prev := otel.GetErrorHandler()
	l := &testutil.ErrorLog{}
	otel.SetErrorHandler(l)
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	return l
}

func TestServeMuxRoutes(t *testing.T) {
	errs := &testutil.ErrorLog{}
	kit := telemetrytest.New(t, telemetry.WithErrorHandler(errs.Handle))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("example.com/hosted/{x}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/files/", func(http.ResponseWriter, *http.Request) {})
	h := middleware.New(kit.Telemetry)(mux)
	for _, c := range []struct{ method, target string }{
		{"GET", "/users/1"},
		{"GET", "/hosted/a"},
		{"GET", "/files/a/b.txt"},
		{"GET", "/nope"},         // 404 from the mux
		{"POST", "/users/1"},     // 405 from the mux
		{"GET", "/x/../nothing"}, // the mux's redirect to a cleaned path it cannot serve either
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.target, nil))
	}
	for _, c := range []struct{ method, endpoint, status string }{
		{"GET", "/users/{id}", "200"}, {"GET", "/hosted/{x}", "200"}, {"GET", "/files/", "200"},
		{"GET", metrics.HTTPUnmatched, "404"}, {"POST", metrics.HTTPUnmatched, "405"},
		{"GET", metrics.HTTPUnmatched, "307"},
	} {
		if got := requests(t, kit, c.method, c.endpoint, c.status); got != 1 {
			t.Errorf("%s %s %s = %v, want 1", c.method, c.endpoint, c.status, got)
		}
	}
	if n := errs.Count(middleware.ErrNoRoute); n != 0 {
		t.Errorf("%d no-route warnings for a ServeMux", n)
	}
}

// TestUnmatchedAndNoRoute: a handler that is not a router gets
// "unmatched" for its 404 and 405 and "no_route" for anything else, with
// one warning per middleware.
func TestUnmatchedAndNoRoute(t *testing.T) {
	errs := &testutil.ErrorLog{}
	kit := telemetrytest.New(t, telemetry.WithErrorHandler(errs.Handle))
	h := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/404":
			http.NotFound(w, r)
		case "/405":
			w.WriteHeader(http.StatusMethodNotAllowed)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	for _, p := range []string{"/404", "/405", "/200", "/200", "/500"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	for _, c := range []struct {
		endpoint, status string
		want             float64
	}{
		{metrics.HTTPUnmatched, "404", 1}, {metrics.HTTPUnmatched, "405", 1},
		{metrics.HTTPNoRoute, "200", 2}, {metrics.HTTPNoRoute, "500", 1},
	} {
		if got := requests(t, kit, "GET", c.endpoint, c.status); got != c.want {
			t.Errorf("endpoint %s status %s = %v, want %v", c.endpoint, c.status, got, c.want)
		}
	}
	if n := errs.Count(middleware.ErrNoRoute); n != 1 {
		t.Errorf("%d no-route warnings through the Telemetry's handler, want 1", n)
	}
	for _, s := range kit.Spans() {
		if s.Name != "GET" {
			t.Errorf("span name %q, want the method alone", s.Name)
		}
		if _, ok := attr(s, "http.route"); ok {
			t.Errorf("span %q has http.route without a route", s.Name)
		}
	}
}

// TestRouteFuncUnmatched: a route function that returns Unmatched says the
// router matched nothing and answered itself: "unmatched" whatever the
// status, no fallback to the Pattern the router left (a mount point's, as
// chi does), no http.route, no warning. SetRoute(r, Unmatched) is the
// same, and "" still falls back to the Pattern.
func TestRouteFuncUnmatched(t *testing.T) {
	errs := &testutil.ErrorLog{}
	kit := telemetrytest.New(t, telemetry.WithErrorHandler(errs.Handle))
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = "/api/*" // what chi leaves for a mounted router's 404
		switch r.URL.Path {
		case "/api/nope":
			http.NotFound(w, r)
		case "/api/../x":
			http.Redirect(w, r, "/x", http.StatusMovedPermanently)
		case "/set":
			middleware.SetRoute(r, middleware.Unmatched)
			w.WriteHeader(http.StatusFound)
		}
	})
	h := middleware.Handler(kit.Telemetry, router, middleware.WithRouteFunc(func(r *http.Request) string {
		if r.URL.Path == "/api/ok" {
			return "" // not known here: the Pattern
		}
		return middleware.Unmatched
	}))
	for _, p := range []string{"/api/nope", "/api/../x", "/set", "/api/ok"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	for _, c := range []struct{ endpoint, status string }{
		{metrics.HTTPUnmatched, "404"}, {metrics.HTTPUnmatched, "301"}, {metrics.HTTPUnmatched, "302"},
		{"/api/*", "200"},
	} {
		if got := requests(t, kit, "GET", c.endpoint, c.status); got != 1 {
			t.Errorf("endpoint %s status %s = %v, want 1", c.endpoint, c.status, got)
		}
	}
	if n := errs.Count(middleware.ErrNoRoute); n != 0 {
		t.Errorf("%d no-route warnings, want none", n)
	}
	for _, s := range kit.Spans() {
		route, ok := attr(s, "http.route")
		switch {
		case s.Name == "GET /api/*" && ok && route.AsString() == "/api/*":
		case s.Name == "GET" && !ok:
		default:
			t.Errorf("span %q with http.route %q (%v)", s.Name, route.AsString(), ok)
		}
	}
}

// TestNoRouteWarnsOncePerMiddleware counts the warnings exactly, through
// otel.Handle (no Telemetry: the middleware runs on the kit's providers),
// which is not rate-limited.
func TestNoRouteWarnsOncePerMiddleware(t *testing.T) {
	errs := globalErrors(t)
	kit := telemetrytest.New(t)
	opts := []middleware.Option{
		middleware.WithTracerProvider(kit.Telemetry.TracerProvider()),
		middleware.WithMeterProvider(kit.Telemetry.MeterProvider()),
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	newMW := middleware.New(nil, opts...)
	a, b := newMW(ok), newMW(ok) // one New: one warning for both
	c := middleware.Handler(nil, ok, opts...)
	for range 5 {
		for _, h := range []http.Handler{a, b, c} {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		}
	}
	if n := errs.Count(middleware.ErrNoRoute); n != 2 {
		t.Errorf("%d no-route warnings, want 2 (one per New)", n)
	}
	if got := requests(t, kit, "GET", metrics.HTTPNoRoute, "200"); got != 15 {
		t.Errorf("no_route = %v, want 15", got)
	}
}

func TestStripPrefixRoutes(t *testing.T) {
	errs := &testutil.ErrorLog{}
	kit := telemetrytest.New(t, telemetry.WithErrorHandler(errs.Handle))
	v1 := http.NewServeMux()
	v1.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	})
	api := http.NewServeMux()
	api.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path+" "+r.PathValue("id"))
	})
	api.Handle("/v1/", middleware.StripPrefix("/v1", v1))
	legacy := http.NewServeMux()
	legacy.HandleFunc("GET /things/{id}", func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("/api/", middleware.StripPrefix("/api", api))
	mux.Handle("/legacy/", http.StripPrefix("/legacy", legacy))
	h := middleware.New(kit.Telemetry)(mux)

	bodies := map[string]string{}
	for _, target := range []string{
		"/api/users/7", "/api/users/8", "/api/v1/items/3", "/api/nope", "/api/v1/nope",
		"/legacy/things/1", "/legacy/nope",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		bodies[target] = rec.Body.String()
	}
	if bodies["/api/users/7"] != "/users/7 7" || bodies["/api/v1/items/3"] != "/items/3" {
		t.Errorf("inner handlers saw %q and %q, want stripped paths", bodies["/api/users/7"], bodies["/api/v1/items/3"])
	}
	for _, c := range []struct {
		endpoint, status string
		want             float64
	}{
		{"/api/users/{id}", "200", 2},
		{"/api/v1/items/{id}", "200", 1},
		{metrics.HTTPUnmatched, "404", 2}, // the inner muxes' 404s
		// http.StripPrefix hides the inner mux: the outer pattern, 404s included.
		{"/legacy/", "200", 1},
		{"/legacy/", "404", 1},
	} {
		if got := requests(t, kit, "GET", c.endpoint, c.status); got != c.want {
			t.Errorf("endpoint %s status %s = %v, want %v", c.endpoint, c.status, got, c.want)
		}
	}
	names := spanNames(kit.Spans())
	if !slices.Contains(names, "GET /api/users/{id}") || !slices.Contains(names, "GET /api/v1/items/{id}") {
		t.Errorf("span names %q", names)
	}
	if n := errs.Count(middleware.ErrNoRoute); n != 0 {
		t.Errorf("%d no-route warnings", n)
	}
}

// TestStripPrefixWithoutMiddleware: on its own, StripPrefix is
// http.StripPrefix.
func TestStripPrefixWithoutMiddleware(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path+"|"+r.URL.RawPath)
	})
	for _, target := range []string{"/api/a", "/api/a%2Fb", "/api", "/other", "/ap%69/x", "/api/"} {
		for _, prefix := range []string{"/api", "/api/", ""} {
			ours, std := httptest.NewRecorder(), httptest.NewRecorder()
			middleware.StripPrefix(prefix, echo).ServeHTTP(ours, httptest.NewRequest("GET", target, nil))
			http.StripPrefix(prefix, echo).ServeHTTP(std, httptest.NewRequest("GET", target, nil))
			if ours.Code != std.Code || ours.Body.String() != std.Body.String() {
				t.Errorf("StripPrefix(%q) on %s: %d %q, http.StripPrefix %d %q",
					prefix, target, ours.Code, ours.Body.String(), std.Code, std.Body.String())
			}
		}
	}
}

// TestDoubleWrapRecordsOnce: a request through two middlewares of the
// package is one span and one count, and the inner one's route sources
// still count.
func TestDoubleWrapRecordsOnce(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /set/", func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/set/{name}")
	})
	copying := func(h http.Handler) http.Handler { // hides r.Pattern from what is outside it
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(r.Context()))
		})
	}
	tel := kit.Telemetry
	single := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	stacks := map[string]http.Handler{
		"nested New":                    middleware.New(tel)(middleware.New(tel)(mux)),
		"Handler twice":                 middleware.Handler(tel, middleware.Handler(tel, mux)),
		"copying wrapper in between":    middleware.New(tel)(copying(middleware.New(tel)(mux))),
		"inner WithRouteFunc":           middleware.New(tel)(middleware.Handler(tel, single, middleware.WithRouteFunc(func(*http.Request) string { return "/inner" }))),
		"inner ServeMux's own redirect": middleware.New(tel)(copying(middleware.New(tel)(mux))),
	}
	targets := map[string]string{
		"nested New": "/users/1", "Handler twice": "/set/x", "copying wrapper in between": "/users/2",
		"inner WithRouteFunc": "/anything", "inner ServeMux's own redirect": "/x/../nothing",
	}
	for name, h := range stacks {
		kit.Reset()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", targets[name], nil))
		if spans := kit.Spans(); len(spans) != 1 {
			t.Errorf("%s: %d spans %q, want 1", name, len(spans), spanNames(spans))
		}
	}
	for _, c := range []struct{ endpoint, status string }{
		{"/users/{id}", "200"}, {"/set/{name}", "200"}, {"/inner", "200"}, {metrics.HTTPUnmatched, "307"},
	} {
		want := 1.0
		if c.endpoint == "/users/{id}" {
			want = 2
		}
		if got := requests(t, kit, "GET", c.endpoint, c.status); got != want {
			t.Errorf("endpoint %s = %v, want %v", c.endpoint, got, want)
		}
	}
	if got, _ := kit.Sum(metrics.HTTPRequestsName); got != 5 {
		t.Errorf("http_requests_total = %v in all, want 5 (one per request)", got)
	}
}

// TestInnerLoggerWhenDoubleWrapped: the inner middleware's WithLogger
// still reaches the handler.
func TestInnerLoggerWhenDoubleWrapped(t *testing.T) {
	kit := telemetrytest.New(t)
	var console strings.Builder
	logger, err := logbridge.New(kit.Telemetry, logbridge.WithWriter(&console))
	if err != nil {
		t.Fatal(err)
	}
	h := middleware.New(kit.Telemetry)(middleware.New(kit.Telemetry, middleware.WithLogger(logger))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			middleware.SetRoute(r, "/log")
			logbridge.From(r.Context()).Info("inside")
		})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/log", nil))
	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	if !strings.Contains(console.String(), spans[0].SpanContext.TraceID().String()) {
		t.Errorf("console %q lacks the trace id %s", console.String(), spans[0].SpanContext.TraceID())
	}
	if got := requests(t, kit, "GET", "/log", "200"); got != 1 {
		t.Errorf("GET /log = %v, want 1", got)
	}
}
