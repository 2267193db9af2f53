package middleware

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/starmates-ai-team/telemetry/internal/bounded"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// routeKey finds the *state of the request in its context.
type routeKey struct{}

// state is what the middleware keeps for one request, in one allocation:
// the handler's context (it is the context.Context of the request the
// handler receives, answering routeKey with itself), what is known of the
// route, the response writer's delegator and the request the handler
// receives.
type state struct {
	context.Context
	route        string // SetRoute's
	subRoute     string // prefix + pattern, from StripPrefix
	pattern      string // a ServeMux pattern that an inner middleware saw
	subUnmatched bool   // the ServeMux behind StripPrefix matched nothing
	muxMissed    bool   // the ServeMux behind an inner middleware matched nothing
	d            delegator
	req          http.Request // the request passed on: the incoming one with this state as context
	attrs        *attrBuf     // the span's start attributes, to give at its end (server.lateAttrs)
	nAttrs       int          // how many of attrs.attrs they are
}

// Value implements context.Context.
func (s *state) Value(key any) any {
	if _, ok := key.(routeKey); ok {
		return s
	}
	return s.Context.Value(key)
}

// SetRoute records the route template of the request being served, such as
// "/users/{id}", for routers that the middleware cannot ask by itself
// (Unmatched for a request that the router answered without a route). It
// takes precedence over WithRouteFunc and r.Pattern. Call it from the
// handler's goroutine before the handler returns; it does nothing when the
// request does not come through the middleware.
func SetRoute(r *http.Request, route string) {
	if s, ok := r.Context().Value(routeKey{}).(*state); ok {
		s.route = route
	}
}

// Unmatched is the route for a WithRouteFunc function, or SetRoute, to
// give to a request that the router answered itself because no route
// matched it: its 404 or 405, or a redirect (to the cleaned path, to add a
// trailing slash). The request then counts under the endpoint "unmatched"
// whatever its status, its span gets no http.route, and the middleware
// does not fall back to the request's Pattern, which a router may have
// left set to the pattern of a mount point. Unmatched is that label's
// value, metrics.HTTPUnmatched.
const Unmatched = metrics.HTTPUnmatched

// patternRoute returns the path part of a ServeMux pattern
// ("[METHOD ][HOST]/PATH"): "GET example.com/users/{id}" -> "/users/{id}".
func patternRoute(p string) string {
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = strings.TrimLeft(p[i+1:], " \t")
	}
	if i := strings.IndexByte(p, '/'); i > 0 {
		p = p[i:]
	}
	return p
}

// StripPrefix is http.StripPrefix that keeps the route: it serves h with
// prefix removed from the request's URL path (and RawPath), answers 404
// for a path without the prefix, and when h is a ServeMux (or anything
// that sets the request's Pattern), the middleware records the full route
// template, prefix and h's pattern, instead of the outer mux's pattern:
//
//	api := http.NewServeMux()
//	api.HandleFunc("GET /users/{id}", getUser)
//	mux := http.NewServeMux()
//	mux.Handle("/api/", middleware.StripPrefix("/api", api))
//	handler := middleware.New(tel)(mux) // endpoint "/api/users/{id}"
//
// A request that the inner ServeMux does not match counts as "unmatched".
// StripPrefix calls nest ("/api" then "/v1" gives "/api/v1/users/{id}").
// Outside the middleware it behaves exactly as http.StripPrefix. With
// http.StripPrefix instead, the middleware sees only the outer pattern:
// every request under the prefix, the inner mux's 404s included, counts
// under the endpoint "/api/".
func StripPrefix(prefix string, h http.Handler) http.Handler {
	if prefix == "" {
		return h
	}
	sp := &stripPrefix{prefix: prefix, h: h, routes: bounded.NewCache[string, string](maxPrefixRoutes)}
	_, sp.isMux = h.(*http.ServeMux)
	return sp
}

// maxPrefixRoutes bounds the routes a stripPrefix remembers; past it the
// full route is built per request (correct, but allocating).
const maxPrefixRoutes = 1000

type stripPrefix struct {
	prefix string
	h      http.Handler
	isMux  bool

	routes *bounded.Cache[string, string] // inner route -> prefix + route
}

func (sp *stripPrefix) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, sp.prefix)
	rp := strings.TrimPrefix(r.URL.RawPath, sp.prefix)
	if len(p) == len(r.URL.Path) || (r.URL.RawPath != "" && len(rp) == len(r.URL.RawPath)) {
		http.NotFound(w, r)
		return
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = new(url.URL)
	*r2.URL = *r.URL
	r2.URL.Path = p
	r2.URL.RawPath = rp
	st, ok := r.Context().Value(routeKey{}).(*state)
	if !ok {
		sp.h.ServeHTTP(w, r2)
		return
	}
	st.subRoute, st.subUnmatched = "", false
	sp.h.ServeHTTP(w, r2)
	switch {
	case st.subUnmatched:
		// A StripPrefix further in found no route.
	case st.subRoute != "":
		// A StripPrefix further in found one: put this prefix before it.
		st.subRoute = sp.full(st.subRoute)
	case sp.isMux && r2.Pattern == "":
		st.subUnmatched = true
	case r2.Pattern != "" && (sp.isMux || r2.Pattern != r.Pattern):
		st.subRoute = sp.full(patternRoute(r2.Pattern))
	}
}

// full returns prefix + route, from the cache when it can.
func (sp *stripPrefix) full(route string) string { return sp.routes.Get(route, sp.join) }

// join returns prefix + route, with one slash where both have one.
func (sp *stripPrefix) join(route string) string {
	if strings.HasSuffix(sp.prefix, "/") && strings.HasPrefix(route, "/") {
		return sp.prefix + route[1:]
	}
	return sp.prefix + route
}
