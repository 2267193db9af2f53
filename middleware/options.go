package middleware

import (
	"log/slog"
	"net/http"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/internal/provider"
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

	providers  provider.Set
	propagator propagation.TextMapPropagator

	publicEndpoint   bool
	publicEndpointFn func(*http.Request) bool
	forwardedClient  bool
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

// ownProviders reports whether an option gave a provider, which makes the
// middleware work without an enabled Telemetry.
func (c *config) ownProviders() bool {
	return c.providers.Tracer != nil || c.providers.Meter != nil
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

// public reports whether r is served by a public endpoint.
func (c *config) public(r *http.Request) bool {
	return c.publicEndpoint || (c.publicEndpointFn != nil && c.publicEndpointFn(r))
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

// WithRouteFunc supplies the route template of a request for a router that
// the middleware cannot ask by itself. f is called after the handler
// returned, with the request the handler received (the one the middleware
// passed on). It returns one of:
//
//   - a template such as "/users/{id}", never the raw path;
//   - Unmatched when the router matched no route and answered the request
//     itself (its 404, 405 or redirect): the request counts under the
//     endpoint "unmatched", and the middleware does not fall back to the
//     request's Pattern;
//   - "" when f does not know the route: the middleware falls back to the
//     ServeMux pattern, if any.
//
// f must not panic on a request the router did not route: it runs for
// every request, 404s included. It applies to New and Handler only.
//
// Most routers keep the matched route on a request or context that they
// create below the middleware, out of f's reach when the middleware wraps
// the router from outside: gorilla/mux's mux.CurrentRoute(r) is nil there,
// and so calling its GetPathTemplate panics. Use the router integrations
// instead, whose own route functions read the route where the router
// keeps it (chi's routing context, gorilla's Match):
// github.com/starmates-ai-team/telemetry/instrumentation/chitel for chi and
// github.com/starmates-ai-team/telemetry/instrumentation/muxtel for
// gorilla/mux. WithRouteFunc is for routes the middleware can tell from
// the request itself, or from state the handler leaves on it:
//
//	middleware.WithRouteFunc(func(r *http.Request) string {
//		if strings.HasPrefix(r.URL.Path, "/static/") {
//			return "/static/{file...}"
//		}
//		return "" // the ServeMux pattern, if any
//	})
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

// WithTracerProvider starts the spans on tp instead of the Telemetry's
// tracer provider. With it, a nil or disabled Telemetry still gives spans,
// on tp. A nil tp leaves the default.
//
// Without a Telemetry, errors and warnings go to otel.Handle. Spans on a
// provider of one's own get that provider's resource, sampler and
// exporters, not the Telemetry's.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c config) config {
		c.providers = c.providers.WithTracer(tp)
		return c
	})
}

// WithMeterProvider records http_requests_total,
// http_request_duration_seconds and http_errors_total on mp instead of the
// Telemetry's meter provider. With it, a nil or disabled Telemetry still
// records, on mp. A nil mp leaves the default. It applies to New and
// Handler only (Transport records no metrics).
//
// The labels environment, project and service, which the dashboards and
// alert rules select on, are added by the Telemetry's exporters at export
// time: the points of a provider of one's own do not get them (its
// pipeline must add them), nor the Telemetry's series cap per instrument.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c config) config {
		c.providers = c.providers.WithMeter(mp)
		return c
	})
}

// WithPropagators reads (New, Handler) and writes (Transport) trace context
// and baggage with p instead of the Telemetry's propagator (which is
// telemetry.WithPropagator's, else OTEL_PROPAGATORS', else W3C tracecontext
// and baggage; the same W3C pair without a Telemetry). A nil p leaves the
// default.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c config) config {
		if p != nil {
			c.propagator = p
		}
		return c
	})
}

// WithPublicEndpoint says that the server is reachable from outside: a
// request's incoming trace context is not trusted as the parent of its
// span. The server span starts a new trace (so a caller's sampled flag
// decides nothing) with a link to the incoming span context when there is
// a valid one, and the incoming baggage is dropped: the handler's context
// does not have it. It applies to New and Handler only.
func WithPublicEndpoint() Option {
	return optionFunc(func(c config) config {
		c.publicEndpoint = true
		return c
	})
}

// WithPublicEndpointFn is WithPublicEndpoint for the requests for which f
// returns true, for a server that serves both the public and internal
// callers (f could check the path, a header set by the edge proxy, or the
// peer address). f runs before the span starts, on the incoming request.
func WithPublicEndpointFn(f func(*http.Request) bool) Option {
	return optionFunc(func(c config) config {
		c.publicEndpointFn = f
		return c
	})
}

// WithForwardedClientAddress takes the client.address span attribute from
// the forwarding headers: the for= parameter of the first Forwarded header
// (RFC 7239), else the first address of X-Forwarded-For; without them, or
// without this option, it is the peer address (r.RemoteAddr). Any client
// can send these headers: use the option only behind a proxy that sets
// them. The peer is still recorded as network.peer.address. It applies to
// New and Handler only.
func WithForwardedClientAddress() Option {
	return optionFunc(func(c config) config {
		c.forwardedClient = true
		return c
	})
}
