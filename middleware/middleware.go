package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
	"github.com/starmates-ai-team/telemetry/internal/httpmetrics"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// maxSpanAttrs is the number of attributes a server span can get at its
// start; at its end it gets at most maxEndAttrs more.
const (
	maxSpanAttrs = 12
	maxEndAttrs  = 3
)

// spanAttrs holds the attributes of one server span.
type spanAttrs = [maxSpanAttrs + maxEndAttrs]attribute.KeyValue

// ErrNoRoute is the warning that a middleware made by New reports once,
// through the Telemetry's error handler (otel.Handle without a Telemetry),
// the first time a request gets a response other than 404 or 405 while no
// route is known for it. Such requests count under the endpoint
// metrics.HTTPNoRoute ("no_route"), all in one series. Match it with
// errors.Is in the handler given to telemetry.WithErrorHandler.
var ErrNoRoute = errors.New("middleware: a request was answered without a known route and counts under endpoint \"no_route\"; " +
	"name routes with middleware.SetRoute or middleware.WithRouteFunc, use a router integration " +
	"(github.com/starmates-ai-team/telemetry/instrumentation/chitel, .../muxtel), " +
	"or put the middleware directly around the http.ServeMux (middleware.StripPrefix for sub-muxes)")

// server is what the handlers made by one New share.
type server struct {
	tel     *telemetry.Telemetry // for HandleError; may be nil or disabled
	cfg     config
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	http    *httpmetrics.Instruments
	cache   *seriesCache
	methods httpconv.Methods
	warned  atomic.Bool // ErrNoRoute reported
	bufs    sync.Pool   // of *attrBuf
	// lateAttrs: nothing reads the attributes a span starts with (Init's
	// own tracer provider and sampler), so all of them go in one piece at
	// its end: the SDK then copies them once into an array of their exact
	// number, instead of copying the start ones into its start config and
	// growing its array when the end ones come.
	lateAttrs bool
}

// attrBuf holds the options and attributes of one Start, or the
// attributes of one SetAttributes: the SDK copies them, so the buffer goes
// back to the pool right after. With lateAttrs a request carries its
// buffer, of start attributes, from Start to the span's end.
type attrBuf struct {
	opts  [4]trace.SpanStartOption
	attrs spanAttrs
	// with[n] is trace.WithAttributes(attrs[:n]...), made once per buffer:
	// converting the slice to an option allocates.
	with [maxSpanAttrs + 1]trace.SpanStartOption
}

// withAttrs returns the start option of the first n attributes of b.
func (b *attrBuf) withAttrs(n int) trace.SpanStartOption {
	o := b.with[n]
	if o == nil {
		o = trace.WithAttributes(b.attrs[:n]...)
		b.with[n] = o
	}
	return o
}

func (s *server) getBuf() *attrBuf {
	if b, ok := s.bufs.Get().(*attrBuf); ok {
		return b
	}
	return new(attrBuf)
}

// putBuf returns b, of which n attributes were used, to the pool without
// the request's strings, so that the pool does not keep them alive (b.with
// refers to b alone).
func (s *server) putBuf(b *attrBuf, n int) {
	clear(b.opts[:])
	clear(b.attrs[:n])
	s.bufs.Put(b)
}

var (
	serverKind = trace.WithSpanKind(trace.SpanKindServer)
	clientKind = trace.WithSpanKind(trace.SpanKindClient)
	newRoot    = trace.WithNewRoot()
)

// New returns a middleware that traces and measures the requests of the
// handler it wraps: a server span that continues the caller's trace context
// (W3C by default), and the http_requests_total,
// http_request_duration_seconds and http_errors_total metrics (see the
// package documentation for labels and their bounds). All handlers wrapped
// by one New share their instruments and label cache.
//
// The route of a request comes from SetRoute, else WithRouteFunc, else the
// Pattern that a ServeMux set on the request the middleware passed on
// (through StripPrefix for a sub-mux). Put the middleware directly around
// the ServeMux: a handler in between that copies the request
// (r.WithContext) hides the Pattern from it. Without a route, a 404 or 405
// counts under the endpoint "unmatched" (so does anything a ServeMux that
// the middleware wraps directly answers without a pattern, such as its
// redirects), any other response under "no_route", reported once with
// ErrNoRoute.
//
// A request that already went through a middleware of this package (New
// or Handler nested in another) is recorded once, by the outer one: the
// inner one passes it on, adding only its WithLogger logger and its
// WithRouteFunc route; SetRoute reaches the outer one.
//
// The middleware uses the Telemetry's providers and propagator unless
// WithTracerProvider, WithMeterProvider or WithPropagators give others.
// With a nil or disabled tel and none of those options, New returns the
// handler unchanged (but for WithLogger's logger, which it still puts in
// the context). OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS is read once, here;
// a bad value is reported through tel.HandleError and the default methods
// are used.
func New(tel *telemetry.Telemetry, opts ...Option) func(http.Handler) http.Handler {
	cfg := newConfig(opts)
	if !tel.Enabled() && !cfg.ownProviders() {
		if l := cfg.logger; l != nil {
			// The console side of the logger still works without telemetry.
			return func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					h.ServeHTTP(w, r.WithContext(logbridge.Context(r.Context(), l)))
				})
			}
		}
		return func(h http.Handler) http.Handler { return h }
	}
	methods := knownMethods(tel)
	mp, _ := cfg.providers.MeterProvider(tel)
	var list []string
	if !methods.IsDefault() {
		list = methods.List()
	}
	h, err := httpmetrics.New(mp, list...)
	if err != nil {
		// Not with the package's constant names; keep serving regardless.
		tel.HandleError(fmt.Errorf("middleware: %w", err))
		h, _ = httpmetrics.New(nil)
	}
	s := &server{
		tel:     tel,
		cfg:     cfg,
		tracer:  tracerOf(tel, cfg),
		prop:    propagatorOf(tel, cfg),
		http:    h,
		cache:   newSeriesCache(h),
		methods: methods,
		// A tracer provider of the caller's may have a sampler or a span
		// processor that reads the start attributes; Init's has neither
		// unless WithSampler gave the sampler.
		lateAttrs: cfg.providers.Tracer == nil && tel.Enabled() && !tel.SamplerReadsAttributes(),
	}
	return func(next http.Handler) http.Handler {
		if next == nil {
			next = http.DefaultServeMux
		}
		_, isMux := next.(*http.ServeMux)
		return &handler{s: s, next: next, isMux: isMux}
	}
}

// Handler wraps one handler; it is New(tel, opts...)(h). When h is not a
// ServeMux, give its route with WithRouteFunc or SetRoute, or its requests
// count under the endpoint "no_route" (404 and 405 under "unmatched").
func Handler(tel *telemetry.Telemetry, h http.Handler, opts ...Option) http.Handler {
	return New(tel, opts...)(h)
}

func tracerOf(tel *telemetry.Telemetry, cfg config) trace.Tracer {
	tp, _ := cfg.providers.TracerProvider(tel)
	return tp.Tracer(telemetry.ScopeName, trace.WithSchemaURL(semconv.SchemaURL))
}

func propagatorOf(tel *telemetry.Telemetry, cfg config) propagation.TextMapPropagator {
	if cfg.propagator != nil {
		return cfg.propagator
	}
	return tel.Propagator()
}

// knownMethods reads OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS. A bad value
// is reported and gives the default set.
func knownMethods(tel *telemetry.Telemetry) httpconv.Methods {
	v, ok := os.LookupEnv(httpconv.KnownMethodsEnv)
	if !ok {
		return httpconv.Methods{}
	}
	ms, err := httpconv.ParseKnownMethods(v)
	if err != nil {
		tel.HandleError(fmt.Errorf("middleware: %s: %w; using the default methods", httpconv.KnownMethodsEnv, err))
		return httpconv.Methods{}
	}
	return ms
}

type handler struct {
	s     *server
	next  http.Handler
	isMux bool // next is an *http.ServeMux: no pattern means the mux answered itself
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if outer, ok := r.Context().Value(routeKey{}).(*state); ok {
		h.passThrough(outer, w, r)
		return
	}
	s := h.s
	if !s.cfg.instrument(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	method := s.methods.Normalize(r.Method)
	buf := s.getBuf()
	opts := append(buf.opts[:0], serverKind)
	n := 0
	if !s.lateAttrs {
		n = s.startAttrs(&buf.attrs, r, method)
		opts = append(opts, buf.withAttrs(n))
	}
	ctx := r.Context()
	if s.cfg.public(r) {
		// Do not trust the caller: a new trace, linked to the caller's
		// span, and none of its baggage.
		if sc := trace.SpanContextFromContext(s.prop.Extract(ctx, headerCarrier(r.Header))); sc.IsValid() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: sc}))
		}
		opts = append(opts, newRoot)
	} else {
		ctx = s.prop.Extract(ctx, headerCarrier(r.Header))
	}
	ctx, span := s.tracer.Start(ctx, spanMethod(method), opts...)
	st := &state{}
	switch {
	case !s.lateAttrs:
		s.putBuf(buf, n)
	case span.IsRecording():
		clear(buf.opts[:])
		st.attrs, st.nAttrs = buf, s.startAttrs(&buf.attrs, r, method)
	default: // sampled out: no attributes to keep
		s.putBuf(buf, 0)
	}
	st.d.w = w
	if s.cfg.logger != nil {
		ctx = logbridge.Context(ctx, s.cfg.logger)
	}
	st.Context = ctx
	// The request copy lives in st: WithContext is inlined and its copy
	// does not escape, so this is one allocation, not two.
	st.req = *r.WithContext(st)
	r2 := &st.req

	done := false
	defer func() {
		if done {
			return
		}
		// The handler panicked (or called runtime.Goexit: v is nil).
		v := recover()
		h.finish(st, r2, span, method, start, v != nil, v)
		if v != nil {
			panic(v) // net/http logs it and closes the connection, as without us
		}
	}()
	h.next.ServeHTTP(st.d.wrap(), r2)
	done = true
	h.finish(st, r2, span, method, start, false, nil)
}

// passThrough serves a request that an outer middleware of this package
// records: it only adds this middleware's logger, and hands the outer one
// what it learnt of the route.
func (h *handler) passThrough(st *state, w http.ResponseWriter, r *http.Request) {
	cfg := &h.s.cfg
	if cfg.logger != nil {
		r = r.WithContext(logbridge.Context(r.Context(), cfg.logger))
	}
	h.next.ServeHTTP(w, r)
	if st.route == "" && cfg.routeFunc != nil {
		st.route = cfg.routeFunc(r)
	}
	switch {
	case r.Pattern != "":
		if st.pattern == "" {
			st.pattern = r.Pattern
		}
	case h.isMux:
		st.muxMissed = true
	}
}

// startAttrs writes the attributes known before the handler runs into a
// and returns how many there are (at most maxSpanAttrs). They go to Start,
// so that samplers see them, unless s.lateAttrs.
func (s *server) startAttrs(a *spanAttrs, r *http.Request, method string) int {
	attrs := append(a[:0],
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLSchemeKey.String(scheme(r)),
		semconv.URLPathKey.String(validUTF8(r.URL.Path)),
	)
	if method != r.Method {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginalKey.String(validUTF8(r.Method)))
	}
	if q := r.URL.RawQuery; q != "" {
		attrs = append(attrs, semconv.URLQueryKey.String(validUTF8(httpconv.RedactQuery(q))))
	}
	if host, port := httpconv.SplitHostPort(r.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddressKey.String(validUTF8(host)))
		if port >= 0 {
			attrs = append(attrs, semconv.ServerPortKey.Int(port))
		}
	}
	if v := httpconv.ProtocolVersion(r.ProtoMajor, r.ProtoMinor, r.Proto); v != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersionKey.String(validUTF8(v)))
	}
	if ua := r.Header["User-Agent"]; len(ua) > 0 && ua[0] != "" {
		attrs = append(attrs, semconv.UserAgentOriginalKey.String(validUTF8(ua[0])))
	}
	peer, peerPort := httpconv.SplitHostPort(r.RemoteAddr)
	client := peer
	if s.cfg.forwardedClient {
		if f := httpconv.ForwardedClient(r.Header); f != "" {
			client = f
		}
	}
	if client != "" {
		attrs = append(attrs, semconv.ClientAddressKey.String(validUTF8(client)))
	}
	// The peer only when a forwarding header named another client:
	// otherwise it is client.address again, and every attribute costs the
	// SDK four copies per span.
	if peer != "" && client != peer {
		attrs = append(attrs, semconv.NetworkPeerAddressKey.String(validUTF8(peer)))
		if peerPort >= 0 {
			attrs = append(attrs, semconv.NetworkPeerPortKey.Int(peerPort))
		}
	}
	return len(attrs)
}

// finish ends the span and records the metrics of one request.
func (h *handler) finish(st *state, r2 *http.Request, span trace.Span, method string, start time.Time, panicked bool, pv any) {
	s := h.s
	status, errType := outcome(st, panicked)
	src, isPattern := h.endpoint(st, r2, status)
	ser := s.cache.get(method, src, isPattern, status)
	if ser.endpoint == metrics.HTTPNoRoute && !s.warned.Load() && s.warned.CompareAndSwap(false, true) {
		s.tel.HandleError(fmt.Errorf("%w (first: %s, status %d)", ErrNoRoute, method, status))
	}
	elapsed := time.Since(start)
	s.endSpan(st, span, ser, status, errType, pv)
	s.http.Request(st, ser.labels, elapsed)
	s.http.Error(st, errType) // nothing for the zero type

}

// outcome returns the status the client got, and how the request failed
// (the zero HTTPErrorType: it did not): from a panic, the request's
// context, the status code.
func outcome(st *state, panicked bool) (status int, errType httpmetrics.ErrorType) {
	d := &st.d
	status = d.status
	if !d.wroteHeader {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
		if d.hijacked {
			status = http.StatusSwitchingProtocols
		}
	}
	ctxErr := st.Context.Err()
	switch {
	case panicked:
		return http.StatusInternalServerError, httpmetrics.Panic
	case d.timedOut:
		// Inside http.TimeoutHandler, which answered 503.
		return http.StatusServiceUnavailable, httpmetrics.Timeout
	case errors.Is(ctxErr, context.DeadlineExceeded):
		if !d.wroteHeader && !d.hijacked {
			status = http.StatusServiceUnavailable
		}
		return status, httpmetrics.Timeout
	case status == http.StatusGatewayTimeout:
		return status, httpmetrics.Timeout
	case errors.Is(ctxErr, context.Canceled):
		return status, httpmetrics.Canceled
	case status >= 500 && status <= 599:
		return status, httpmetrics.ServerError
	case status >= 400 && status <= 499:
		return status, httpmetrics.ClientError
	}
	return status, 0
}

// endSpan gives the span its end attributes (with lateAttrs, all of
// them), its status and its name with the route, and ends it. pv is the
// handler's panic value, if it panicked.
func (s *server) endSpan(st *state, span trace.Span, ser *series, status int, errType httpmetrics.ErrorType, pv any) {
	buf, base := st.attrs, st.nAttrs // the start attributes, with lateAttrs
	st.attrs = nil
	if buf == nil {
		buf, base = s.getBuf(), 0
	}
	attrs := append(buf.attrs[:base], semconv.HTTPResponseStatusCodeKey.Int(status))
	if ser.hasRoute {
		attrs = append(attrs, semconv.HTTPRouteKey.String(ser.endpoint))
	}
	// Server spans are errors for 5xx, panics and timeouts; not for 4xx
	// (the client's mistake) nor for a client that went away.
	if errType != 0 && errType != httpmetrics.ClientError && errType != httpmetrics.Canceled {
		desc, et := "", ser.status
		if errType == httpmetrics.Panic || errType == httpmetrics.Timeout {
			et = errType.String()
		}
		if errType == httpmetrics.Panic {
			desc = fmt.Sprint("panic: ", pv)
			span.RecordError(panicError{pv}, trace.WithStackTrace(true))
		}
		attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		span.SetStatus(codes.Error, desc)
	}
	if ser.hasRoute {
		span.SetName(ser.spanName) // else it is still the method alone
	}
	// The SDK's span holds the start attributes in an array of exactly
	// their number, which SetAttributes grows by append's doubling: 6 at
	// the start and 2 here get 896 bytes where 512 do (8 and 2: 1152 for
	// 640). Once Attributes has shared that array, SetAttributes copies it
	// into one of the exact size instead (sdk/trace ensureAttrsWritable):
	// 384 bytes less per span, net of the de-duplication Attributes does.
	// Attributes only reads: samplers, span processors and exporters see
	// the same span. (A span that started without attributes needs none
	// of this: SetAttributes gives it an array of the exact size.)
	if ar, ok := span.(attrsReader); ok && !s.lateAttrs {
		_ = ar.Attributes()
	}
	span.SetAttributes(attrs...)
	s.putBuf(buf, len(attrs))
	span.End()
}

// endpoint returns where the endpoint label of the request comes from:
// SetRoute, then WithRouteFunc, then the route StripPrefix found, then the
// ServeMux pattern (isPattern: the label is its path part); without any,
// HTTPUnmatched when the router answered itself (a 404 or 405, or a
// ServeMux's own answer), else HTTPNoRoute. The series cache turns it into
// the label (valid UTF-8, the pattern's path) once per distinct value.
func (h *handler) endpoint(st *state, r2 *http.Request, status int) (src string, isPattern bool) {
	if st.route != "" {
		return st.route, false
	}
	if f := h.s.cfg.routeFunc; f != nil {
		if e := f(r2); e != "" {
			return e, false
		}
	}
	switch {
	case st.subUnmatched:
		return metrics.HTTPUnmatched, false
	case st.subRoute != "":
		return st.subRoute, false
	case r2.Pattern != "":
		return r2.Pattern, true
	case st.pattern != "":
		return st.pattern, true
	case h.isMux, st.muxMissed, status == http.StatusNotFound, status == http.StatusMethodNotAllowed:
		return metrics.HTTPUnmatched, false
	}
	return metrics.HTTPNoRoute, false
}

// validUTF8 replaces invalid UTF-8 (a path with %ff, a header with obs-text
// bytes, a route from a third-party router) with U+FFFD. OTLP is protobuf,
// whose strings must be valid UTF-8: one bad string fails the marshalling
// of its whole export batch, and in a cumulative metric label it would fail
// every metric export until the process restarts. Valid strings are
// returned as they are, without allocating.
func validUTF8(s string) string {
	if utf8.ValidString(s) { // checks ASCII 8 bytes at a time
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// attrsReader is the method of the SDK's span (sdktrace.ReadOnlySpan)
// that returns its attributes.
type attrsReader interface {
	Attributes() []attribute.KeyValue
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
