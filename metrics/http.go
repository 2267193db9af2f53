package metrics

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry"
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
	// HTTPOther is the method of a request whose method is not one of the
	// standard ones, the status_code of a status outside 100..599, and the
	// endpoint once a middleware has seen more distinct routes than it keeps.
	HTTPOther = "_OTHER"
	// HTTPUnmatched is the endpoint of a request that matched no route.
	HTTPUnmatched = "unmatched"
)

// HTTPMethod returns the value of the method label for m: m itself when it
// is one of the methods of RFC 9110 and RFC 5789 (CONNECT, DELETE, GET,
// HEAD, OPTIONS, PATCH, POST, PUT, TRACE), HTTPOther otherwise (methods are
// case-sensitive: "get" is HTTPOther). It does not allocate.
func HTTPMethod(m string) string {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE":
		return m
	}
	return HTTPOther
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
type HTTPErrorType uint8

// The error types.
const (
	// HTTPClientError is a response with a 4xx status.
	HTTPClientError HTTPErrorType = iota
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

	numHTTPErrorTypes = iota
)

var httpErrorTypeNames = [numHTTPErrorTypes]string{
	HTTPClientError: "client_error",
	HTTPServerError: "server_error",
	HTTPTimeout:     "timeout",
	HTTPCanceled:    "canceled",
	HTTPPanic:       "panic",
}

// String returns the label value: client_error, server_error, timeout,
// canceled or panic ("" for a value outside the set).
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

	errorOpts [numHTTPErrorTypes][]metric.AddOption
}

// NewHTTP creates the HTTP instruments on tel's meter provider, under the
// scope telemetry.ScopeName. A nil or disabled tel gives an *HTTP that
// records nothing.
func NewHTTP(tel *telemetry.Telemetry) (*HTTP, error) {
	meter := tel.MeterProvider().Meter(telemetry.ScopeName)
	h := &HTTP{enabled: tel.Enabled()}
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
	for t := range h.errorOpts {
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
// goes through HTTPMethod and statusCode through HTTPStatusCode, so their
// values stay bounded; endpoint must already be a route template (or
// HTTPUnmatched), never a raw path. Labels allocates: cache its result.
func (h *HTTP) Labels(method, endpoint string, statusCode int) HTTPLabels {
	m := attribute.String(string(HTTPMethodKey), HTTPMethod(method))
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

// Error counts one failed request in http_errors_total under t. A t
// outside the set is ignored.
func (h *HTTP) Error(ctx context.Context, t HTTPErrorType) {
	if !h.Enabled() || t >= numHTTPErrorTypes {
		return
	}
	h.errors.Add(ctx, 1, h.errorOpts[t]...)
}
