// Package routertest holds what the tests of the router integrations
// (instrumentation/chitel and instrumentation/muxtel) share: a table of
// requests checked against http_requests_total and the server span, the
// readers of those, and the handlers and request loops both routers'
// tests serve through.
package routertest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// Case is one request of a routing table and what it must come out as:
// its status, and the route it counts under ("" for none). It is an
// unnamed struct type so that the tables can be written without keys.
type Case = struct {
	Method, Path string
	Status       int
	Route        string // "" for none
}

// CheckRoutes runs each case as a subtest: a fresh kit, a server built by
// build around it, one request through a real client, then the status,
// the one http_requests_total point and the span's name and http.route.
func CheckRoutes(t *testing.T, build func(*telemetrytest.Kit) http.Handler, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Method+" "+c.Path, func(t *testing.T) {
			kit := telemetrytest.New(t)
			srv := httptest.NewServer(build(kit))
			defer srv.Close()

			req, err := http.NewRequest(c.Method, srv.URL+c.Path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != c.Status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.Status)
			}

			endpoint, spanName := c.Route, SpanMethod(c.Method)+" "+c.Route
			if c.Route == "" {
				endpoint, spanName = metrics.HTTPUnmatched, SpanMethod(c.Method)
			}
			WantRequests(t, kit, fmt.Sprintf("%s %s %d=1", (httpconv.Methods{}).Normalize(c.Method), endpoint, c.Status))
			CheckSpan(t, kit, spanName, c.Route)
		})
	}
}

// SpanMethod is the method part of a span name: "HTTP" for a method
// outside the known ones.
func SpanMethod(method string) string {
	if m := (httpconv.Methods{}).Normalize(method); m != metrics.HTTPOther {
		return m
	}
	return "HTTP"
}

// Requests returns the http_requests_total points as sorted
// "method endpoint status=value" entries joined by ", ".
func Requests(tb testing.TB, kit *telemetrytest.Kit) string {
	tb.Helper()
	m, found := kit.Metric(metrics.HTTPRequestsName)
	if !found {
		return ""
	}
	sum, isSum := m.Data.(metricdata.Sum[int64])
	if !isSum {
		tb.Fatalf("%s is a %T, want a metricdata.Sum[int64]", metrics.HTTPRequestsName, m.Data)
	}
	var out []string
	for _, dp := range sum.DataPoints {
		method, _ := dp.Attributes.Value(metrics.HTTPMethodKey)
		endpoint, _ := dp.Attributes.Value(metrics.HTTPEndpointKey)
		status, _ := dp.Attributes.Value(metrics.HTTPStatusCodeKey)
		out = append(out, fmt.Sprintf("%s %s %s=%d",
			method.AsString(), endpoint.AsString(), status.AsString(), dp.Value))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// WantRequests reports an error when Requests is not want.
func WantRequests(tb testing.TB, kit *telemetrytest.Kit, want string) {
	tb.Helper()
	if got := Requests(tb, kit); got != want {
		tb.Errorf("http_requests_total: %s, want %s", got, want)
	}
}

// CheckSpan checks that the kit has one span, named name, whose
// http.route is route (absent when route is "").
func CheckSpan(tb testing.TB, kit *telemetrytest.Kit, name, route string) {
	tb.Helper()
	spans := kit.Spans()
	if len(spans) != 1 {
		tb.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Name != name {
		tb.Errorf("span name %q, want %q", s.Name, name)
	}
	got, hasRoute := "", false
	for _, kv := range s.Attributes {
		if kv.Key == semconv.HTTPRouteKey {
			got, hasRoute = kv.Value.AsString(), true
		}
	}
	switch {
	case route == "" && hasRoute:
		tb.Errorf("span has http.route %q, want none", got)
	case route != "" && got != route:
		tb.Errorf("span http.route %q, want %q", got, route)
	}
}

// Serve sends a request with method to each of paths through h, one
// after another, and drops the answers.
func Serve(h http.Handler, method string, paths ...string) {
	for _, p := range paths {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, p, nil))
	}
}

// ServeEach sends each "METHOD /path" request of reqs through h, one
// after another, and drops the answers.
func ServeEach(h http.Handler, reqs ...string) {
	for _, r := range reqs {
		method, path, _ := strings.Cut(r, " ")
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
	}
}

// ServeConcurrently sends a GET to each of paths, rounds times, all at
// once through h, and returns when every one is answered.
func ServeConcurrently(h http.Handler, rounds int, paths ...string) {
	var wg sync.WaitGroup
	for range rounds {
		for _, p := range paths {
			wg.Go(func() {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
			})
		}
	}
	wg.Wait()
}

// Boom is a handler that panics with "boom".
func Boom(http.ResponseWriter, *http.Request) { panic("boom") }

// CheckPanic sends a GET to path through h and checks that the panic of
// Boom comes out of it unchanged.
func CheckPanic(tb testing.TB, h http.Handler, path string) {
	tb.Helper()
	defer func() {
		if v := recover(); v != "boom" {
			tb.Errorf("recovered %v, want boom", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
}

// MineRoute is a route function (for middleware.WithRouteFunc) that
// names the paths under /users/ "/mine" and leaves the others to the
// router.
func MineRoute(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/users/") {
		return "/mine"
	}
	return ""
}

// RequireAuth is a router middleware that answers 401 to a request
// without an Authorization header, before next.
func RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CheckServesID checks that each handler answers GET /users/7 with 200
// and the body "7" (a route that writes its id parameter).
func CheckServesID(tb testing.TB, handlers ...http.Handler) {
	tb.Helper()
	for _, h := range handlers {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/users/7", nil))
		if w.Code != 200 || w.Body.String() != "7" {
			tb.Errorf("got %d %q, want 200 \"7\"", w.Code, w.Body.String())
		}
	}
}

// CheckNilRouter checks that handler, a router integration's Handler,
// given a nil router returns a handler (it serves http.DefaultServeMux, as
// middleware.New does) rather than nil.
func CheckNilRouter[R any](tb testing.TB, handler func(*telemetry.Telemetry, R, ...middleware.Option) http.Handler) {
	tb.Helper()
	var nilRouter R
	if h := handler(telemetrytest.New(tb).Telemetry, nilRouter); h == nil {
		tb.Error("Handler with a nil router returned nil")
	}
}

// BenchPaths measures a GET to each of paths through the handler build
// returns, as the sub-benchmark name+path.
func BenchPaths(b *testing.B, name string, build func(*telemetrytest.Kit) http.Handler, paths ...string) {
	for _, path := range paths {
		b.Run(name+path, func(b *testing.B) {
			kit := telemetrytest.New(b)
			h := build(kit)
			req := httptest.NewRequest("GET", path, nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}

// Print writes the kit's span names, then its http_requests_total points
// by endpoint and status code, a line each, to w.
func Print(w io.Writer, kit *telemetrytest.Kit) {
	for _, s := range kit.Spans() {
		fmt.Fprintln(w, "span:", s.Name)
	}
	m, _ := kit.Metric(metrics.HTTPRequestsName)
	sum, _ := m.Data.(metricdata.Sum[int64])
	var lines []string
	for _, dp := range sum.DataPoints {
		e, _ := dp.Attributes.Value(metrics.HTTPEndpointKey)
		s, _ := dp.Attributes.Value(metrics.HTTPStatusCodeKey)
		lines = append(lines, fmt.Sprintf("%s{endpoint=%q, status_code=%q} %d",
			metrics.HTTPRequestsName, e.AsString(), s.AsString(), dp.Value))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// ServeClient sends each "METHOD /path" request of reqs through a real
// client to srv, and drops the answers.
func ServeClient(srv *httptest.Server, reqs ...string) {
	for _, r := range reqs {
		method, path, _ := strings.Cut(r, " ")
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			continue
		}
		if resp, err := srv.Client().Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}
}

// Mode is one way of installing a router integration on a router of type
// R: Build installs it, with opts, on a new router that routes adds
// routes to, and returns the server's handler.
type Mode[R any] struct {
	Name  string
	Build func(kit *telemetrytest.Kit, routes func(R), opts ...middleware.Option) http.Handler
}

// EachMode runs f as a subtest named after each mode, with a fresh kit.
func EachMode[R any](t *testing.T, modes []Mode[R], f func(t *testing.T, kit *telemetrytest.Kit, mode Mode[R])) {
	t.Helper()
	for _, mode := range modes {
		t.Run(mode.Name, func(t *testing.T) { f(t, telemetrytest.New(t), mode) })
	}
}

// RunRoutes runs the cases (CheckRoutes) through each mode on the router
// routes builds.
func RunRoutes[R any](t *testing.T, modes []Mode[R], routes func(R), cases []Case) {
	t.Helper()
	for _, mode := range modes {
		t.Run(mode.Name, func(t *testing.T) {
			CheckRoutes(t, func(kit *telemetrytest.Kit) http.Handler { return mode.Build(kit, routes) }, cases)
		})
	}
}

// RunConcurrent sends a GET to each of paths, 20 times, all at once
// through one handler of each mode, and checks that http_requests_total
// is want: a request never brings the route of another.
func RunConcurrent[R any](t *testing.T, modes []Mode[R], routes func(R), paths []string, want string) {
	t.Helper()
	EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode Mode[R]) {
		ServeConcurrently(mode.Build(kit, routes), 20, paths...)
		WantRequests(t, kit, want)
	})
}

// SetNamed is a handler that names its request's route "/named" with
// middleware.SetRoute.
func SetNamed(_ http.ResponseWriter, r *http.Request) { middleware.SetRoute(r, "/named") }

// RunRouteOptions checks that SetRoute wins over the router's route and
// that a WithRouteFunc given by the caller (MineRoute) replaces it, in
// each mode: routes must serve GET /set/{id} with SetNamed and GET
// /users/{id}.
func RunRouteOptions[R any](t *testing.T, modes []Mode[R], routes func(R)) {
	t.Helper()
	EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode Mode[R]) {
		h := mode.Build(kit, routes, middleware.WithRouteFunc(MineRoute))
		Serve(h, "GET", "/set/1", "/users/1")
		WantRequests(t, kit, "GET /mine 200=1, GET /named 200=1")
	})
}

// RunPanic checks, in each mode, that a panicking handler counts as 500
// under its route and that the panic goes on to net/http: routes must
// serve GET /boom/{id} with Boom.
func RunPanic[R any](t *testing.T, modes []Mode[R], routes func(R)) {
	t.Helper()
	EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode Mode[R]) {
		CheckPanic(t, mode.Build(kit, routes), "/boom/1")
		WantRequests(t, kit, "GET /boom/{id} 500=1")
	})
}

// RunNested puts the router, with the middleware in each mode, behind
// another middleware.New and sends reqs ("METHOD /path") through: each
// request is counted once, by the outer one (want), with one span each.
func RunNested[R any](t *testing.T, modes []Mode[R], routes func(R), reqs []string, want string) {
	t.Helper()
	EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode Mode[R]) {
		h := middleware.New(kit.Telemetry)(mode.Build(kit, routes))
		ServeEach(h, reqs...)
		WantRequests(t, kit, want)
		if n := len(kit.Spans()); n != len(reqs) {
			t.Errorf("%d spans, want %d", n, len(reqs))
		}
	})
}

// BenchModes measures a GET to each of paths through each mode on the
// router routes builds.
func BenchModes[R any](b *testing.B, modes []Mode[R], routes func(R), paths ...string) {
	for _, mode := range modes {
		BenchPaths(b, mode.Name, func(kit *telemetrytest.Kit) http.Handler { return mode.Build(kit, routes) }, paths...)
	}
}
