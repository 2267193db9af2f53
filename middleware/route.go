package middleware

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// routeKey finds the *state of the request in its context.
type routeKey struct{}

// state is what the middleware keeps for one request, in one allocation:
// the handler's context (it is the context.Context of the request the
// handler receives, answering routeKey with itself), the route set by
// SetRoute, the response writer's delegator and room for the span's
// attributes.
type state struct {
	context.Context
	route string
	d     delegator
	attrs [maxSpanAttrs]attribute.KeyValue
}

// Value implements context.Context.
func (s *state) Value(key any) any {
	if _, ok := key.(routeKey); ok {
		return s
	}
	return s.Context.Value(key)
}

// SetRoute records the route template of the request being served, such as
// "/users/{id}", for routers that the middleware cannot ask by itself. It
// takes precedence over WithRouteFunc and r.Pattern. Call it from the
// handler's goroutine before the handler returns; it does nothing when the
// request does not come through the middleware.
func SetRoute(r *http.Request, route string) {
	if s, ok := r.Context().Value(routeKey{}).(*state); ok {
		s.route = route
	}
}

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
