package metrics

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
)

// The HTTP server metrics of the design, as they appear in Prometheus once
// the collector has translated them. Counters carry their final name
// (ending in _total) and no unit; the histogram is in seconds and ends in
// _seconds, so the translator adds no suffix. The SDK adds the labels
// environment, project and service at export: these instruments never set
// them.
const (
	// HTTPRequestsName counts finished HTTP server requests, labelled
	// method, endpoint and status_code.
	HTTPRequestsName        = "http_requests_total"
	HTTPRequestsUnit        = ""
	HTTPRequestsDescription = "HTTP server requests, by method, route template and status code."

	// HTTPRequestDurationName is the histogram of HTTP server request
	// durations in seconds, labelled method and endpoint. Its buckets are
	// telemetry.SecondsBuckets (the SDK's view for unit "s").
	HTTPRequestDurationName        = "http_request_duration_seconds"
	HTTPRequestDurationUnit        = "s"
	HTTPRequestDurationDescription = "Duration of HTTP server requests in seconds, by method and route template."

	// HTTPErrorsName counts failed HTTP server requests by error_type, one
	// of the HTTPErrorType values.
	HTTPErrorsName        = "http_errors_total"
	HTTPErrorsUnit        = ""
	HTTPErrorsDescription = "Failed HTTP server requests, by error type (client_error, server_error, timeout, canceled, panic)."
)

// The label keys of the HTTP metrics.
const (
	HTTPMethodKey     attribute.Key = "method"
	HTTPEndpointKey   attribute.Key = "endpoint"
	HTTPStatusCodeKey attribute.Key = "status_code"
	HTTPErrorTypeKey  attribute.Key = "error_type"
)

// Label values that stand for a group of inputs.
const (
	// HTTPOther is the method of a request whose method is not a known
	// one, the status_code of a status outside 100..599, and the endpoint
	// once a middleware has seen more distinct routes than it keeps.
	HTTPOther = httpconv.Other
	// HTTPUnmatched is the endpoint of a request that the router answered
	// itself because no route matched: a 404 or 405 without a route,
	// anything an http.ServeMux answers without a pattern (its redirects
	// included), or a request whose route function (or SetRoute) gave
	// middleware.Unmatched, as the router integrations do for a mounted
	// router's 404 or gorilla's clean-path redirect.
	HTTPUnmatched = "unmatched"
	// HTTPNoRoute is the endpoint of a request that got a response other
	// than 404 or 405 without any route being known: a handler that is not
	// a router, or a router the middleware cannot ask. The middleware warns
	// once when it first sees one; name the routes with middleware.SetRoute,
	// middleware.WithRouteFunc or a router integration.
	HTTPNoRoute = "no_route"
)

// HTTPMethod returns the value of the method label for m in the default
// set of the HTTP semantic conventions: m itself when it is one of the
// methods of RFC 9110, PATCH (RFC 5789) or QUERY (CONNECT, DELETE, GET,
// HEAD, OPTIONS, PATCH, POST, PUT, QUERY, TRACE), HTTPOther otherwise
// (methods are case-sensitive: "get" is HTTPOther). The middleware uses
// the set named by OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS instead when it
// is set. It does not allocate.
func HTTPMethod(m string) string {
	return httpconv.Methods{}.Normalize(m)
}

// HTTPStatusCode returns the value of the status_code label for code: its
// decimal form for 100..599, HTTPOther otherwise.
func HTTPStatusCode(code int) string {
	if code < 100 || code > 599 {
		return HTTPOther
	}
	return strconv.Itoa(code)
}

// HTTPErrorType is the closed set of values of the error_type label of
// http_errors_total. A request counts once, under the first type that
// applies in the order Panic, Timeout, Canceled, ServerError, ClientError.
// The zero value is no error: it is not counted.
type HTTPErrorType uint8

// The error types.
const (
	// HTTPClientError is a response with a 4xx status.
	HTTPClientError HTTPErrorType = iota + 1
	// HTTPServerError is a response with a 5xx status.
	HTTPServerError
	// HTTPTimeout is a request whose context passed its deadline, one
	// answered by http.TimeoutHandler's 503, or a 504 response.
	HTTPTimeout
	// HTTPCanceled is a request whose client went away (its context was
	// canceled) before the handler finished.
	HTTPCanceled
	// HTTPPanic is a request whose handler panicked.
	HTTPPanic

	numHTTPErrorTypes = iota + 1
)

var httpErrorTypeNames = [numHTTPErrorTypes]string{
	HTTPClientError: "client_error",
	HTTPServerError: "server_error",
	HTTPTimeout:     "timeout",
	HTTPCanceled:    "canceled",
	HTTPPanic:       "panic",
}

// String returns the label value: client_error, server_error, timeout,
// canceled or panic ("" for the zero value and a value outside the set).
func (t HTTPErrorType) String() string {
	if t >= numHTTPErrorTypes {
		return ""
	}
	return httpErrorTypeNames[t]
}

// HTTP holds the design's HTTP server instruments. Build it once with
// NewHTTP; its methods are safe for concurrent use. A nil *HTTP records
// nothing.
type HTTP struct {
	requests metric.Int64Counter
	duration metric.Float64Histogram
	errors   metric.Int64Counter
	enabled  bool
	methods  httpconv.Methods

	errorOpts [numHTTPErrorTypes][]metric.AddOption
}

// NewHTTP creates the HTTP instruments on mp, under the scope
// telemetry.ScopeName; pass tel.MeterProvider() for a *telemetry.Telemetry.
// A nil or no-op mp gives an *HTTP that records nothing. knownMethods, when
// given, replaces HTTPMethod's default set of methods for the method label
// (case-sensitive; the middleware passes the set of
// OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS).
//
// The labels environment, project and service come from the Telemetry's
// exporters at export time: a MeterProvider of one's own does not add them.
func NewHTTP(mp metric.MeterProvider, knownMethods ...string) (*HTTP, error) {
	h := &HTTP{methods: httpconv.NewMethods(knownMethods...)}
	if mp == nil {
		return h, nil
	}
	if _, noop := mp.(metricnoop.MeterProvider); noop {
		return h, nil
	}
	h.enabled = true
	meter := mp.Meter(telemetry.ScopeName)
	var err error
	if h.requests, err = meter.Int64Counter(HTTPRequestsName,
		metric.WithUnit(HTTPRequestsUnit), metric.WithDescription(HTTPRequestsDescription)); err != nil {
		return nil, err
	}
	if h.duration, err = meter.Float64Histogram(HTTPRequestDurationName,
		metric.WithUnit(HTTPRequestDurationUnit), metric.WithDescription(HTTPRequestDurationDescription),
		metric.WithExplicitBucketBoundaries(telemetry.SecondsBuckets...)); err != nil {
		return nil, err
	}
	if h.errors, err = meter.Int64Counter(HTTPErrorsName,
		metric.WithUnit(HTTPErrorsUnit), metric.WithDescription(HTTPErrorsDescription)); err != nil {
		return nil, err
	}
	for t := HTTPClientError; t < numHTTPErrorTypes; t++ {
		set := attribute.NewSet(HTTPErrorTypeKey.String(httpErrorTypeNames[t]))
		h.errorOpts[t] = []metric.AddOption{metric.WithAttributeSet(set)}
	}
	return h, nil
}

// Enabled reports whether h records anything. Callers may skip preparing
// labels when it is false.
func (h *HTTP) Enabled() bool { return h != nil && h.enabled }

// HTTPLabels is one prepared combination of the labels of
// http_requests_total (method, endpoint, status_code) and of
// http_request_duration_seconds (method, endpoint). Prepare it once per
// distinct combination with HTTP.Labels and keep it: recording with it
// does not allocate.
type HTTPLabels struct {
	requests []metric.AddOption
	duration []metric.RecordOption
}

// Labels prepares the labels for method, endpoint and status code. method
// is normalised with h's known methods (HTTPMethod's set unless NewHTTP was
// given others) and statusCode goes through HTTPStatusCode, so their values
// stay bounded; endpoint must already be a route template (or
// HTTPUnmatched, HTTPNoRoute, HTTPOther), never a raw path. Labels
// allocates: cache its result. A nil h gives empty labels.
func (h *HTTP) Labels(method, endpoint string, statusCode int) HTTPLabels {
	if h == nil {
		return HTTPLabels{}
	}
	m := attribute.String(string(HTTPMethodKey), h.methods.Normalize(method))
	e := attribute.String(string(HTTPEndpointKey), endpoint)
	s := attribute.String(string(HTTPStatusCodeKey), HTTPStatusCode(statusCode))
	return HTTPLabels{
		requests: []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m, e, s))},
		duration: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(m, e))},
	}
}

// Request records one finished request: one to http_requests_total and
// its duration to http_request_duration_seconds. ctx links exemplars to
// the current span.
func (h *HTTP) Request(ctx context.Context, l HTTPLabels, d time.Duration) {
	if !h.Enabled() || l.requests == nil {
		return
	}
	h.requests.Add(ctx, 1, l.requests...)
	h.duration.Record(ctx, d.Seconds(), l.duration...)
}

// Error counts one failed request in http_errors_total under t. The zero
// value and a t outside the set are ignored.
func (h *HTTP) Error(ctx context.Context, t HTTPErrorType) {
	if !h.Enabled() || t == 0 || t >= numHTTPErrorTypes {
		return
	}
	h.errors.Add(ctx, 1, h.errorOpts[t]...)
}
