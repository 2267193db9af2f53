package chitel

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/middleware"
)

// Middleware returns the telemetry middleware for a chi router's Use:
//
//	r := chi.NewRouter()
//	r.Use(chitel.Middleware(tel))
//
// It is middleware.New(tel, opts...) with the route template taken from
// chi's routing context after the handler returns: "/users/{id}", or the
// full template of a route in a mounted router ("/api/users/{id}"). A
// request that chi routes to its not-found or method-not-allowed handler,
// its own or a mounted router's, has no route and counts under the
// endpoint "unmatched". A request that a middleware of the router answers
// before chi routes it (an authentication middleware's 401) counts under
// the route that would have served it, found with the router's Find, or
// under the core middleware's "no_route" when there is none.
//
// Install it first, with the router's other middlewares after it, so that
// what they answer is measured too. A WithRouteFunc among opts replaces
// chi's route, and middleware.SetRoute still wins over both.
//
// With a nil or disabled tel it returns the handler unchanged, as
// middleware.New does.
func Middleware(tel *telemetry.Telemetry, opts ...middleware.Option) func(http.Handler) http.Handler {
	return middleware.New(tel, withRoute(opts)...)
}

// Handler wraps a chi router from outside, for a server whose handler is
// the router itself:
//
//	http.ListenAndServe(addr, chitel.Handler(tel, r))
//
// The plain middleware cannot see the route there: chi keeps its routing
// context in a request copy that the outer middleware never receives, and
// every request would count as "unmatched". Handler gives the request a
// fresh chi routing context before the middleware and the router see it;
// chi routes into that context (a Mux uses the routing context it finds in
// the request context), and Handler reads the route template from it when
// the router returns. Routes are the same as with Middleware: "/users/{id}",
// the full template of a mounted router's route, "unmatched" for chi's 404
// and 405, the route that would have served a request that the router's
// middlewares answered.
//
// When the request already has a chi routing context (Handler mounted
// inside another chi router), Handler leaves it in place and reads the
// route from it. The handler returned is then also the router's
// chi.Routes, so that the outer router sees the routes behind it.
//
// opts are those of middleware.New; a WithRouteFunc among them replaces
// chi's route, and middleware.SetRoute still wins over both. A nil router
// stands for http.DefaultServeMux, as in middleware.New. With a nil or
// disabled tel, Handler returns router unchanged.
func Handler(tel *telemetry.Telemetry, router chi.Router, opts ...middleware.Option) http.Handler {
	if !tel.Enabled() || router == nil {
		// As middleware.New does: no routing context needed. The logger
		// option still applies when there is one.
		return middleware.New(tel, opts...)(router)
	}
	h := &handler{next: middleware.New(tel, withRoute(opts)...)(router), routes: router}
	h.pool.New = func() any { return chi.NewRouteContext() }
	return h
}

// handler puts a chi routing context into each request's context.
type handler struct {
	next   http.Handler
	routes chi.Routes
	// pool recycles routing contexts as chi's own Mux does.
	pool sync.Pool
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if chi.RouteContext(r.Context()) != nil {
		// Inside a chi router already: its routing context carries the
		// route and the state of the routing (mounted path, parameters).
		h.next.ServeHTTP(w, r)
		return
	}
	rctx, _ := h.pool.Get().(*chi.Context)
	if rctx == nil {
		rctx = chi.NewRouteContext()
	}
	// What chi's Mux sets in a routing context it makes itself: chi's
	// middlewares (GetHead, SupressNotFound) look routes up through it.
	rctx.Routes = h.routes
	h.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx)))
	// Not deferred, as in chi: after a panic nobody can tell whether the
	// routing context is still in use, so it is left to the collector.
	// Reset drops its references before it waits in the pool.
	rctx.Reset()
	h.pool.Put(rctx)
}

// The handler is also its router's chi.Routes, so that a chi router it is
// mounted in (Mount) sees the routes behind it, for Match, Find and Walk.
var _ chi.Routes = (*handler)(nil)

// Routes implements chi.Routes.
func (h *handler) Routes() []chi.Route { return h.routes.Routes() }

// Middlewares implements chi.Routes.
func (h *handler) Middlewares() chi.Middlewares { return h.routes.Middlewares() }

// Match implements chi.Routes.
func (h *handler) Match(rctx *chi.Context, method, path string) bool {
	return h.routes.Match(rctx, method, path)
}

// Find implements chi.Routes.
func (h *handler) Find(rctx *chi.Context, method, path string) string {
	return h.routes.Find(rctx, method, path)
}

// withRoute returns opts preceded by the chi route function, so that a
// WithRouteFunc of the caller's replaces it.
func withRoute(opts []middleware.Option) []middleware.Option {
	all := make([]middleware.Option, 0, len(opts)+1)
	all = append(all, middleware.WithRouteFunc(route))
	return append(all, opts...)
}

// route returns the route template that chi matched for r; the one that
// would have served r when the router's middlewares answered before chi
// routed; middleware.Unmatched when a mounted router matched none (its 404
// and 405); "" when chi matched none at the top (nothing is left in
// r.Pattern then) or r has no chi routing context.
func route(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil {
		return ""
	}
	p := rctx.RoutePattern()
	if p == "" {
		// Nothing matched, or the router's middlewares answered before
		// chi routed (a 401 from an authentication middleware): then the
		// route is the one that would have served the request.
		return wouldRoute(rctx, r)
	}
	if !routed(rctx, r) {
		// A mounted router answered 404 or 405 itself. chi left the mount
		// point's pattern in r.Pattern too: Unmatched keeps the middleware
		// from taking it for the route.
		return middleware.Unmatched
	}
	return p
}

// wouldRoute returns the template of the route that chi finds for r, in
// the form of RoutePattern, or "" for none. It starts from the path and
// method that the router's middlewares left for the routing, if any.
func wouldRoute(rctx *chi.Context, r *http.Request) string {
	if rctx.Routes == nil {
		return ""
	}
	method, path := rctx.RouteMethod, rctx.RoutePath
	if method == "" {
		method = r.Method
	}
	if path == "" {
		path = requestPath(r)
	}
	p := rctx.Routes.Find(chi.NewRouteContext(), method, path)
	// Find joins a mount point and its router's pattern without the
	// clean-up of RoutePattern: "/blog" + "/" is "/blog/" there, "/blog"
	// here.
	for strings.Contains(p, "/*/") {
		p = strings.ReplaceAll(p, "/*/", "/")
	}
	if p != "/" {
		p = strings.TrimSuffix(strings.TrimSuffix(p, "//"), "/")
	}
	return p
}

// routed reports whether the last router that r went through matched a
// route, for a non-empty pattern. A router mounted with Mount (or Route)
// that answers 404 or 405 itself leaves the pattern of its mount point in
// the routing context: "/api/*" for "/api/nope", or "/api" for "/api"
// itself when the mounted router has no "/" route.
func routed(rctx *chi.Context, r *http.Request) bool {
	last := rctx.RoutePatterns[len(rctx.RoutePatterns)-1]
	switch {
	case strings.HasSuffix(last, "/*"):
		// A mount point or a wildcard route ("/files/*"). Mount empties
		// the wildcard parameter before its router routes: a value left in
		// it is that of a wildcard route which matched. Else ask the
		// router (a second lookup, for mount points and empty wildcards).
		keys, values := rctx.URLParams.Keys, rctx.URLParams.Values
		if n := len(keys) - 1; n >= 0 && n < len(values) && keys[n] == "*" && values[n] != "" {
			return true
		}
		return matches(rctx, r)
	case last != "/" && rctx.RoutePath == "/":
		// A mount hands its router the path "/" when the request is the
		// mount point itself; a pattern other than "/" found for that
		// path can only be the mount point's.
		return false
	}
	return true
}

// matches reports whether the router of rctx has a route for r, as chi
// routed it: with the method chi used (GetHead turns HEAD into GET) and
// the path it starts from (a middleware that rewrites rctx.RoutePath before
// a mount, other than to trim slashes, can make it answer false for a
// wildcard route). It reports true when it cannot tell.
func matches(rctx *chi.Context, r *http.Request) bool {
	if rctx.Routes == nil {
		return true
	}
	method := rctx.RouteMethod
	if method == "" {
		method = r.Method
	}
	return rctx.Routes.Match(chi.NewRouteContext(), method, requestPath(r))
}

// requestPath is the path chi routes when nothing overrides it.
func requestPath(r *http.Request) string {
	if u := r.URL; u != nil && u.RawPath != "" {
		return u.RawPath
	} else if u != nil && u.Path != "" {
		return u.Path
	}
	return "/"
}
