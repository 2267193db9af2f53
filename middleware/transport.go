package middleware

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// Transport returns an http.RoundTripper that makes a client span for each
// request sent through base and injects the W3C trace context (and
// baggage) into a clone of the request, so that the server it calls
// continues the trace. A nil base means http.DefaultTransport. The span
// ends when base.RoundTrip returns (the response headers are in), not when
// the body has been read. WithFilter applies; WithRouteFunc does not.
//
// With a nil or disabled tel, Transport returns base itself.
func Transport(tel *telemetry.Telemetry, base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !tel.Enabled() {
		return base
	}
	return &transport{
		base: base,
		cfg:  newConfig(opts),
		tracer: tel.TracerProvider().Tracer(telemetry.ScopeName,
			trace.WithSchemaURL(semconv.SchemaURL)),
		prop:      tel.Propagator(),
		startOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)},
	}
}

type transport struct {
	base      http.RoundTripper
	cfg       config
	tracer    trace.Tracer
	prop      propagation.TextMapPropagator
	startOpts []trace.SpanStartOption
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.cfg.instrument(r) {
		return t.base.RoundTrip(r)
	}
	method := metrics.HTTPMethod(r.Method)
	ctx, span := t.tracer.Start(r.Context(), spanMethod(method), t.startOpts...)
	defer span.End()

	// RoundTrip must not modify the caller's request: inject into a clone.
	r2 := r.Clone(ctx)
	t.prop.Inject(ctx, propagation.HeaderCarrier(r2.Header))

	attrs := make([]attribute.KeyValue, 0, 7)
	attrs = append(attrs,
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLSchemeKey.String(r.URL.Scheme),
		semconv.ServerAddressKey.String(r.URL.Hostname()),
	)
	if method == metrics.HTTPOther {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginalKey.String(r.Method))
	}
	if p := port(r); p > 0 {
		attrs = append(attrs, semconv.ServerPortKey.Int(p))
	}

	resp, err := t.base.RoundTrip(r2)
	switch {
	case err != nil:
		attrs = append(attrs, semconv.ErrorTypeKey.String(clientErrorType(err)))
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	default:
		attrs = append(attrs, semconv.HTTPResponseStatusCodeKey.Int(resp.StatusCode))
		// Client spans are errors for 4xx as well as 5xx.
		if resp.StatusCode >= 400 {
			attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
			span.SetStatus(codes.Error, "")
		}
	}
	span.SetAttributes(attrs...)
	return resp, err
}

// CloseIdleConnections closes the idle connections of base, if it keeps
// any, so that http.Client.CloseIdleConnections reaches it.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// port returns the port of the request URL, or the scheme's default.
func port(r *http.Request) int {
	if p := r.URL.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return 0
		}
		return n
	}
	switch r.URL.Scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// clientErrorType classifies a transport error into a small set of
// error.type values.
func clientErrorType(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "_OTHER"
}
