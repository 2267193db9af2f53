// Package middleware traces and measures HTTP servers and clients.
//
// On the server side, New (or Handler for one handler) wraps a handler so
// that each request gets a server span that continues the caller's trace
// context, and counts in the design's three metrics:
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
//   - method: a known method, or "_OTHER" for any other (methods are
//     case-sensitive: "get" is "_OTHER"). The known methods are those of
//     the HTTP semantic conventions, CONNECT, DELETE, GET, HEAD, OPTIONS,
//     PATCH, POST, PUT, QUERY and TRACE, unless
//     OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS is set (see Methods below).
//   - endpoint: the route template, never the raw path (see Routes below):
//     "/users/{id}"; "unmatched" when the router answered itself because
//     no route matched (a 404 or 405, or anything a ServeMux wrapped
//     directly answers without a pattern, its redirects included);
//     "no_route" for any other response without a known route. Past 1000
//     distinct endpoints in one middleware, further ones count as "_OTHER".
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
// label or a span name.
//
// # Spans
//
// The span name is "METHOD route" ("GET /users/{id}"), or the method alone
// without a route; "HTTP" stands for a method outside the known set. The
// attributes follow the HTTP semantic conventions (v1.43). Those known
// when the request arrives are given to Start, so that samplers see them,
// when the sampler may read them: a sampler given to Init with WithSampler,
// or a tracer provider of one's own (WithTracerProvider). Init's own
// samplers (OTEL_TRACES_SAMPLER, WithSampleRatio) read none, and then all
// the attributes go at the span's end in one piece, which costs the SDK
// less (Telemetry.SamplerReadsAttributes); the exported span is the same:
//
//	http.request.method           the known method or "_OTHER"
//	http.request.method_original  the method as sent, when it is not known
//	url.scheme, url.path          "http" or "https"; the path
//	url.query                     the raw query, sensitive values REDACTED (when there is one)
//	server.address, server.port   from the Host header (the port when it has one)
//	network.protocol.version      "1.0", "1.1", "2", "3"
//	user_agent.original           when there is a User-Agent
//	client.address                the peer address (r.RemoteAddr), or with
//	                              WithForwardedClientAddress the client that the
//	                              Forwarded or X-Forwarded-For header names
//	network.peer.address          the peer and its port (network.peer.port), when
//	                              client.address names another host
//
// At the end come http.response.status_code, http.route (when the route is
// known) and error.type. Server spans are errors for 5xx, timeouts and
// panics, not for 4xx nor for a client that went away; client spans for
// transport errors and every status from 400 up. Client spans have
// http.request.method (and method_original), url.full, url.scheme,
// server.address and server.port at the start, http.response.status_code,
// network.protocol.version and error.type at the end. Every string taken
// from the request is made valid UTF-8 (OTLP refuses anything else).
//
// url.full has its user name and password replaced by REDACTED
// ("https://REDACTED:REDACTED@host/"). In url.query and url.full (query and
// fragment) the value of a parameter whose key looks like a credential is
// replaced by REDACTED, the key kept ("q=go&sig=REDACTED"). Keys are
// compared in ASCII lower case without '-', '_' and '.', and match when
// they are sig, key, code, auth, jwt or awsaccesskeyid; contain signature,
// credential, apikey, secret, passw, authorization or privatekey; or end
// in token. That covers the semantic conventions' list (AWSAccessKeyId,
// Signature, sig, X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
// X-Goog-Signature), case-insensitively, and the usual api_key, apikey,
// key, token, access_token, refresh_token, id_token, client_secret,
// password, secret, auth and OAuth code.
//
// # Routes
//
// The endpoint label and http.route come from, in order: SetRoute called
// by the handler; WithRouteFunc; the Pattern of a ServeMux that the
// middleware wraps directly (without its method and host); with
// StripPrefix, the prefix and the inner ServeMux's pattern. One-liners:
//
//	handler := middleware.New(tel)(mux)                         // ServeMux: "/users/{id}"
//	mux.Handle("/api/", middleware.StripPrefix("/api", apiMux)) // sub-mux: "/api/users/{id}"
//
// With net/http's own http.StripPrefix the middleware sees only the outer
// pattern: every request under the prefix, the inner mux's 404s included,
// counts under "/api/". A handler that copies the request between the
// middleware and the ServeMux (r.WithContext) hides the Pattern: its
// requests count as "no_route" (404 and 405 as "unmatched").
//
// For chi and gorilla/mux use the router integrations, whose route
// functions read the route where the router keeps it:
// github.com/starmates-ai-team/telemetry/instrumentation/chitel and
// github.com/starmates-ai-team/telemetry/instrumentation/muxtel.
//
// A route function that returns Unmatched, or SetRoute(r, Unmatched),
// says that the router matched no route and answered the request itself
// (a 404, a 405, a redirect to the cleaned path): the request counts as
// "unmatched" whatever its status, and the middleware does not fall back
// to the request's Pattern (chi leaves a mount point's "/api/*" there when
// the mounted router answers 404). A route function's "" means that it
// does not know, and the Pattern is used.
//
// The first request in one New that gets a response other than 404 or 405
// without a route makes one warning, ErrNoRoute, through the Telemetry's
// error handler (otel.Handle without a Telemetry): such requests all share
// the series endpoint="no_route".
//
// A request that passes through two middlewares of this package (New
// nested in New, Handler wrapped twice) is recorded once, by the outer one;
// the inner one passes it on, adding its WithLogger logger and its
// WithRouteFunc route, and SetRoute reaches the outer one.
//
// # Public endpoints
//
// A server reachable from outside should not let callers choose its
// traces: WithPublicEndpoint (or WithPublicEndpointFn for some requests)
// starts a new trace for each request instead of continuing the incoming
// one, with a link to the incoming span when there is one, so that the
// caller's sampled flag decides nothing; the incoming baggage is dropped.
//
// # Methods
//
// OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, a comma-separated list of
// case-sensitive method names ("GET,POST,PROPFIND"), replaces the default
// set of known methods, as the semantic conventions say: a method outside
// it is "_OTHER" in the method label and the http.request.method
// attribute, and "HTTP" in the span name. New and Transport read it once;
// a bad value (an item that is not an HTTP token) is reported through the
// Telemetry's error handler and the default set is used.
//
// # Providers
//
// The middleware uses the Telemetry's tracer provider, meter provider and
// propagator; WithTracerProvider, WithMeterProvider and WithPropagators
// give others, and with them New and Transport work even with a nil or
// disabled Telemetry. What is lost without a Telemetry: the labels
// environment, project and service, which the Telemetry's exporters add at
// export (the points of a MeterProvider of one's own do not get them),
// the Telemetry's resource, series cap and export counts; warnings go to
// otel.Handle. With a nil or disabled Telemetry and none of these options,
// New and Transport return the handler and the transport unchanged.
//
// # Timeouts and the response writer
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
// Label sets, endpoint labels and option slices are built once per
// distinct combination and cached, and the attribute buffers are pooled; a
// request in steady state allocates one object of its own (the request
// copy the handler receives, with the response writer's delegator, the
// route and the context), and the span in the OpenTelemetry SDK, which
// copies the attributes given to Start twice (the start options, the
// span) and a third time when the end attributes are added. That is the
// price of giving samplers the attributes. The benchmarks in this package
// compare it with the bare handler, contrib otelhttp and otelhttp +
// promhttp (docs/benchmarks.md).
package middleware
