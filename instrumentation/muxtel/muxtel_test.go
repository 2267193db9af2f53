package muxtel_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/gorilla/mux"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/instrumentation/muxtel"
	"github.com/starmates-ai-team/telemetry/internal/routertest"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The two ways of installing the middleware: every test runs with both.
var modes = []routertest.Mode[*mux.Router]{
	{Name: "Use", Build: func(kit *telemetrytest.Kit, routes func(*mux.Router), opts ...middleware.Option) http.Handler {
		r := mux.NewRouter()
		routes(r)
		muxtel.Use(kit.Telemetry, r, opts...)
		return r
	}},
	{Name: "Handler", Build: func(kit *telemetrytest.Kit, routes func(*mux.Router), opts ...middleware.Option) http.Handler {
		r := mux.NewRouter()
		routes(r)
		return muxtel.Handler(kit.Telemetry, r, opts...)
	}},
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }

// routes is a router with a parameterised route, two sub-routers (one with
// its own not-found handlers) and a file server under a path prefix.
func routes(r *mux.Router) {
	r.HandleFunc("/users/{id}", ok).Methods("GET")
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/items/{id:[0-9]+}", ok).Methods("GET")
	shop := r.PathPrefix("/shop").Subrouter()
	shop.HandleFunc("/orders/{id}", ok).Methods("GET")
	shop.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such shop page", http.StatusNotFound)
	})
	shop.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "shop: method not allowed", http.StatusMethodNotAllowed)
	})
	r.PathPrefix("/static/").Handler(http.StripPrefix("/static/", http.FileServerFS(fstest.MapFS{
		"a.txt": {Data: []byte("a")},
	})))
}

func TestRoutes(t *testing.T) {
	cases := []routertest.Case{
		{"GET", "/users/42", 200, "/users/{id}"},
		{"GET", "/api/items/7", 200, "/api/items/{id:[0-9]+}"},
		{"GET", "/shop/orders/9", 200, "/shop/orders/{id}"},
		{"GET", "/static/a.txt", 200, "/static/"},
		// The file server's own 404 is the answer of a route.
		{"GET", "/static/missing.txt", 404, "/static/"},
		{"GET", "/nope", 404, ""},
		{"POST", "/users/42", 405, ""},
		{"GET", "/api/nope", 404, ""},
		{"GET", "/api/items/x", 404, ""},
		{"POST", "/api/items/7", 405, ""},
		// The sub-router's own NotFoundHandler and MethodNotAllowedHandler.
		{"GET", "/shop/nope", 404, ""},
		{"DELETE", "/shop/orders/9", 405, ""},
		// gorilla answers 405 to a method it does not know; span "HTTP".
		{"FOO", "/users/42", 405, ""},
	}
	routertest.RunRoutes(t, modes, routes, cases)
}

// TestCustomNotFound: a NotFoundHandler and a MethodNotAllowedHandler set
// on the router before Use still answer, and are measured.
func TestCustomNotFound(t *testing.T) {
	routertest.EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode routertest.Mode[*mux.Router]) {
		h := mode.Build(kit, func(r *mux.Router) {
			r.HandleFunc("/users/{id}", ok).Methods("GET")
			r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "custom 404", http.StatusNotFound)
			})
			r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "custom 405", http.StatusMethodNotAllowed)
			})
		})
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/nope", "custom 404\n"}, {"PUT", "/users/1", "custom 405\n"},
		} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
			if w.Body.String() != c.body {
				t.Errorf("%s %s: body %q, want %q", c.method, c.path, w.Body.String(), c.body)
			}
		}
		routertest.WantRequests(t, kit, "GET unmatched 404=1, PUT unmatched 405=1")
	})
}

// TestDefaultAnswers: Use answers 404 and 405 as gorilla does without a
// NotFoundHandler or MethodNotAllowedHandler.
func TestDefaultAnswers(t *testing.T) {
	kit := telemetrytest.New(t)
	plain, measured := mux.NewRouter(), mux.NewRouter()
	for _, r := range []*mux.Router{plain, measured} {
		r.HandleFunc("/users/{id}", ok).Methods("GET")
	}
	muxtel.Use(kit.Telemetry, measured)
	for _, c := range []struct{ method, path string }{{"GET", "/nope"}, {"POST", "/users/1"}} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		plain.ServeHTTP(want, httptest.NewRequest(c.method, c.path, nil))
		measured.ServeHTTP(got, httptest.NewRequest(c.method, c.path, nil))
		if got.Code != want.Code || got.Body.String() != want.Body.String() ||
			fmt.Sprint(got.Header()) != fmt.Sprint(want.Header()) {
			t.Errorf("%s %s: got %d %v %q, want %d %v %q", c.method, c.path,
				got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
}

// TestNoPath: routes without a path template have no route, and nothing
// panics. The middleware counts their answers under "no_route" and warns
// once with ErrNoRoute: name them with middleware.SetRoute.
func TestNoPath(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.Name, func(t *testing.T) {
			kit, errs := kitWithErrors(t)
			h := mode.Build(kit, func(r *mux.Router) {
				r.Host("admin.example.com").HandlerFunc(ok)
				r.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool {
					return r.Header.Get("X-Probe") != ""
				}).HandlerFunc(ok)
			})
			host := httptest.NewRequest("GET", "http://admin.example.com/x", nil)
			probe := httptest.NewRequest("GET", "/probe", nil)
			probe.Header.Set("X-Probe", "1")
			for _, req := range []*http.Request{host, probe} {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					t.Errorf("%s: status %d, want 200", req.URL, w.Code)
				}
			}
			checkNoRoute(t, kit, 2)
			routertest.WantRequests(t, kit, "GET "+metrics.HTTPNoRoute+" 200=2")
			if errs.Count(middleware.ErrNoRoute) == 0 {
				t.Errorf("errors %v, want middleware.ErrNoRoute", errs.All())
			}
		})
	}
}

// TestCleanPathRedirect: gorilla redirects an unclean path before it
// matches routes. Wrapped from outside, the redirect counts as
// "unmatched", as a ServeMux's redirects do (not under the route that
// router.Match finds for the unclean path, nor as "no_route"); with Use no
// middleware runs for it.
func TestCleanPathRedirect(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.Name, func(t *testing.T) {
			kit, errs := kitWithErrors(t)
			h := mode.Build(kit, routes)
			for _, target := range []string{"/static/../users/1", "/nope/../users/1", "/x/./nope"} {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
				if w.Code != http.StatusMovedPermanently {
					t.Fatalf("%s: got %d, want a 301", target, w.Code)
				}
			}
			if mode.Name == "Use" {
				checkNoRoute(t, kit, 0)
				return
			}
			checkNoRoute(t, kit, 3)
			routertest.WantRequests(t, kit, "GET "+metrics.HTTPUnmatched+" 301=3")
			if errs.Count(middleware.ErrNoRoute) > 0 {
				t.Errorf("errors %v, want no ErrNoRoute", errs.All())
			}
		})
	}
}

// TestSkipClean: a router with SkipClean(true) serves an unclean path as
// it is, through a route: Handler counts it under that route, and an
// unclean path that matches nothing under "unmatched".
func TestSkipClean(t *testing.T) {
	kit := telemetrytest.New(t)
	r := mux.NewRouter().SkipClean(true)
	r.PathPrefix("/files/").HandlerFunc(ok)
	h := muxtel.Handler(kit.Telemetry, r)
	routertest.Serve(h, "GET", "/files/a/../b", "/nope/../x")
	routertest.WantRequests(t, kit, "GET /files/ 200=1, GET "+metrics.HTTPUnmatched+" 404=1")
}

// kitWithErrors returns a kit whose reported errors are kept, not printed.
func kitWithErrors(t *testing.T) (*telemetrytest.Kit, *testutil.ErrorLog) {
	l := &testutil.ErrorLog{}
	return telemetrytest.New(t, telemetry.WithErrorHandler(l.Handle)), l
}

// checkNoRoute checks that the kit has n spans named "GET", without
// http.route.
func checkNoRoute(t *testing.T, kit *telemetrytest.Kit, n int) {
	t.Helper()
	spans := kit.Spans()
	if len(spans) != n {
		t.Fatalf("%d spans, want %d", len(spans), n)
	}
	for _, s := range spans {
		if s.Name != "GET" {
			t.Errorf("span name %q, want GET", s.Name)
		}
		for _, kv := range s.Attributes {
			if kv.Key == semconv.HTTPRouteKey {
				t.Errorf("span %s has http.route %q, want none", s.Name, kv.Value.AsString())
			}
		}
	}
}

// TestConcurrent serves different routes at once through one handler.
func TestConcurrent(t *testing.T) {
	routertest.RunConcurrent(t, modes, routes,
		[]string{"/users/1", "/nope", "/api/items/2", "/shop/nope", "/shop/orders/3"},
		"GET /api/items/{id:[0-9]+} 200=20, GET /shop/orders/{id} 200=20, GET /users/{id} 200=20, GET unmatched 404=40")
}

// TestRouteOptions: SetRoute wins over the router's route, and a
// WithRouteFunc given by the caller replaces it.
func TestRouteOptions(t *testing.T) {
	routertest.RunRouteOptions(t, modes, func(r *mux.Router) {
		r.HandleFunc("/set/{id}", routertest.SetNamed)
		r.HandleFunc("/users/{id}", ok)
	})
}

// TestPanic: a panicking handler counts as 500 under its route, and the
// panic goes on to net/http.
func TestPanic(t *testing.T) {
	routertest.RunPanic(t, modes, func(r *mux.Router) { r.HandleFunc("/boom/{id}", routertest.Boom) })
}

// TestNilAndDisabled: a nil Telemetry leaves the router working and its
// not-found handlers alone; a nil router is no panic.
func TestNilAndDisabled(t *testing.T) {
	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, mux.Vars(r)["id"])
	})
	muxtel.Use(nil, r)
	if r.NotFoundHandler != nil || r.MethodNotAllowedHandler != nil {
		t.Error("Use with a nil Telemetry set the router's not-found handlers")
	}
	routertest.CheckServesID(t, r, muxtel.Handler(nil, r))

	muxtel.Use(telemetrytest.New(t).Telemetry, nil)
	routertest.CheckNilRouter(t, muxtel.Handler)
}

// BenchmarkModes measures a request to a parameterised route and one to
// a sub-router's route, through each mode.
func BenchmarkModes(b *testing.B) {
	routertest.BenchModes(b, modes, routes, "/users/42", "/shop/orders/7")
}

// TestNested puts the router, with the middleware in either mode, behind
// another middleware of the package: each request is counted once, by
// the outer one, under the router's route.
func TestNested(t *testing.T) {
	routertest.RunNested(t, modes, routes,
		[]string{"GET /users/1", "GET /api/items/2", "GET /shop/nope", "POST /users/1"},
		"GET /api/items/{id:[0-9]+} 200=1, GET /users/{id} 200=1, GET unmatched 404=1, POST unmatched 405=1")
}

// TestAnsweredByMiddleware: what a router middleware answers counts under
// the route, for Use when the middleware comes after it.
func TestAnsweredByMiddleware(t *testing.T) {
	auth := routertest.RequireAuth
	routertest.EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode routertest.Mode[*mux.Router]) {
		var h http.Handler
		if mode.Name == "Use" {
			r := mux.NewRouter()
			routes(r)
			muxtel.Use(kit.Telemetry, r)
			r.Use(auth)
			h = r
		} else {
			h = mode.Build(kit, func(r *mux.Router) {
				routes(r)
				r.Use(auth)
			})
		}
		routertest.Serve(h, "GET", "/users/1", "/shop/orders/2", "/nope")
		routertest.WantRequests(t, kit, "GET /shop/orders/{id} 401=1, GET /users/{id} 401=1, GET unmatched 404=1")
	})
}
