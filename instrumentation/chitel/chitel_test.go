package chitel_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/instrumentation/chitel"
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The two ways of installing the middleware: every test runs with both.
var modes = []struct {
	name string
	// build installs the middleware on a router that routes adds routes
	// to, and returns the server's handler.
	build func(kit *telemetrytest.Kit, routes func(chi.Router), opts ...middleware.Option) http.Handler
}{
	{"Use", func(kit *telemetrytest.Kit, routes func(chi.Router), opts ...middleware.Option) http.Handler {
		r := chi.NewRouter()
		r.Use(chitel.Middleware(kit.Telemetry, opts...))
		routes(r)
		return r
	}},
	{"Handler", func(kit *telemetrytest.Kit, routes func(chi.Router), opts ...middleware.Option) http.Handler {
		r := chi.NewRouter()
		routes(r)
		return chitel.Handler(kit.Telemetry, r, opts...)
	}},
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }

// routes is a router with a parameterised route, an inline sub-router
// (Route), a mounted router and a mounted file server.
func routes(r chi.Router) {
	r.Get("/users/{id}", ok)
	r.Get("/wild/*", ok)
	r.Route("/api", func(r chi.Router) {
		r.Get("/items/{id}", ok)
	})
	shop := chi.NewRouter()
	shop.Get("/orders/{id}", ok)
	shop.Get("/files/*", ok)
	r.Mount("/shop", shop)
	// A mounted router with a route for its mount point.
	blog := chi.NewRouter()
	blog.Get("/", ok)
	r.Mount("/blog", blog)
	r.Mount("/static", http.StripPrefix("/static", http.FileServerFS(fstest.MapFS{
		"a.txt": {Data: []byte("a")},
	})))
}

func TestRoutes(t *testing.T) {
	cases := []struct {
		method, path string
		status       int
		route        string // "" for none
	}{
		{"GET", "/users/42", 200, "/users/{id}"},
		{"GET", "/api/items/7", 200, "/api/items/{id}"},
		{"GET", "/shop/orders/9", 200, "/shop/orders/{id}"},
		{"GET", "/shop/files/x/y.txt", 200, "/shop/files/*"},
		{"GET", "/shop/files/", 200, "/shop/files/*"},
		{"GET", "/wild/a/b", 200, "/wild/*"},
		{"GET", "/wild/", 200, "/wild/*"},
		{"GET", "/static/a.txt", 200, "/static/*"},
		// The file server's own 404 is the answer of a route.
		{"GET", "/static/missing.txt", 404, "/static/*"},
		{"GET", "/nope", 404, ""},
		{"POST", "/users/42", 405, ""},
		// 404 and 405 of a mounted router: chi leaves "/api/*" behind.
		{"GET", "/api/nope", 404, ""},
		{"DELETE", "/shop/orders/9", 405, ""},
		{"GET", "/shop", 404, ""},
		{"GET", "/shop/", 404, ""},
		{"GET", "/blog", 200, "/blog"},
		{"GET", "/blog/", 200, "/blog"},
		{"GET", "/blog/nope", 404, ""},
		// chi answers 405 to a method it does not know.
		{"FOO", "/users/42", 405, ""}, // span "HTTP"
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.method+" "+c.path, func(t *testing.T) {
					kit := telemetrytest.New(t)
					srv := httptest.NewServer(mode.build(kit, routes))
					defer srv.Close()

					req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
					if err != nil {
						t.Fatal(err)
					}
					resp, err := srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode != c.status {
						t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
					}

					endpoint, spanName := c.route, spanMethod(c.method)+" "+c.route
					if c.route == "" {
						endpoint, spanName = metrics.HTTPUnmatched, spanMethod(c.method)
					}
					want := fmt.Sprintf("%s %s %d=1", (httpconv.Methods{}).Normalize(c.method), endpoint, c.status)
					if got := requests(t, kit); got != want {
						t.Errorf("http_requests_total: %s, want %s", got, want)
					}
					checkSpan(t, kit, spanName, c.route)
				})
			}
		})
	}
}

// TestPoolReuse serves different routes one after another and at once
// through one handler: a routing context from the pool never brings the
// route of an earlier request.
func TestPoolReuse(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			h := mode.build(kit, routes)
			paths := []string{"/users/1", "/nope", "/api/items/2", "/api/nope", "/shop/orders/3"}
			const rounds = 20
			var wg sync.WaitGroup
			for range rounds {
				for _, p := range paths {
					wg.Go(func() {
						h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
					})
				}
			}
			wg.Wait()
			want := "GET /api/items/{id} 200=20, GET /shop/orders/{id} 200=20, GET /users/{id} 200=20, GET unmatched 404=40"
			if got := requests(t, kit); got != want {
				t.Errorf("http_requests_total: %s, want %s", got, want)
			}
		})
	}
}

// TestHandlerInsideChi mounts a Handler in another chi router: it keeps
// the outer routing context and reports the full template.
func TestHandlerInsideChi(t *testing.T) {
	kit := telemetrytest.New(t)
	inner := chi.NewRouter()
	inner.Get("/users/{id}", ok)
	outer := chi.NewRouter()
	outer.Mount("/v1", chitel.Handler(kit.Telemetry, inner))

	for _, p := range []string{"/v1/users/1", "/v1/nope"} {
		outer.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	want := "GET /v1/users/{id} 200=1, GET unmatched 404=1"
	if got := requests(t, kit); got != want {
		t.Errorf("http_requests_total: %s, want %s", got, want)
	}
}

// TestChiMiddlewares runs chi's middlewares that look routes up through
// the routing context (GetHead needs its Routes) behind both modes.
func TestChiMiddlewares(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			h := mode.build(kit, func(r chi.Router) {
				r.Use(chimw.GetHead, chimw.StripSlashes)
				routes(r)
			})
			for _, c := range []struct{ method, path string }{
				{"HEAD", "/users/1"}, {"GET", "/users/2/"}, {"HEAD", "/nope"},
			} {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
			}
			want := "GET /users/{id} 200=1, HEAD /users/{id} 200=1, HEAD unmatched 404=1"
			if got := requests(t, kit); got != want {
				t.Errorf("http_requests_total: %s, want %s", got, want)
			}
		})
	}
}

// TestNoRouter uses the middleware without chi around it: no routing
// context, no panic, "unmatched" for the 404.
func TestNoRouter(t *testing.T) {
	kit := telemetrytest.New(t)
	h := chitel.Middleware(kit.Telemetry)(http.NotFoundHandler())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	if got, want := requests(t, kit), "GET unmatched 404=1"; got != want {
		t.Errorf("http_requests_total: %s, want %s", got, want)
	}
}

// TestRouteOptions: SetRoute wins over chi's route, and a WithRouteFunc
// given by the caller replaces it.
func TestRouteOptions(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			h := mode.build(kit, func(r chi.Router) {
				r.Get("/set/{id}", func(w http.ResponseWriter, r *http.Request) {
					middleware.SetRoute(r, "/named")
				})
				r.Get("/users/{id}", ok)
			}, middleware.WithRouteFunc(func(r *http.Request) string {
				if strings.HasPrefix(r.URL.Path, "/users/") {
					return "/mine"
				}
				return ""
			}))
			for _, p := range []string{"/set/1", "/users/1"} {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
			}
			if got, want := requests(t, kit), "GET /mine 200=1, GET /named 200=1"; got != want {
				t.Errorf("http_requests_total: %s, want %s", got, want)
			}
		})
	}
}

// TestPanic: a panicking handler counts as 500 under its route, and the
// panic goes on to net/http.
func TestPanic(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			h := mode.build(kit, func(r chi.Router) {
				r.Get("/boom/{id}", func(http.ResponseWriter, *http.Request) { panic("boom") })
			})
			func() {
				defer func() {
					if v := recover(); v != "boom" {
						t.Errorf("recovered %v, want boom", v)
					}
				}()
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/boom/1", nil))
			}()
			if got, want := requests(t, kit), "GET /boom/{id} 500=1"; got != want {
				t.Errorf("http_requests_total: %s, want %s", got, want)
			}
		})
	}
}

// TestDisabled: with a nil Telemetry both modes serve the router as it is.
func TestDisabled(t *testing.T) {
	r := chi.NewRouter()
	r.Use(chitel.Middleware(nil))
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, chi.URLParam(r, "id"))
	})
	for _, h := range []http.Handler{r, chitel.Handler(nil, r)} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/users/7", nil))
		if w.Code != 200 || w.Body.String() != "7" {
			t.Errorf("got %d %q, want 200 \"7\"", w.Code, w.Body.String())
		}
	}
	// A nil router is http.DefaultServeMux, as in middleware.New.
	kit := telemetrytest.New(t)
	if h := chitel.Handler(kit.Telemetry, nil); h == nil {
		t.Error("Handler with a nil router returned nil")
	}
}

// BenchmarkModes measures a request to a parameterised route and one to
// a mounted router's route, through each mode.
func BenchmarkModes(b *testing.B) {
	for _, mode := range modes {
		for _, path := range []string{"/users/42", "/shop/files/a/b"} {
			b.Run(mode.name+path, func(b *testing.B) {
				kit := telemetrytest.New(b)
				h := mode.build(kit, routes)
				req := httptest.NewRequest("GET", path, nil)
				w := httptest.NewRecorder()
				b.ReportAllocs()
				for b.Loop() {
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}

// spanMethod is the method part of a span name: "HTTP" for a method
// outside the known ones.
func spanMethod(method string) string {
	if m := (httpconv.Methods{}).Normalize(method); m != metrics.HTTPOther {
		return m
	}
	return "HTTP"
}

// requests returns the http_requests_total points as sorted
// "method endpoint status=value" entries joined by ", ".
func requests(t *testing.T, kit *telemetrytest.Kit) string {
	t.Helper()
	m, found := kit.Metric(metrics.HTTPRequestsName)
	if !found {
		return ""
	}
	sum, isSum := m.Data.(metricdata.Sum[int64])
	if !isSum {
		t.Fatalf("%s is a %T, want a metricdata.Sum[int64]", metrics.HTTPRequestsName, m.Data)
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

// checkSpan checks that the kit has one span, named name, whose
// http.route is route (absent when route is "").
func checkSpan(t *testing.T, kit *telemetrytest.Kit, name, route string) {
	t.Helper()
	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s := spans[0]
	if s.Name != name {
		t.Errorf("span name %q, want %q", s.Name, name)
	}
	got, hasRoute := "", false
	for _, kv := range s.Attributes {
		if kv.Key == semconv.HTTPRouteKey {
			got, hasRoute = kv.Value.AsString(), true
		}
	}
	switch {
	case route == "" && hasRoute:
		t.Errorf("span has http.route %q, want none", got)
	case route != "" && got != route:
		t.Errorf("span http.route %q, want %q", got, route)
	}
}

// TestNested puts the router, with the middleware in either mode, behind
// another middleware of the package: each request is counted once, by
// the outer one, under chi's route.
func TestNested(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			h := middleware.New(kit.Telemetry)(mode.build(kit, routes))
			for _, c := range []struct{ method, path string }{
				{"GET", "/users/1"}, {"GET", "/api/items/2"}, {"GET", "/api/nope"}, {"POST", "/users/1"},
			} {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
			}
			want := "GET /api/items/{id} 200=1, GET /users/{id} 200=1, GET unmatched 404=1, POST unmatched 405=1"
			if got := requests(t, kit); got != want {
				t.Errorf("http_requests_total: %s, want %s", got, want)
			}
			if n := len(kit.Spans()); n != 4 {
				t.Errorf("%d spans, want 4", n)
			}
		})
	}
}

// TestAnsweredBeforeRouting: a router middleware that answers before chi
// routes (authentication) counts under the route that would have served
// the request.
func TestAnsweredBeforeRouting(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			// The answers without a route make the middleware warn once.
			kit := telemetrytest.New(t, telemetry.WithErrorHandler(func(error) {}))
			h := mode.build(kit, func(r chi.Router) {
				r.Use(func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Header.Get("Authorization") == "" {
							http.Error(w, "unauthorized", http.StatusUnauthorized)
							return
						}
						next.ServeHTTP(w, r)
					})
				})
				routes(r)
			})
			for _, p := range []string{"/users/1", "/shop/orders/2", "/blog/", "/shop/files/a", "/nope"} {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
			}
			req := httptest.NewRequest("POST", "/users/1", nil)
			h.ServeHTTP(httptest.NewRecorder(), req) // no route for POST: no_route
			want := "GET /blog 401=1, GET /shop/files/* 401=1, GET /shop/orders/{id} 401=1, GET /users/{id} 401=1, " +
				"GET " + metrics.HTTPNoRoute + " 401=1, POST " + metrics.HTTPNoRoute + " 401=1"
			if got := requests(t, kit); got != want {
				t.Errorf("http_requests_total: %s, want %s", got, want)
			}
		})
	}
}
