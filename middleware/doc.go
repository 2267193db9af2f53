// Package middleware traces and measures HTTP servers and clients.
//
// On the server side, New (or Handler for one handler) wraps a handler so
// that each request gets a server span that continues the caller's W3C
// trace context, and counts in the design's three metrics:
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /users/{id}", getUser)
//	srv := &http.Server{Handler: middleware.New(tel,
//		middleware.ExcludePaths("/healthz", "/metrics"))(mux)}
//
// On the client side, Transport makes a client span per request and
// injects the trace context, so that api-gateway -> workflow-engine ->
// workflow-agent is one trace:
//
//	client := &http.Client{Transport: middleware.Transport(tel, nil)}
//
// # Metrics and labels
//
// Besides environment, project and service, which the SDK adds to every
// series at export:
//
//	http_requests_total{method, endpoint, status_code}   counter
//	http_request_duration_seconds{method, endpoint}      histogram, buckets telemetry.SecondsBuckets
//	http_errors_total{error_type}                        counter
//
// Every label takes a bounded set of values:
//   - method: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE,
//     or "_OTHER" for any other method (methods are case-sensitive).
//   - endpoint: the route template, never the raw path: the ServeMux pattern
//     of the request (r.Pattern, without its method and host: "/users/{id}"),
//     or what WithRouteFunc or SetRoute supplied; "unmatched" when no route
//     matched (a ServeMux 404 or 405). Past 1000 distinct endpoints in one
//     middleware, further ones count as "_OTHER".
//   - status_code: the status sent, "100" to "599", else "_OTHER". A handler
//     that writes nothing or calls Write, Flush or ReadFrom first counts as
//     200; a hijacked connection as 101 unless a status was written before;
//     a handler that panicked as 500.
//   - error_type: one per failed request, the first that applies of
//     "panic" (the handler panicked), "timeout" (the request context passed
//     its deadline, http.TimeoutHandler around the middleware answered 503,
//     or the status is 504), "canceled" (the client went away: the request
//     context was canceled), "server_error" (5xx), "client_error" (4xx).
//
// Nothing from the Host header, the query string or the raw path becomes a
// label or a span name. The span name is "METHOD route" ("GET
// /users/{id}"), or the method alone without a route. The span carries
// http.request.method, http.route, http.response.status_code, url.scheme,
// url.path and user_agent.original; it is an error for 5xx, timeouts and
// panics, not for 4xx nor for a client that went away.
//
// Place http.TimeoutHandler outside the middleware to have its timeouts
// counted as "timeout" with status 503; inside it, they are plain 503s
// ("server_error").
//
// The response writer the handler receives has exactly the optional
// interfaces of the server's among http.Flusher, http.Hijacker and
// io.ReaderFrom, and an Unwrap method for http.ResponseController
// (deadlines, full duplex). It does not keep http.Pusher (HTTP/2 server
// push, which browsers no longer use) nor the deprecated
// http.CloseNotifier.
//
// # What a service pays in series
//
// Per service (one environment): http_requests_total has one series per
// method x endpoint x status code actually seen; http_request_duration_seconds
// has method x endpoint x (len(telemetry.SecondsBuckets) + 3) series
// (12 buckets + the +Inf bucket, _sum and _count: 15); http_errors_total
// at most 5. A service with 10 routes, each served with one method and 3
// status codes, costs 30 + 150 + 5 = 185 series. The package does not also
// emit the semantic-convention metrics of otelhttp
// (http.server.request.duration and the like), which would duplicate these.
//
// # Panics
//
// A handler panic is recorded (span status and exception event,
// http_errors_total{error_type="panic"}, status 500 in http_requests_total)
// and then re-panicked with the same value, so that net/http logs it and
// closes the connection as it would without the middleware
// (http.ErrAbortHandler stays silent).
//
// # Cost
//
// Label sets and option slices are built once per distinct combination and
// cached; a request in steady state allocates only the span (in the
// OpenTelemetry SDK), one request copy and one state object. The
// benchmarks in this package compare it with the bare handler, contrib
// otelhttp and otelhttp + promhttp (docs/benchmarks.md).
//
// With a nil or disabled *telemetry.Telemetry, New and Transport return
// the handler and the transport unchanged.
package middleware
