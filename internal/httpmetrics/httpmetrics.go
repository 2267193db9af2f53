// Package httpmetrics records the HTTP server metrics of the catalogue
// (http_requests_total, http_request_duration_seconds, http_errors_total)
// for package middleware, with label combinations prepared once so that
// recording does not allocate.
package httpmetrics

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
	"github.com/starmates-ai-team/telemetry/metrics"
)

const (
	methodKey    = string(metrics.HTTPMethodKey)
	endpointKey  = string(metrics.HTTPEndpointKey)
	statusKey    = string(metrics.HTTPStatusCodeKey)
	errorTypeKey = string(metrics.HTTPErrorTypeKey)
)

// StatusCode returns the value of the status_code label for code: its
// decimal form for 100..599, metrics.HTTPOther otherwise.
func StatusCode(code int) string {
	if code < 100 || code > 599 {
		return metrics.HTTPOther
	}
	return strconv.Itoa(code)
}

// ErrorType is the closed set of values of the error_type label of
// http_errors_total. A request counts once, under the first type that
// applies in the order Panic, Timeout, Canceled, ServerError, ClientError.
// The zero value is no error: it is not counted.
type ErrorType uint8

// The error types.
const (
	// ClientError is a response with a 4xx status.
	ClientError ErrorType = iota + 1
	// ServerError is a response with a 5xx status.
	ServerError
	// Timeout is a request whose context passed its deadline, one
	// answered by http.TimeoutHandler's 503, or a 504 response.
	Timeout
	// Canceled is a request whose client went away (its context was
	// canceled) before the handler finished.
	Canceled
	// Panic is a request whose handler panicked.
	Panic

	numErrorTypes = iota + 1
)

var errorTypeNames = [numErrorTypes]string{
	ClientError: "client_error",
	ServerError: "server_error",
	Timeout:     "timeout",
	Canceled:    "canceled",
	Panic:       "panic",
}

// String returns the label value: client_error, server_error, timeout,
// canceled or panic ("" for the zero value and a value outside the set).
func (t ErrorType) String() string {
	if t >= numErrorTypes {
		return ""
	}
	return errorTypeNames[t]
}

// Instruments holds the HTTP server instruments. Build it once with New;
// its methods are safe for concurrent use. A nil *Instruments records
// nothing.
type Instruments struct {
	requests metric.Int64Counter
	duration metric.Float64Histogram
	errors   metric.Int64Counter
	enabled  bool
	methods  httpconv.Methods

	errorOpts [numErrorTypes][]metric.AddOption
}

// New creates the HTTP instruments on mp, under the scope
// telemetry.ScopeName; pass tel.MeterProvider() for a *telemetry.Telemetry.
// A nil or no-op mp gives an *Instruments that records nothing. knownMethods, when
// given, replaces the default set of methods for the method label
// (case-sensitive; the middleware passes the set of
// OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS).
//
// The labels environment, project and service come from the Telemetry's
// exporters at export time: a MeterProvider of one's own does not add them.
func New(mp metric.MeterProvider, knownMethods ...string) (*Instruments, error) {
	h := &Instruments{methods: httpconv.NewMethods(knownMethods...)}
	if mp == nil {
		return h, nil
	}
	if _, noop := mp.(metricnoop.MeterProvider); noop {
		return h, nil
	}
	h.enabled = true
	meter := mp.Meter(telemetry.ScopeName)
	var err error
	if h.requests, err = catalog.Int64Counter(meter, catalog.HTTPRequests); err != nil {
		return nil, err
	}
	if h.duration, err = catalog.Float64Histogram(meter, catalog.HTTPRequestDuration, telemetry.SecondsBuckets); err != nil {
		return nil, err
	}
	if h.errors, err = catalog.Int64Counter(meter, catalog.HTTPErrors); err != nil {
		return nil, err
	}
	for t := ClientError; t < numErrorTypes; t++ {
		set := attribute.NewSet(attribute.String(errorTypeKey, errorTypeNames[t]))
		h.errorOpts[t] = []metric.AddOption{metric.WithAttributeSet(set)}
	}
	return h, nil
}

// Enabled reports whether h records anything. Callers may skip preparing
// labels when it is false.
func (h *Instruments) Enabled() bool { return h != nil && h.enabled }

// Labels is one prepared combination of the labels of
// http_requests_total (method, endpoint, status_code) and of
// http_request_duration_seconds (method, endpoint). Prepare it once per
// distinct combination with HTTP.Labels and keep it: recording with it
// does not allocate.
type Labels struct {
	requests []metric.AddOption
	duration []metric.RecordOption
}

// Labels prepares the labels for method, endpoint and status code. method
// is normalised with h's known methods (the default set unless New was
// given others) and statusCode goes through StatusCode, so their values
// stay bounded; endpoint must already be a route template (or
// metrics.HTTPUnmatched, HTTPNoRoute, HTTPOther), never a raw path. Labels
// allocates: cache its result. A nil h gives empty labels.
func (h *Instruments) Labels(method, endpoint string, statusCode int) Labels {
	if h == nil {
		return Labels{}
	}
	m := attribute.String(methodKey, h.methods.Normalize(method))
	e := attribute.String(endpointKey, endpoint)
	s := attribute.String(statusKey, StatusCode(statusCode))
	return Labels{
		requests: []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m, e, s))},
		duration: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(m, e))},
	}
}

// Request records one finished request: one to http_requests_total and
// its duration to http_request_duration_seconds. ctx links exemplars to
// the current span.
func (h *Instruments) Request(ctx context.Context, l Labels, d time.Duration) {
	if !h.Enabled() || l.requests == nil {
		return
	}
	h.requests.Add(ctx, 1, l.requests...)
	h.duration.Record(ctx, d.Seconds(), l.duration...)
}

// Error counts one failed request in http_errors_total under t. The zero
// value and a t outside the set are ignored.
func (h *Instruments) Error(ctx context.Context, t ErrorType) {
	if !h.Enabled() || t == 0 || t >= numErrorTypes {
		return
	}
	h.errors.Add(ctx, 1, h.errorOpts[t]...)
}
