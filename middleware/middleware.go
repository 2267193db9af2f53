package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// maxSpanAttrs is the number of attributes a server span can get.
const maxSpanAttrs = 9

// server is what the handlers made by one New share.
type server struct {
	cfg       config
	tracer    trace.Tracer
	prop      propagation.TextMapPropagator
	http      *metrics.HTTP
	cache     *seriesCache
	startOpts []trace.SpanStartOption
}

// New returns a middleware that traces and measures the requests of the
// handler it wraps: a server span that continues the caller's W3C trace
// context, and the http_requests_total, http_request_duration_seconds and
// http_errors_total metrics (see the package documentation for labels and
// their bounds). All handlers wrapped by one New share their instruments
// and label cache.
//
// The route of a request comes from SetRoute, else WithRouteFunc, else the
// Pattern that a ServeMux set on the request the middleware passed on. Put
// the middleware directly around the ServeMux: a middleware in between that
// copies the request (r.WithContext) hides the Pattern from it, and its
// requests count as "unmatched" unless SetRoute or WithRouteFunc names them.
//
// With a nil or disabled tel the middleware returns the handler unchanged
// (but for WithLogger's logger, which it still puts in the context).
func New(tel *telemetry.Telemetry, opts ...Option) func(http.Handler) http.Handler {
	if !tel.Enabled() {
		if l := newConfig(opts).logger; l != nil {
			// The console side of the logger still works without telemetry.
			return func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					h.ServeHTTP(w, r.WithContext(logbridge.Context(r.Context(), l)))
				})
			}
		}
		return func(h http.Handler) http.Handler { return h }
	}
	h, err := metrics.NewHTTP(tel)
	if err != nil {
		// Not with the package's constant names; keep serving regardless.
		otel.Handle(fmt.Errorf("middleware: %w", err))
		h, _ = metrics.NewHTTP(nil)
	}
	s := &server{
		cfg: newConfig(opts),
		tracer: tel.TracerProvider().Tracer(telemetry.ScopeName,
			trace.WithSchemaURL(semconv.SchemaURL)),
		prop:      tel.Propagator(),
		http:      h,
		cache:     newSeriesCache(h),
		startOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)},
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			next = http.DefaultServeMux
		}
		return &handler{s: s, next: next}
	}
}

// Handler wraps one handler; it is New(tel, opts...)(h). When h is not a
// ServeMux, give its route with WithRouteFunc or SetRoute, or its requests
// count under the endpoint "unmatched".
func Handler(tel *telemetry.Telemetry, h http.Handler, opts ...Option) http.Handler {
	return New(tel, opts...)(h)
}

type handler struct {
	s    *server
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.s
	if !s.cfg.instrument(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	method := metrics.HTTPMethod(r.Method)
	ctx := s.prop.Extract(r.Context(), headerCarrier(r.Header))
	ctx, span := s.tracer.Start(ctx, spanMethod(method), s.startOpts...)
	if s.cfg.logger != nil {
		ctx = logbridge.Context(ctx, s.cfg.logger)
	}
	st := &state{Context: ctx}
	st.d.w = w
	r2 := r.WithContext(st)

	done := false
	defer func() {
		if done {
			return
		}
		// The handler panicked (or called runtime.Goexit: v is nil).
		v := recover()
		s.finish(st, r, r2, span, method, start, v != nil, v)
		if v != nil {
			panic(v) // net/http logs it and closes the connection, as without us
		}
	}()
	h.next.ServeHTTP(st.d.wrap(), r2)
	done = true
	s.finish(st, r, r2, span, method, start, false, nil)
}

// finish ends the span and records the metrics of one request.
func (s *server) finish(st *state, r, r2 *http.Request, span trace.Span, method string, start time.Time, panicked bool, pv any) {
	d := &st.d
	status := d.status
	if !d.wroteHeader {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
		if d.hijacked {
			status = http.StatusSwitchingProtocols
		}
	}
	ctxErr := st.Context.Err()
	errType, failed := metrics.HTTPErrorType(0), true
	switch {
	case panicked:
		errType, status = metrics.HTTPPanic, http.StatusInternalServerError
	case d.timedOut:
		// Inside http.TimeoutHandler, which answered 503.
		errType, status = metrics.HTTPTimeout, http.StatusServiceUnavailable
	case errors.Is(ctxErr, context.DeadlineExceeded):
		errType = metrics.HTTPTimeout
		if !d.wroteHeader && !d.hijacked {
			status = http.StatusServiceUnavailable
		}
	case status == http.StatusGatewayTimeout:
		errType = metrics.HTTPTimeout
	case errors.Is(ctxErr, context.Canceled):
		errType = metrics.HTTPCanceled
	case status >= 500 && status <= 599:
		errType = metrics.HTTPServerError
	case status >= 400 && status <= 499:
		errType = metrics.HTTPClientError
	default:
		failed = false
	}

	ser := s.cache.get(method, s.endpoint(st, r2), status)
	elapsed := time.Since(start)

	attrs := append(st.attrs[:0],
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLSchemeKey.String(scheme(r)),
		semconv.URLPathKey.String(validUTF8(r.URL.Path)),
		semconv.HTTPResponseStatusCodeKey.Int(status),
	)
	if ser.hasRoute {
		attrs = append(attrs, semconv.HTTPRouteKey.String(ser.endpoint))
	}
	if method == metrics.HTTPOther {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginalKey.String(r.Method))
	}
	if ua := r.Header["User-Agent"]; len(ua) > 0 && ua[0] != "" {
		attrs = append(attrs, semconv.UserAgentOriginalKey.String(validUTF8(ua[0])))
	}
	// Server spans are errors for 5xx, panics and timeouts; not for 4xx
	// (the client's mistake) nor for a client that went away.
	if failed && errType != metrics.HTTPClientError && errType != metrics.HTTPCanceled {
		desc, et := "", strconv.Itoa(status)
		if errType == metrics.HTTPPanic || errType == metrics.HTTPTimeout {
			et = errType.String()
		}
		if panicked {
			desc = fmt.Sprint("panic: ", pv)
			span.RecordError(panicError{pv}, trace.WithStackTrace(true))
		}
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		span.SetStatus(codes.Error, desc)
	}
	span.SetName(ser.spanName)
	span.SetAttributes(attrs...)
	span.End()

	s.http.Request(st, ser.labels, elapsed)
	if failed {
		s.http.Error(st, errType)
	}
}

// endpoint returns the route template of the request: SetRoute, then
// WithRouteFunc, then the ServeMux pattern, else HTTPUnmatched.
func (s *server) endpoint(st *state, r2 *http.Request) string {
	if st.route != "" {
		return validUTF8(st.route)
	}
	if s.cfg.routeFunc != nil {
		if e := s.cfg.routeFunc(r2); e != "" {
			return validUTF8(e)
		}
	}
	if r2.Pattern != "" {
		return validUTF8(patternRoute(r2.Pattern))
	}
	return metrics.HTTPUnmatched
}

// validUTF8 replaces invalid UTF-8 (a path with %ff, a header with obs-text
// bytes, a route from a third-party router) with U+FFFD. OTLP is protobuf,
// whose strings must be valid UTF-8: one bad string fails the marshalling
// of its whole export batch, and in a cumulative metric label it would fail
// every metric export until the process restarts. Valid strings are
// returned as they are, without allocating.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// panicError carries a panic value to span.RecordError.
type panicError struct{ v any }

func (e panicError) Error() string { return fmt.Sprint(e.v) }

// headerCarrier reads the propagation headers by their canonical names,
// which the server has already produced, instead of canonicalising the
// lower-case names the propagators ask for on every request.
type headerCarrier http.Header

func (h headerCarrier) Get(key string) string {
	var v []string
	switch key {
	case "traceparent":
		v = h["Traceparent"]
	case "tracestate":
		v = h["Tracestate"]
	case "baggage":
		v = h["Baggage"]
	default:
		return http.Header(h).Get(key)
	}
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (h headerCarrier) Set(key, value string) { http.Header(h).Set(key, value) }

func (h headerCarrier) Keys() []string { return propagation.HeaderCarrier(h).Keys() }

var _ propagation.TextMapCarrier = headerCarrier(nil)
