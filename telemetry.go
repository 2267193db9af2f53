// Package telemetry sets up OpenTelemetry traces, metrics and logs for a Go
// service of the AI product in one call, with the labels every series must
// carry: environment (dev, prod or staging), project and service.
//
//	tel, err := telemetry.Init(ctx,
//		telemetry.WithService("api-gateway"),
//		telemetry.WithEnvironment(telemetry.Prod),
//	)
//	if err != nil {
//		return err // a *ConfigError naming the field; nothing was started
//	}
//	defer tel.Shutdown(context.Background())
//
// Init exports over OTLP (gRPC to localhost:4317 by default, OTLP/HTTP on
// request) through bounded queues with deadlines, so a collector that is
// down or slow never blocks or breaks the service. Nothing is installed as
// an OpenTelemetry global unless WithGlobal is given.
//
// Configuration comes from options, then the standard OTEL_* environment
// variables and ENVIRONMENT, then defaults; the README has the table.
// The middleware, metrics and logbridge packages build on a *Telemetry;
// telemetrytest gives the same pipeline with in-memory exporters for tests.
package telemetry

import (
	"context"
	"errors"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	lognoop "go.opentelemetry.io/otel/log/noop"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"github.com/starmates-ai-team/telemetry/internal/export"
	"github.com/starmates-ai-team/telemetry/internal/labels"
)

// ScopeName is the instrumentation scope of the telemetry the SDK itself
// produces (middleware, AI and business metrics).
const ScopeName = "github.com/starmates-ai-team/telemetry"

// errorInterval is how often the background error handler may speak.
const errorInterval = 30 * time.Second

// Telemetry holds the three providers that Init set up. Its methods are safe
// for concurrent use. A nil *Telemetry behaves as a disabled one.
type Telemetry struct {
	service     string
	environment Environment
	project     string
	labels      []attribute.KeyValue
	labelSet    attribute.Set
	res         *resource.Resource
	prop        propagation.TextMapPropagator
	shutdownTO  time.Duration

	tp trace.TracerProvider
	mp metric.MeterProvider
	lp otellog.LoggerProvider

	// Set when enabled; nil for the no-op Telemetry.
	sdkTP *sdktrace.TracerProvider
	sdkMP *sdkmetric.MeterProvider
	sdkLP *sdklog.LoggerProvider

	counters      [3]*export.Counter // traces, metrics, logs
	redact        *export.Redactor   // keeps header values out of errors
	handler       *export.Handler    // rate-limited background errors
	abandon       []func()           // abort the exporters after Shutdown
	httpTransport *http.Transport    // of the OTLP/HTTP exporters

	shutdownOnce sync.Once
	shutdownErr  error
}

// Init builds the SDK from opts and the environment. It returns a
// *ConfigError (joined, one per bad field; errors.Is(err, ErrInvalidConfig))
// and starts nothing when the configuration is invalid. It does not contact
// the collector: Init succeeds while the collector is down.
func Init(ctx context.Context, opts ...Option) (*Telemetry, error) {
	cfg, err := newConfig(os.LookupEnv, opts)
	if err != nil {
		return nil, err
	}
	return newTelemetry(ctx, cfg)
}

func newTelemetry(ctx context.Context, cfg *config) (t *Telemetry, err error) {
	// The SDK must never panic in the caller's process.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, errors.New("telemetry: Init failed unexpectedly")
		}
	}()
	t = &Telemetry{
		service:     cfg.service,
		environment: cfg.environment,
		project:     cfg.project,
		prop:        cfg.propagator,
		shutdownTO:  cfg.shutdownTimeout,
	}
	t.labels = []attribute.KeyValue{
		labels.Environment.String(string(cfg.environment)),
		labels.Project.String(cfg.project),
		labels.Service.String(cfg.service),
	}
	t.labelSet = attribute.NewSet(t.labels...)
	t.res, err = newResource(ctx, cfg)
	if err != nil {
		return nil, err
	}

	if *cfg.disabled {
		t.tp, t.mp, t.lp = tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider(), lognoop.NewLoggerProvider()
		return t, nil
	}

	sink := cfg.errorHandler
	if sink == nil {
		sink = defaultErrorSink()
	}
	t.redact = export.NewRedactor(cfg.traces.headers, cfg.metrics.headers, cfg.logs.headers)
	h := export.NewHandler(sink, errorInterval, t.redact)
	t.handler = h
	for i, s := range []string{export.Traces, export.Metrics, export.Logs} {
		t.counters[i] = export.NewCounter(s, h)
	}

	// The OTLP/HTTP exporters share a package-level transport whose idle
	// connections outlive Shutdown; ours is closed by Shutdown.
	t.httpTransport = http.DefaultTransport.(*http.Transport).Clone()
	spanExp, metricExp, logExp, err := newExporters(ctx, cfg, t.httpTransport)
	if err != nil {
		return nil, err
	}

	bspOpts := append([]sdktrace.BatchSpanProcessorOption{sdktrace.WithExportTimeout(cfg.traces.timeout)}, cfg.spanBatchOptions...)
	bspOpts = append(bspOpts, sdktrace.WithMaxQueueSize(cfg.spanQueue))
	spanW := &export.SpanExporter{SpanExporter: spanExp, C: t.counters[0]}
	metricW := export.NewMetricExporter(metricExp, t.counters[1], t.labels)
	logW := export.NewLogExporter(logExp, t.counters[2], t.labels)
	t.abandon = []func(){spanW.Abandon, metricW.Abandon, logW.Abandon}
	bsp := sdktrace.NewBatchSpanProcessor(spanW, bspOpts...)
	t.sdkTP = sdktrace.NewTracerProvider(
		sdktrace.WithResource(t.res),
		sdktrace.WithSampler(cfg.sampler),
		sdktrace.WithRawSpanLimits(spanLimits()),
		sdktrace.WithSpanProcessor(&export.SpanProcessor{Next: bsp, C: t.counters[0], Limit: int64(cfg.spanQueue)}),
	)
	t.sdkMP = sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(t.res),
		sdkmetric.WithCardinalityLimit(cfg.cardinalityLimit),
		sdkmetric.WithView(secondsView(cfg.views)),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(
			metricW,
			sdkmetric.WithInterval(cfg.metricInterval),
			sdkmetric.WithTimeout(cfg.metrics.timeout),
		)),
	)
	t.sdkLP = sdklog.NewLoggerProvider(
		sdklog.WithResource(t.res),
		sdklog.WithAttributeValueLengthLimit(cfg.logValueLimit),
		sdklog.WithProcessor(&export.LogProcessor{
			Next: sdklog.NewBatchProcessor(
				logW,
				sdklog.WithExportTimeout(cfg.logs.timeout),
				sdklog.WithMaxQueueSize(cfg.logQueue),
			),
			C: t.counters[2], Limit: int64(cfg.logQueue),
		}),
	)
	if err := registerSelfMetrics(t.sdkMP, t.counters); err != nil {
		// Only a programming error (a bad instrument name) gets here.
		h.Handle(err)
	}
	t.tp, t.mp, t.lp = t.sdkTP, t.sdkMP, t.sdkLP

	if !cfg.noGlobals {
		otel.SetTracerProvider(t.tp)
		otel.SetLoggerProvider(t.lp)
		otel.SetMeterProvider(t.mp)
		otel.SetTextMapPropagator(t.prop)
		otel.SetErrorHandler(otel.ErrorHandlerFunc(h.Handle))
	}
	return t, nil
}

// newExporters builds the OTLP exporters (or takes the ones given by
// options). Building an OTLP exporter does not dial: gRPC connects lazily.
func newExporters(ctx context.Context, cfg *config, tr http.RoundTripper) (sdktrace.SpanExporter, sdkmetric.Exporter, sdklog.Exporter, error) {
	var (
		se   sdktrace.SpanExporter = cfg.spanExporter
		me   sdkmetric.Exporter    = cfg.metricExporter
		le   sdklog.Exporter       = cfg.logExporter
		errs []error
	)
	if se == nil {
		var err error
		se, err = newSpanExporter(ctx, cfg.traces, tr)
		errs = append(errs, err)
	}
	if me == nil {
		var err error
		me, err = newMetricExporter(ctx, cfg.metrics, tr)
		errs = append(errs, err)
	}
	if le == nil {
		var err error
		le, err = newLogExporter(ctx, cfg.logs, tr)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		// Undo what was built: Init that fails half way starts nothing.
		for _, s := range []interface{ Shutdown(context.Context) error }{se, me, le} {
			if s != nil {
				_ = s.Shutdown(ctx)
			}
		}
		return nil, nil, nil, err
	}
	return se, me, le, nil
}

func newSpanExporter(ctx context.Context, s signal, tr http.RoundTripper) (sdktrace.SpanExporter, error) {
	if s.protocol == HTTPProtobuf {
		o := []otlptracehttp.Option{otlptracehttp.WithEndpoint(s.endpoint), otlptracehttp.WithURLPath(s.urlPath), otlptracehttp.WithTimeout(s.timeout), otlptracehttp.WithHTTPClient(&http.Client{Transport: tr, Timeout: s.timeout})}
		if s.insecure {
			o = append(o, otlptracehttp.WithInsecure())
		}
		if s.headers != nil {
			o = append(o, otlptracehttp.WithHeaders(s.headers))
		}
		return otlptracehttp.New(ctx, o...)
	}
	o := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(s.endpoint), otlptracegrpc.WithTimeout(s.timeout), otlptracegrpc.WithDialOption(reconnect())}
	if s.insecure {
		o = append(o, otlptracegrpc.WithInsecure())
	}
	if s.headers != nil {
		o = append(o, otlptracegrpc.WithHeaders(s.headers))
	}
	return otlptracegrpc.New(ctx, o...)
}

func newMetricExporter(ctx context.Context, s signal, tr http.RoundTripper) (sdkmetric.Exporter, error) {
	if s.protocol == HTTPProtobuf {
		o := []otlpmetrichttp.Option{otlpmetrichttp.WithEndpoint(s.endpoint), otlpmetrichttp.WithURLPath(s.urlPath), otlpmetrichttp.WithTimeout(s.timeout), otlpmetrichttp.WithHTTPClient(&http.Client{Transport: tr, Timeout: s.timeout})}
		if s.insecure {
			o = append(o, otlpmetrichttp.WithInsecure())
		}
		if s.headers != nil {
			o = append(o, otlpmetrichttp.WithHeaders(s.headers))
		}
		return otlpmetrichttp.New(ctx, o...)
	}
	o := []otlpmetricgrpc.Option{otlpmetricgrpc.WithEndpoint(s.endpoint), otlpmetricgrpc.WithTimeout(s.timeout), otlpmetricgrpc.WithDialOption(reconnect())}
	if s.insecure {
		o = append(o, otlpmetricgrpc.WithInsecure())
	}
	if s.headers != nil {
		o = append(o, otlpmetricgrpc.WithHeaders(s.headers))
	}
	return otlpmetricgrpc.New(ctx, o...)
}

func newLogExporter(ctx context.Context, s signal, tr http.RoundTripper) (sdklog.Exporter, error) {
	if s.protocol == HTTPProtobuf {
		o := []otlploghttp.Option{otlploghttp.WithEndpoint(s.endpoint), otlploghttp.WithURLPath(s.urlPath), otlploghttp.WithTimeout(s.timeout), otlploghttp.WithHTTPClient(&http.Client{Transport: tr, Timeout: s.timeout})}
		if s.insecure {
			o = append(o, otlploghttp.WithInsecure())
		}
		if s.headers != nil {
			o = append(o, otlploghttp.WithHeaders(s.headers))
		}
		return otlploghttp.New(ctx, o...)
	}
	o := []otlploggrpc.Option{otlploggrpc.WithEndpoint(s.endpoint), otlploggrpc.WithTimeout(s.timeout), otlploggrpc.WithDialOption(reconnect())}
	if s.insecure {
		o = append(o, otlploggrpc.WithInsecure())
	}
	if s.headers != nil {
		o = append(o, otlploggrpc.WithHeaders(s.headers))
	}
	return otlploggrpc.New(ctx, o...)
}

// reconnect bounds gRPC's reconnection backoff at 5 s (its default grows
// to 120 s): after an outage the first export waited up to 17 s for the
// next dial, while spans piled up in the queue.
func reconnect() grpc.DialOption {
	return grpc.WithConnectParams(grpc.ConnectParams{
		Backoff:           backoff.Config{BaseDelay: 500 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 5 * time.Second},
		MinConnectTimeout: 5 * time.Second,
	})
}

// secondsView applies the user's views first, then SecondsBuckets to
// histograms whose unit is seconds. The SDK's own instruments (scope
// ScopeName) are left alone: they carry their own bucket boundaries, which
// a view would override.
func secondsView(user []sdkmetric.View) sdkmetric.View {
	return func(i sdkmetric.Instrument) (sdkmetric.Stream, bool) {
		for _, v := range user {
			if s, ok := v(i); ok {
				return s, true
			}
		}
		if i.Kind == sdkmetric.InstrumentKindHistogram && i.Unit == "s" && i.Scope.Name != ScopeName {
			return sdkmetric.Stream{
				Name: i.Name, Description: i.Description, Unit: i.Unit,
				Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: SecondsBuckets},
			}, true
		}
		return sdkmetric.Stream{}, false
	}
}

func newResource(ctx context.Context, cfg *config) (*resource.Resource, error) {
	id := cfg.serviceInstanceID
	if id == "" {
		id = uuid.NewString()
	}
	attrs := append([]attribute.KeyValue{}, cfg.resourceAttrs...)
	attrs = append(attrs,
		semconv.ServiceName(cfg.service),
		semconv.ServiceVersion(cfg.serviceVersion),
		semconv.ServiceInstanceID(id),
		semconv.DeploymentEnvironmentNameKey.String(string(cfg.environment)),
		attribute.String("deployment.environment", string(cfg.environment)),
		labels.Project.String(cfg.project),
	)
	res, err := resource.New(ctx,
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithProcessPID(),
		resource.WithProcessRuntimeName(),
		resource.WithProcessRuntimeVersion(),
		resource.WithAttributes(attrs...),
	)
	if err != nil && res == nil {
		return nil, err
	}
	// A detector that fails (no host name, say) is not worth failing Init.
	return res, nil
}

// buildVersion is the main module's version, or "unknown".
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return "unknown"
}

// TracerProvider returns the tracer provider (a no-op one when disabled).
func (t *Telemetry) TracerProvider() trace.TracerProvider {
	if t == nil || t.tp == nil {
		return tracenoop.NewTracerProvider()
	}
	return t.tp
}

// MeterProvider returns the meter provider (a no-op one when disabled).
func (t *Telemetry) MeterProvider() metric.MeterProvider {
	if t == nil || t.mp == nil {
		return metricnoop.NewMeterProvider()
	}
	return t.mp
}

// LoggerProvider returns the OpenTelemetry logger provider (a no-op one
// when disabled). Most code logs through the logbridge package instead.
func (t *Telemetry) LoggerProvider() otellog.LoggerProvider {
	if t == nil || t.lp == nil {
		return lognoop.NewLoggerProvider()
	}
	return t.lp
}

// HandleError sends err to the SDK's error handler (WithErrorHandler, or
// standard error), rate-limited with the export errors, credentials
// redacted. Instrumentation built on a *Telemetry reports its background
// problems here. With a nil or disabled Telemetry it goes to otel.Handle.
func (t *Telemetry) HandleError(err error) {
	if err == nil {
		return
	}
	if t == nil || t.handler == nil {
		otel.Handle(err)
		return
	}
	t.handler.Handle(err)
}

// Propagator returns the propagator: WithPropagator's, else the one
// OTEL_PROPAGATORS names, else W3C tracecontext and baggage.
func (t *Telemetry) Propagator() propagation.TextMapPropagator {
	if t == nil || t.prop == nil {
		return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return t.prop
}

// Resource returns the resource shared by the three signals.
func (t *Telemetry) Resource() *resource.Resource {
	if t == nil || t.res == nil {
		return resource.Empty()
	}
	return t.res
}

// Service returns the service name.
func (t *Telemetry) Service() string {
	if t == nil {
		return ""
	}
	return t.service
}

// Environment returns the environment.
func (t *Telemetry) Environment() Environment {
	if t == nil {
		return ""
	}
	return t.environment
}

// Project returns the project label.
func (t *Telemetry) Project() string {
	if t == nil {
		return ""
	}
	return t.project
}

// Labels returns the mandatory labels (environment, project, service) as a
// set. The SDK adds them to every exported metric point; callers need them
// only to label data that leaves by another path.
func (t *Telemetry) Labels() attribute.Set {
	if t == nil {
		return attribute.NewSet()
	}
	return t.labelSet
}

// Enabled reports whether Init built real providers (false when
// OTEL_SDK_DISABLED or WithDisabled turned the SDK off).
func (t *Telemetry) Enabled() bool { return t != nil && t.sdkTP != nil }

// SignalStats counts the exports of one signal since Init.
type SignalStats struct {
	Exports       int64 // export calls that succeeded
	Failures      int64 // export calls that failed (collector down, refused, timed out)
	ItemsExported int64 // spans, metric points or log records delivered
	ItemsFailed   int64 // spans, metric points or log records in failed exports
	Dropped       int64 // spans or log records refused because the queue was full
}

// Stats reports the export counts of traces, metrics and logs.
func (t *Telemetry) Stats() (traces, metrics, logs SignalStats) {
	if !t.Enabled() {
		return
	}
	conv := func(c *export.Counter) SignalStats { return SignalStats(c.Stats()) }
	return conv(t.counters[0]), conv(t.counters[1]), conv(t.counters[2])
}

// ForceFlush exports what the three providers hold, in parallel, within
// ctx's deadline (the shutdown timeout if ctx has none). It reports exports
// that failed meanwhile.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.parallel(ctx, t.sdkTP.ForceFlush, t.sdkMP.ForceFlush, t.sdkLP.ForceFlush)
}

// Shutdown flushes and stops the three providers in parallel, so a dead
// collector costs one deadline, not three. It honours ctx's deadline, or
// the shutdown timeout (5 s by default) if ctx has none, and returns what
// it could not do. Calls after the first return the first result.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	t.shutdownOnce.Do(func() {
		t.shutdownErr = t.parallel(ctx, t.sdkTP.Shutdown, t.sdkMP.Shutdown, t.sdkLP.Shutdown)
		// Past the deadline the batch processors would go on draining their
		// queues, one export timeout a batch, after Shutdown returned: abort
		// what is in flight and fail the rest at once (counted as failed).
		for _, a := range t.abandon {
			a()
		}
		t.httpTransport.CloseIdleConnections()
	})
	return t.shutdownErr
}

func (t *Telemetry) parallel(ctx context.Context, fns ...func(context.Context) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.shutdownTO)
		defer cancel()
	}
	errs := make([]error, 2*len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		before := t.counters[i].Stats()
		wg.Go(func() {
			errs[2*i] = fn(ctx)
			errs[2*i+1] = t.counters[i].FailuresSince(before)
		})
	}
	wg.Wait()
	return t.redact.Redact(errors.Join(errs...))
}

// MaxAttributeLength is the default bound, in bytes, of a span or log
// attribute value: a 1 MiB header or payload is truncated, not stored and
// exported whole. OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT and
// OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT override it.
const MaxAttributeLength = 8 << 10

// spanLimits are the SDK's defaults (and OTEL_SPAN_* variables) with the
// attribute value length bounded.
func spanLimits() sdktrace.SpanLimits {
	l := sdktrace.NewSpanLimits()
	if l.AttributeValueLengthLimit < 0 {
		l.AttributeValueLengthLimit = MaxAttributeLength
	}
	return l
}
