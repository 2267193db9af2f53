package middleware

import (
	"log/slog"
	"net/http"
)

// Option configures New, Handler and Transport.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

type config struct {
	filters   []func(*http.Request) bool
	routeFunc func(*http.Request) string
	logger    *slog.Logger
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	return c
}

// instrument reports whether every filter lets r through.
func (c *config) instrument(r *http.Request) bool {
	for _, f := range c.filters {
		if !f(r) {
			return false
		}
	}
	return true
}

// WithFilter instruments only the requests for which f returns true; the
// others pass through untouched (no span, no metric, no propagation).
// Several filters combine: a request is instrumented when all agree.
func WithFilter(f func(*http.Request) bool) Option {
	return optionFunc(func(c config) config {
		if f != nil {
			c.filters = append(c.filters[:len(c.filters):len(c.filters)], f)
		}
		return c
	})
}

// ExcludePaths leaves requests whose URL path is exactly one of paths
// uninstrumented, typically health checks and metrics scrapes:
//
//	middleware.ExcludePaths("/healthz", "/metrics")
func ExcludePaths(paths ...string) Option {
	ps := append([]string(nil), paths...)
	return WithFilter(func(r *http.Request) bool {
		for _, p := range ps {
			if r.URL.Path == p {
				return false
			}
		}
		return true
	})
}

// WithRouteFunc supplies the route template of a request for routers other
// than net/http's ServeMux (whose r.Pattern the middleware reads by
// itself). f is called after the handler returned, with the request the
// handler received; it must return a template such as "/users/{id}", never
// the raw path, or "" when it does not know the route. For chi, with the
// middleware installed by router.Use:
//
//	middleware.WithRouteFunc(func(r *http.Request) string {
//		return chi.RouteContext(r.Context()).RoutePattern()
//	})
//
// For gorilla/mux, mux.CurrentRoute(r).GetPathTemplate(). It applies to
// New and Handler only.
func WithRouteFunc(f func(*http.Request) string) Option {
	return optionFunc(func(c config) config {
		c.routeFunc = f
		return c
	})
}

// WithLogger puts l in each request's context (logbridge.Context), so that
// handlers log with logbridge.From(r.Context()) and every line carries the
// request's trace_id and span_id, even from calls made without a context.
// Build l with logbridge.New. It applies to New and Handler only.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c config) config {
		c.logger = l
		return c
	})
}
