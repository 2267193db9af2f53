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
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
)

// maxClientAttrs is the number of attributes a client span can get at its
// start; the room is reused for the (at most 3) set at its end.
const maxClientAttrs = 6

// Transport returns an http.RoundTripper that makes a client span for each
// request sent through base and injects the trace context (and baggage,
// W3C by default) into a clone of the request, so that the server it calls
// continues the trace. A nil base means http.DefaultTransport. The span
// ends when base.RoundTrip returns (the response headers are in), not when
// the body has been read. Its attributes follow the HTTP semantic
// conventions: url.full without credentials and with sensitive query
// values replaced by REDACTED (see the package documentation),
// server.address, server.port, http.request.method and, at the end,
// http.response.status_code, network.protocol.version and error.type.
// WithFilter, WithTracerProvider and WithPropagators apply; the other
// options do not.
//
// With a nil or disabled tel and no WithTracerProvider, Transport returns
// base itself. OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS is read once, here.
func Transport(tel *telemetry.Telemetry, base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	cfg := newConfig(opts)
	if _, ok := cfg.providers.TracerProvider(tel); !ok {
		return base
	}
	return &transport{
		base:    base,
		cfg:     cfg,
		tracer:  tracerOf(tel, cfg),
		prop:    propagatorOf(tel, cfg),
		methods: knownMethods(tel),
	}
}

type transport struct {
	base    http.RoundTripper
	cfg     config
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	methods httpconv.Methods
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.cfg.instrument(r) {
		return t.base.RoundTrip(r)
	}
	method := t.methods.Normalize(r.Method)
	attrs := make([]attribute.KeyValue, 0, maxClientAttrs)
	attrs = append(attrs,
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLFullKey.String(validUTF8(httpconv.FullURL(r.URL))),
		semconv.URLSchemeKey.String(validUTF8(r.URL.Scheme)),
	)
	if method != r.Method {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginalKey.String(validUTF8(r.Method)))
	}
	hostport := r.URL.Host
	if hostport == "" {
		hostport = r.Host
	}
	if host, port := httpconv.SplitHostPort(hostport); host != "" {
		if port < 0 {
			port = defaultPort(r.URL.Scheme)
		}
		attrs = append(attrs, semconv.ServerAddressKey.String(validUTF8(host)))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPortKey.Int(port))
		}
	}
	ctx, span := t.tracer.Start(r.Context(), spanMethod(method), clientKind, trace.WithAttributes(attrs...))
	defer span.End()

	// RoundTrip must not modify the caller's request: inject into a clone.
	r2 := r.Clone(ctx)
	t.prop.Inject(ctx, propagation.HeaderCarrier(r2.Header))

	resp, err := t.base.RoundTrip(r2)
	attrs = attrs[:0] // Start copied them
	switch {
	case err != nil:
		attrs = append(attrs, semconv.ErrorTypeKey.String(clientErrorType(err)))
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	default:
		attrs = append(attrs, semconv.HTTPResponseStatusCodeKey.Int(resp.StatusCode))
		if v := httpconv.ProtocolVersion(resp.ProtoMajor, resp.ProtoMinor, resp.Proto); v != "" {
			attrs = append(attrs, semconv.NetworkProtocolVersionKey.String(validUTF8(v)))
		}
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

// defaultPort is the port of a URL scheme without one, 0 if unknown.
func defaultPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
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
