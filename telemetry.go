// Package telemetry sets up OpenTelemetry traces, metrics and logs for a Go
// service of the AI product in one call, with the labels every series must
// carry: environment (dev, prod or staging), project and service.
//
//	tel, err := telemetry.Init(ctx,
//		telemetry.WithService("api-gateway"),
//		telemetry.WithEnvironment(telemetry.Prod),
//	)
//	if err != nil {
//		return err // names each bad setting; nothing was started
//	}
//	defer tel.Shutdown(context.Background())
//
// Init exports over OTLP (gRPC to localhost:4317 by default, OTLP/HTTP on
// request) through bounded queues with deadlines, so a collector that is
// down or slow never blocks or breaks the service. It installs its
// providers and propagator as the OpenTelemetry globals, so that libraries
// instrumented with OpenTelemetry (otelhttp, otelgrpc, otelsql, ...) join
// the same traces and their metrics carry the three labels;
// WithGlobals(false) leaves the globals alone. It records the Go runtime
// metrics unless WithRuntimeMetrics(false).
//
// Configuration comes from options, then the standard OTEL_* environment
// variables and ENVIRONMENT, then defaults; the README has the table. A
// bad value of any variable makes Init fail: the error is a *ConfigError
// naming the variable when one setting is bad, and the errors.Join of one
// *ConfigError per bad setting when several are (use errors.As to read
// one, errors.Is(err, ErrInvalidConfig) to recognise them all).
//
// The SDK's own errors (failed exports, mostly) are rate-limited and go to
// standard error, or to WithErrorHandler's function, or, after
// SetErrorHandler (logbridge.WithSDKErrors calls it), into the service's
// log.
//
// The middleware, metrics and logbridge packages build on a *Telemetry;
// telemetrytest gives the same pipeline with in-memory exporters for tests.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otellog "go.opentelemetry.io/otel/log"
	lognoop "go.opentelemetry.io/otel/log/noop"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

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

	// The SDK's providers; nil when disabled, where the accessors hand out
	// no-op ones.
	sdkTP *sdktrace.TracerProvider
	sdkMP *sdkmetric.MeterProvider
	sdkLP *sdklog.LoggerProvider
	// callerSampler: the sampler is the caller's (WithSampler), which may
	// read the attributes spans start with.
	callerSampler bool

	counters   [signalCount]*export.Counter // indexed by signalTraces, signalMetrics, signalLogs
	redact     *export.Redactor             // keeps header values out of errors
	handler    *export.Handler              // rate-limited background errors
	abandon    []func()                     // abort the exporters after Shutdown
	transports []*http.Transport            // of the OTLP/HTTP exporters
	conns      conns                        // that they opened
	prom       *http.Server                 // OTEL_METRICS_EXPORTER=prometheus

	shutdownOnce sync.Once
	shutdownErr  error
}

// The signals, in the order of Telemetry.counters and of Stats' results.
const (
	signalTraces = iota
	signalMetrics
	signalLogs
	signalCount
)

// Init builds the SDK from opts and the environment. It does not contact
// the collector: Init succeeds while the collector is down. When the
// configuration is invalid it starts nothing and returns a *ConfigError
// for one bad setting, or for several their errors.Join, each a
// *ConfigError; errors.Is(err, ErrInvalidConfig) holds for both, and
// errors.As finds the (first) *ConfigError in both.
func Init(ctx context.Context, opts ...Option) (*Telemetry, error) {
	cfg, err := newConfig(os.LookupEnv, opts)
	if err != nil {
		return nil, err
	}
	return newTelemetry(ctx, cfg)
}

// newTelemetry starts what cfg describes: the resource, then the export
// pipelines of the three signals (or nothing, disabled), then what
// records on them.
func newTelemetry(ctx context.Context, cfg *config) (t *Telemetry, err error) {
	// The SDK must never panic in the caller's process.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("telemetry: Init failed unexpectedly (a bug; please report it): panic: %v", r)
		}
	}()
	t = newIdentity(cfg)
	if t.res, err = newResource(ctx, cfg); err != nil {
		return nil, err
	}
	if *cfg.disabled {
		t.installDisabled(cfg)
		return t, nil
	}
	if err := t.newPipelines(ctx, cfg); err != nil {
		return nil, err
	}
	t.startRecording(cfg)
	return t, nil
}

// newIdentity returns a Telemetry that knows who it is: the service, its
// mandatory labels, its propagator.
func newIdentity(cfg *config) *Telemetry {
	t := &Telemetry{
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
	return t
}

// installDisabled is all a disabled Telemetry does: OTEL_SDK_DISABLED has
// no effect on propagators, so a disabled service still passes its
// callers' trace context on.
func (t *Telemetry) installDisabled(cfg *config) {
	if !cfg.noGlobals {
		otel.SetTextMapPropagator(t.prop)
	}
}

// newPipelines builds the error path, the exporters and the three
// providers on them. On error nothing is left running.
func (t *Telemetry) newPipelines(ctx context.Context, cfg *config) error {
	t.newErrorPath(cfg)
	exps, err := t.newExporters(ctx, cfg)
	if err != nil {
		return err
	}
	runtimeP := newRuntimeProducer(cfg) // shared by both readers: the runtime is read once per collection
	prom, err := t.newPrometheus(cfg, runtimeP)
	if err != nil {
		exps.shutdown(ctx)
		return err
	}
	t.newTracerProvider(cfg, exps.span)
	t.newMeterProvider(cfg, exps.metric, prom, runtimeP)
	t.newLoggerProvider(cfg, exps.log)
	return nil
}

// startRecording registers the SDK's own metrics and the runtime metrics
// and installs the globals. Its failures are programming errors, which go
// to the error handler rather than fail Init.
func (t *Telemetry) startRecording(cfg *config) {
	if err := registerSelfMetrics(t.sdkMP, t.counters); err != nil {
		t.handler.Handle(err)
	}
	if !cfg.noRuntimeMetrics {
		if err := runtime.Start(runtime.WithMeterProvider(t.sdkMP)); err != nil {
			t.handler.Handle(fmt.Errorf("telemetry: runtime metrics: %w", err))
		}
	}
	if !cfg.noGlobals {
		t.installGlobals()
	}
}

// newErrorPath sets up the rate-limited error handler and the export
// counters that report to it.
func (t *Telemetry) newErrorPath(cfg *config) {
	sink := cfg.errorHandler
	if sink == nil {
		sink = defaultErrorSink()
	}
	t.redact = export.NewRedactor(cfg.traces.headers, cfg.metrics.headers, cfg.logs.headers)
	t.handler = export.NewHandler(sink, errorInterval, t.redact)
	t.counters[signalTraces] = export.NewCounter(export.Traces, t.handler)
	t.counters[signalMetrics] = export.NewCounter(export.Metrics, t.handler)
	t.counters[signalLogs] = export.NewCounter(export.Logs, t.handler)
}

// newTracerProvider builds the tracer provider on exp, behind the bounded,
// counted batch processor (none without an exporter).
func (t *Telemetry) newTracerProvider(cfg *config, exp sdktrace.SpanExporter) {
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(t.res), sdktrace.WithSampler(cfg.sampler), sdktrace.WithRawSpanLimits(cfg.spanLimits),
	}
	if exp != nil {
		opts = append(opts, sdktrace.WithSpanProcessor(t.spanProcessor(cfg, exp)))
	}
	t.sdkTP = sdktrace.NewTracerProvider(opts...)
	t.callerSampler = cfg.callerSampler
}

// spanProcessor is the batch processor on exp, with the options of
// OTEL_BSP_* and WithBatchSpanProcessorOptions: export.BatchSpanProcessor,
// which counts what its full queue refuses and does not wake its goroutine
// for every span.
func (t *Telemetry) spanProcessor(cfg *config, exp sdktrace.SpanExporter) sdktrace.SpanProcessor {
	b := cfg.spanBatch
	o := sdktrace.BatchSpanProcessorOptions{
		ExportTimeout:      orDefault(b.export, cfg.traces.timeout),
		BatchTimeout:       b.delay,
		MaxExportBatchSize: b.batch,
	}
	for _, opt := range cfg.spanBatchOptions {
		opt(&o)
	}
	o.MaxQueueSize = b.queue
	c := t.counters[signalTraces]
	w := &export.SpanExporter{SpanExporter: exp, C: c}
	t.abandon = append(t.abandon, w.Abandon)
	return export.NewBatchSpanProcessor(w, c, o)
}

// newMeterProvider builds the meter provider with a periodic reader on exp
// (none without an exporter) and the Prometheus reader if any.
func (t *Telemetry) newMeterProvider(cfg *config, exp sdkmetric.Exporter, prom sdkmetric.Reader, runtimeP sdkmetric.Producer) {
	opts := []sdkmetric.Option{
		sdkmetric.WithResource(t.res),
		sdkmetric.WithCardinalityLimit(cfg.cardinalityLimit),
		sdkmetric.WithView(secondsView(cfg.views, cfg.histogram == histogramExplicit)),
		sdkmetric.WithExemplarFilter(exemplarFilter(cfg.exemplarFilter)),
	}
	if exp != nil {
		opts = append(opts, sdkmetric.WithReader(t.periodicReader(cfg, exp, runtimeP)))
	}
	if prom != nil {
		opts = append(opts, sdkmetric.WithReader(prom))
	}
	t.sdkMP = sdkmetric.NewMeterProvider(opts...)
}

// periodicReader reads the metrics (and the runtime producer's) every
// interval into exp, behind the wrapper that adds the labels and counts.
func (t *Telemetry) periodicReader(cfg *config, exp sdkmetric.Exporter, runtimeP sdkmetric.Producer) sdkmetric.Reader {
	w := export.NewMetricExporter(exp, t.counters[signalMetrics], t.labels)
	t.abandon = append(t.abandon, w.Abandon)
	ropts := []sdkmetric.PeriodicReaderOption{
		sdkmetric.WithInterval(cfg.metricInterval),
		sdkmetric.WithTimeout(orDefault(cfg.metricTimeout, cfg.metrics.timeout)),
	}
	if runtimeP != nil {
		ropts = append(ropts, sdkmetric.WithProducer(runtimeP))
	}
	return sdkmetric.NewPeriodicReader(w, ropts...)
}

// newLoggerProvider builds the logger provider on exp, behind the bounded,
// counted batch processor (none without an exporter).
func (t *Telemetry) newLoggerProvider(cfg *config, exp sdklog.Exporter) {
	opts := []sdklog.LoggerProviderOption{
		sdklog.WithResource(t.res),
		sdklog.WithAttributeValueLengthLimit(cfg.logValueLimit),
		sdklog.WithAttributeCountLimit(cfg.logCountLimit),
	}
	if exp != nil {
		opts = append(opts, sdklog.WithProcessor(t.logProcessor(cfg, exp)))
	}
	t.sdkLP = sdklog.NewLoggerProvider(opts...)
}

// logProcessor is the batch processor on exp, with the options of
// OTEL_BLRP_*, behind the admission that counts what its full queue
// refuses.
func (t *Telemetry) logProcessor(cfg *config, exp sdklog.Exporter) sdklog.Processor {
	b := cfg.logBatch
	c := t.counters[signalLogs]
	w := export.NewLogExporter(exp, c, t.labels)
	t.abandon = append(t.abandon, w.Abandon)
	next := sdklog.NewBatchProcessor(w,
		sdklog.WithExportTimeout(orDefault(b.export, cfg.logs.timeout)),
		sdklog.WithExportInterval(b.delay),
		sdklog.WithExportMaxBatchSize(b.batch),
		sdklog.WithMaxQueueSize(b.queue),
	)
	return &export.LogProcessor{Next: next, C: c, Limit: int64(b.queue)}
}

// installGlobals makes the providers, the propagator and the error
// handler the OpenTelemetry globals.
func (t *Telemetry) installGlobals() {
	otel.SetTracerProvider(t.sdkTP)
	otel.SetMeterProvider(t.sdkMP)
	otel.SetLoggerProvider(t.sdkLP)
	otel.SetTextMapPropagator(t.prop)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(t.handler.Handle))
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func exemplarFilter(name string) exemplar.Filter {
	switch name {
	case "always_on":
		return exemplar.AlwaysOnFilter
	case "always_off":
		return exemplar.AlwaysOffFilter
	}
	return exemplar.TraceBasedFilter
}

// secondsView applies the user's views first, then SecondsBuckets to
// histograms whose unit is seconds. The SDK's own instruments (scope
// ScopeName) are left alone: they carry their own bucket boundaries, which
// a view would override.
func secondsView(user []sdkmetric.View, explicit bool) sdkmetric.View {
	return func(i sdkmetric.Instrument) (sdkmetric.Stream, bool) {
		for _, v := range user {
			if s, ok := v(i); ok {
				return s, true
			}
		}
		if explicit && i.Kind == sdkmetric.InstrumentKindHistogram && i.Unit == "s" && i.Scope.Name != ScopeName {
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
	if !t.Enabled() {
		return tracenoop.NewTracerProvider()
	}
	return t.sdkTP
}

// MeterProvider returns the meter provider (a no-op one when disabled).
func (t *Telemetry) MeterProvider() metric.MeterProvider {
	if !t.Enabled() {
		return metricnoop.NewMeterProvider()
	}
	return t.sdkMP
}

// LoggerProvider returns the OpenTelemetry logger provider (a no-op one
// when disabled). Most code logs through the logbridge package instead.
func (t *Telemetry) LoggerProvider() otellog.LoggerProvider {
	if !t.Enabled() {
		return lognoop.NewLoggerProvider()
	}
	return t.sdkLP
}

// HandleError sends err to the SDK's error handler (SetErrorHandler's,
// else WithErrorHandler's, else standard error), rate-limited with the
// export errors, credentials redacted. Instrumentation built on a *Telemetry reports its background
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

// SetErrorHandler replaces where the SDK's own errors go (failed exports,
// a Prometheus endpoint that stopped, instrumentation reporting through
// HandleError, and, with the globals installed, otel.Handle), which Init
// set to WithErrorHandler's function or to standard error. The rate limit
// (one error every 30 seconds, with the count of those held back) and the
// redaction of header values stay as they were. It may be called at any
// time from any goroutine; logbridge's WithSDKErrors calls it so that
// these errors become lines of the service's own log. A nil h restores
// standard error. On a nil or disabled Telemetry it does nothing.
func (t *Telemetry) SetErrorHandler(h func(error)) {
	if t == nil || t.handler == nil {
		return
	}
	if h == nil {
		h = defaultErrorSink()
	}
	t.handler.SetSink(h)
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

// SamplerReadsAttributes reports whether the sampler of t's tracer provider
// may decide on the attributes a span starts with: true when Init was given
// WithSampler, false for the samplers Init builds itself (WithSampleRatio,
// OTEL_TRACES_SAMPLER), which read only the trace id and the parent, and
// for a disabled t. Instrumentation may then give a span's attributes at its
// end, in one piece, which costs the SDK less; package middleware does.
func (t *Telemetry) SamplerReadsAttributes() bool { return t.Enabled() && t.callerSampler }

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
	return conv(t.counters[signalTraces]), conv(t.counters[signalMetrics]), conv(t.counters[signalLogs])
}

// ForceFlush exports what the three providers hold, in parallel, within
// ctx's deadline (the shutdown timeout if ctx has none). It reports exports
// that failed meanwhile.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.parallel(ctx, "flush", t.sdkTP.ForceFlush, t.sdkMP.ForceFlush, t.sdkLP.ForceFlush)
}

// Shutdown flushes and stops the three providers in parallel, so a dead
// collector costs one deadline, not three. It honours ctx's deadline, or
// the shutdown timeout (5 s by default) if ctx has none, and returns what
// it could not do, each error naming its signal. Calls after the first
// return the first result.
//
// A ctx that is already done leaves no time to flush: Shutdown then stops
// the providers at once, what was still queued fails (counted in Stats),
// and the error says that the context was done before Shutdown began.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	t.shutdownOnce.Do(func() {
		var early error
		if err := ctx.Err(); err != nil {
			early = fmt.Errorf("telemetry: Shutdown was given a context that was already done (%w): nothing was flushed", err)
		}
		if t.prom != nil {
			_ = t.prom.Close()
		}
		t.shutdownErr = errors.Join(early, t.parallel(ctx, "shutdown", t.sdkTP.Shutdown, t.sdkMP.Shutdown, t.sdkLP.Shutdown))
		// Past the deadline the batch processors would go on draining their
		// queues, one export timeout a batch, after Shutdown returned: abort
		// what is in flight and fail the rest at once (counted as failed).
		for _, a := range t.abandon {
			a()
		}
		for _, tr := range t.transports {
			tr.CloseIdleConnections()
		}
		t.conns.closeAll()
	})
	return t.shutdownErr
}

// parallel runs op (flush or shutdown) of the three providers at once
// under one deadline.
func (t *Telemetry) parallel(ctx context.Context, op string, fns ...func(context.Context) error) error {
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
			if err := fn(ctx); err != nil {
				errs[2*i] = fmt.Errorf("telemetry: %s of %s: %w", op, t.counters[i].Signal, err)
			}
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
