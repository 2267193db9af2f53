package muxtel

import (
	"net/http"
	"path"

	"github.com/gorilla/mux"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/middleware"
)

// Handler wraps a gorilla/mux router from outside, for a server whose
// handler is the router itself:
//
//	http.ListenAndServe(addr, muxtel.Handler(tel, r))
//
// It is middleware.Handler(tel, router, opts...) with the route template
// found by asking router.Match about the request after the router returns:
// gorilla keeps the matched route in a request copy that an outer
// middleware never receives. Every request is measured, also those that
// the router's middlewares answer (under the route they would have gone
// to). One that matches no route has no route: the router's 404 and 405
// count under the endpoint "unmatched", and so does its redirect from an
// unclean path such as "/a/../b" to the cleaned one, as a ServeMux's
// redirects do. (A router with SkipClean(true) serves unclean paths as
// they are: those count under the route that served them, provided that
// SkipClean was set before the route was added, as gorilla copies the
// setting into each route then.)
//
// Matching again costs a second walk through the routes, and builds the
// router's middleware chain once more; router.Use's middlewares are only
// built, not run. Use avoids that cost. Take one or the other, not both.
//
// A WithRouteFunc among opts replaces the router's route, and
// middleware.SetRoute still wins over both. A nil router stands for
// http.DefaultServeMux, as in middleware.New. With a nil or disabled tel,
// Handler returns router unchanged.
func Handler(tel *telemetry.Telemetry, router *mux.Router, opts ...middleware.Option) http.Handler {
	if router == nil {
		return middleware.New(tel, opts...)(nil)
	}
	return middleware.New(tel, withRoute(matchedRoute(router), opts)...)(router)
}

// Use installs the telemetry middleware in router: with router.Use for the
// requests that match a route, and around router.NotFoundHandler and
// router.MethodNotAllowedHandler, which gorilla calls without running the
// middlewares of router.Use. Where those are nil, Use puts in what gorilla
// answers without them: http.NotFoundHandler() and a bare 405. The route
// of a request is the path template of its route, "/users/{id}"; a 404 or
// 405 of the router counts under the endpoint "unmatched".
//
// gorilla redirects a request for an unclean path ("/a/../b") to the
// cleaned path before it matches routes or runs any handler: Use cannot
// see those redirects; Handler measures them.
//
// Call Use once, after the routes, the sub-routers and any custom
// NotFoundHandler or MethodNotAllowedHandler are set: Use wraps the
// not-found handlers set by then, including those of sub-routers (which
// gorilla calls without any middleware either), and a handler set later
// replaces the wrapped one. As gorilla documents, a router with a
// NotFoundHandler reports a match for every request from router.Match.
// Middlewares added with router.Use after Use run inside it, and what
// they answer is measured under the route; those added before run outside
// it, and what they answer is not measured.
//
// A WithRouteFunc among opts replaces the router's route, and
// middleware.SetRoute still wins over both. Use does nothing for a nil
// router. With a nil or disabled tel, Use only adds middleware.New's
// pass-through (which still applies WithLogger) with router.Use.
func Use(tel *telemetry.Telemetry, router *mux.Router, opts ...middleware.Option) {
	if router == nil {
		return
	}
	mw := middleware.New(tel, withRoute(currentRoute, opts)...)
	router.Use(mux.MiddlewareFunc(mw))
	if !tel.Enabled() {
		// Nothing to measure: leave the not-found handlers, and with them
		// what router.Match reports, as they are.
		return
	}

	nf := router.NotFoundHandler
	if nf == nil {
		nf = http.NotFoundHandler()
	}
	router.NotFoundHandler = mw(nf)
	mna := router.MethodNotAllowedHandler
	if mna == nil {
		mna = http.HandlerFunc(methodNotAllowed)
	}
	router.MethodNotAllowedHandler = mw(mna)

	// A sub-router's own NotFoundHandler answers without any middleware
	// too. (Its MethodNotAllowedHandler runs behind router's middlewares:
	// gorilla reports a match of the sub-router's route then, which
	// currentRoute does not take for a route.)
	done := map[*mux.Router]bool{router: true}
	_ = router.Walk(func(_ *mux.Route, sub *mux.Router, ancestors []*mux.Route) error {
		if done[sub] || sub.NotFoundHandler == nil || len(ancestors) == 0 {
			return nil
		}
		done[sub] = true
		if h, ok := ancestors[len(ancestors)-1].GetHandler().(*mux.Router); ok && h == sub {
			// A router serving a route as its handler: it runs behind
			// router's middlewares, under the route's template.
			return nil
		}
		sub.NotFoundHandler = mw(sub.NotFoundHandler)
		return nil
	})
}

// methodNotAllowed is what gorilla/mux answers for a method mismatch when
// the router has no MethodNotAllowedHandler.
func methodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusMethodNotAllowed)
}

// withRoute returns opts preceded by WithRouteFunc(f), so that a
// WithRouteFunc of the caller's replaces it.
func withRoute(f func(*http.Request) string, opts []middleware.Option) []middleware.Option {
	all := make([]middleware.Option, 0, len(opts)+1)
	all = append(all, middleware.WithRouteFunc(f))
	return append(all, opts...)
}

// currentRoute returns the path template of the route that gorilla/mux
// put in r's context, or "" when there is none: a 404 or 405 (gorilla
// stores a nil *mux.Route then, on which GetPathTemplate would panic).
func currentRoute(r *http.Request) string {
	return template(mux.CurrentRoute(r))
}

// matchedRoute returns a route function that asks router which route r
// matches.
func matchedRoute(router *mux.Router) func(*http.Request) string {
	return func(r *http.Request) string {
		u := r.URL
		if u == nil {
			return ""
		}
		unclean := !clean(u.Path) && !clean(u.EscapedPath())
		var m mux.RouteMatch
		if !router.Match(r, &m) || m.MatchErr != nil {
			// No match, or the NotFoundHandler or MethodNotAllowedHandler
			// answered (mux.ErrNotFound, mux.ErrMethodMismatch).
			if unclean {
				return middleware.Unmatched // redirected, or not found
			}
			return ""
		}
		if unclean && (m.Route == nil || !m.Route.SkipClean()) {
			// The router redirected to the cleaned path before matching,
			// as a ServeMux does; router.Match matches the unclean one
			// ("/static/../x" under a "/static/" prefix).
			return middleware.Unmatched
		}
		return template(m.Route)
	}
}

// clean reports whether gorilla/mux serves the path p as it is, rather
// than redirecting to its cleaned form (its cleanPath, net/http's rules:
// no "." or ".." element, no empty element but a trailing slash). It does
// not allocate.
func clean(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		return len(p) == len(np)+1 && p[:len(np)] == np
	}
	return np == p
}

// template returns the path template of rt, or "" for a nil route, a
// route without a path (a Host or MatcherFunc route) or one without a
// handler. The last is what gorilla reports as the match of a
// sub-router's route when the sub-router's own MethodNotAllowedHandler
// answers: no route of the sub-router matched.
func template(rt *mux.Route) string {
	if rt == nil || rt.GetHandler() == nil {
		return ""
	}
	t, err := rt.GetPathTemplate()
	if err != nil {
		return ""
	}
	return t
}
