package chitel_test

import (
	"io"
	"net/http"
	"testing"
	"testing/fstest"

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/instrumentation/chitel"
	"github.com/starmates-ai-team/telemetry/internal/routertest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The two ways of installing the middleware: every test runs with both.
var modes = []routertest.Mode[chi.Router]{
	{Name: "Use", Build: func(kit *telemetrytest.Kit, routes func(chi.Router), opts ...middleware.Option) http.Handler {
		r := chi.NewRouter()
		r.Use(chitel.Middleware(kit.Telemetry, opts...))
		routes(r)
		return r
	}},
	{Name: "Handler", Build: func(kit *telemetrytest.Kit, routes func(chi.Router), opts ...middleware.Option) http.Handler {
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
	cases := []routertest.Case{
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
	routertest.RunRoutes(t, modes, routes, cases)
}

// TestPoolReuse serves different routes one after another and at once
// through one handler: a routing context from the pool never brings the
// route of an earlier request.
func TestPoolReuse(t *testing.T) {
	routertest.RunConcurrent(t, modes, routes,
		[]string{"/users/1", "/nope", "/api/items/2", "/api/nope", "/shop/orders/3"},
		"GET /api/items/{id} 200=20, GET /shop/orders/{id} 200=20, GET /users/{id} 200=20, GET unmatched 404=40")
}

// TestHandlerInsideChi mounts a Handler in another chi router: it keeps
// the outer routing context and reports the full template.
func TestHandlerInsideChi(t *testing.T) {
	kit := telemetrytest.New(t)
	inner := chi.NewRouter()
	inner.Get("/users/{id}", ok)
	outer := chi.NewRouter()
	outer.Mount("/v1", chitel.Handler(kit.Telemetry, inner))

	routertest.Serve(outer, "GET", "/v1/users/1", "/v1/nope")
	routertest.WantRequests(t, kit, "GET /v1/users/{id} 200=1, GET unmatched 404=1")
}

// TestChiMiddlewares runs chi's middlewares that look routes up through
// the routing context (GetHead needs its Routes) behind both modes.
func TestChiMiddlewares(t *testing.T) {
	routertest.EachMode(t, modes, func(t *testing.T, kit *telemetrytest.Kit, mode routertest.Mode[chi.Router]) {
		h := mode.Build(kit, func(r chi.Router) {
			r.Use(chimw.GetHead, chimw.StripSlashes)
			routes(r)
		})
		routertest.ServeEach(h, "HEAD /users/1", "GET /users/2/", "HEAD /nope")
		routertest.WantRequests(t, kit, "GET /users/{id} 200=1, HEAD /users/{id} 200=1, HEAD unmatched 404=1")
	})
}

// TestNoRouter uses the middleware without chi around it: no routing
// context, no panic, "unmatched" for the 404.
func TestNoRouter(t *testing.T) {
	kit := telemetrytest.New(t)
	routertest.Serve(chitel.Middleware(kit.Telemetry)(http.NotFoundHandler()), "GET", "/x")
	routertest.WantRequests(t, kit, "GET unmatched 404=1")
}

// TestRouteOptions: SetRoute wins over chi's route, and a WithRouteFunc
// given by the caller replaces it.
func TestRouteOptions(t *testing.T) {
	routertest.RunRouteOptions(t, modes, func(r chi.Router) {
		r.Get("/set/{id}", routertest.SetNamed)
		r.Get("/users/{id}", ok)
	})
}

// TestPanic: a panicking handler counts as 500 under its route, and the
// panic goes on to net/http.
func TestPanic(t *testing.T) {
	routertest.RunPanic(t, modes, func(r chi.Router) { r.Get("/boom/{id}", routertest.Boom) })
}

// TestDisabled: with a nil Telemetry both modes serve the router as it is.
func TestDisabled(t *testing.T) {
	r := chi.NewRouter()
	r.Use(chitel.Middleware(nil))
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, chi.URLParam(r, "id"))
	})
	routertest.CheckServesID(t, r, chitel.Handler(nil, r))
	routertest.CheckNilRouter(t, chitel.Handler)
}

// BenchmarkModes measures a request to a parameterised route and one to
// a mounted router's route, through each mode.
func BenchmarkModes(b *testing.B) {
	routertest.BenchModes(b, modes, routes, "/users/42", "/shop/files/a/b")
}

// TestNested puts the router, with the middleware in either mode, behind
// another middleware of the package: each request is counted once, by
// the outer one, under chi's route.
func TestNested(t *testing.T) {
	routertest.RunNested(t, modes, routes,
		[]string{"GET /users/1", "GET /api/items/2", "GET /api/nope", "POST /users/1"},
		"GET /api/items/{id} 200=1, GET /users/{id} 200=1, GET unmatched 404=1, POST unmatched 405=1")
}

// TestAnsweredBeforeRouting: a router middleware that answers before chi
// routes (authentication) counts under the route that would have served
// the request.
func TestAnsweredBeforeRouting(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.Name, func(t *testing.T) {
			// The answers without a route make the middleware warn once.
			kit := telemetrytest.New(t, telemetry.WithErrorHandler(func(error) {}))
			h := mode.Build(kit, func(r chi.Router) {
				r.Use(routertest.RequireAuth)
				routes(r)
			})
			routertest.Serve(h, "GET", "/users/1", "/shop/orders/2", "/blog/", "/shop/files/a", "/nope")
			routertest.ServeEach(h, "POST /users/1") // no route for POST: no_route
			routertest.WantRequests(t, kit, "GET /blog 401=1, GET /shop/files/* 401=1, GET /shop/orders/{id} 401=1, GET /users/{id} 401=1, "+
				"GET "+metrics.HTTPNoRoute+" 401=1, POST "+metrics.HTTPNoRoute+" 401=1")
		})
	}
}
