package telemetry

import (
	"log/slog"
	"os"
	"regexp"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Environment is the deployment environment: the value of the environment
// label on every metric series and of the deployment.environment.name
// resource attribute.
type Environment string

// The environments the SDK accepts.
const (
	Dev     Environment = "dev"
	Staging Environment = "staging"
	Prod    Environment = "prod"
)

// Protocol is the OTLP transport.
type Protocol string

// The OTLP transports. gRPC is the default; Grafana Cloud's OTLP gateway
// accepts HTTP only.
const (
	GRPC         Protocol = "grpc"
	HTTPProtobuf Protocol = "http/protobuf"
)

// DefaultProject is the project label used when none is configured.
const DefaultProject = "starmates-ai-team"

// Defaults. They meet the design's figures: a metric collection delay under
// 30 s end to end needs an export interval well below OpenTelemetry's 60 s.
const (
	DefaultMetricInterval  = 10 * time.Second
	DefaultExportTimeout   = 10 * time.Second
	DefaultShutdownTimeout = 5 * time.Second
	DefaultGRPCEndpoint    = "localhost:4317"
	DefaultHTTPEndpoint    = "localhost:4318"
)

// SecondsBuckets are the explicit histogram bucket boundaries, in seconds,
// that the SDK applies to every histogram whose unit is "s" unless a view
// passed with WithView matches it first. The SDK's own histograms set
// their boundaries themselves (the HTTP one uses these).
var SecondsBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Option configures Init. Options take precedence over environment
// variables, which take precedence over defaults.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	// Set by options; zero means unset.
	service, serviceVersion, project string
	environment                      Environment
	endpoint                         string
	protocol                         Protocol
	insecure                         *bool
	headers                          map[string]string
	exportTimeout                    time.Duration
	exportTimeoutFromOption          bool // resolve replaces a zero exportTimeout
	metricInterval                   time.Duration
	shutdownTimeout                  time.Duration
	sampleRatio                      *float64
	sampler                          sdktrace.Sampler
	callerSampler                    bool // sampler came from WithSampler
	disabled                         *bool
	attrs                            []attribute.KeyValue
	errorHandler                     func(error)
	noGlobals                        bool
	noRuntimeMetrics                 bool
	propagator                       propagation.TextMapPropagator
	views                            []sdkmetric.View
	cardinalityLimit                 int
	spanExporter                     sdktrace.SpanExporter
	metricExporter                   sdkmetric.Exporter
	logExporter                      sdklog.Exporter
	spanBatchOptions                 []sdktrace.BatchSpanProcessorOption
	queueSize                        int

	// Resolved by newConfig.
	traces, metrics, logs        signal
	spanBatch, logBatch          batching
	spanLimits                   sdktrace.SpanLimits
	logValueLimit, logCountLimit int
	metricTimeout                time.Duration // 0: the metrics OTLP timeout
	exemplarFilter               string
	temporality, histogram       string
	promHost                     string
	promPort                     int
	resourceAttrs                []attribute.KeyValue
	serviceInstanceID            string
}

// WithService sets the service name (service.name, and the service label).
// It overrides OTEL_SERVICE_NAME. Required unless set by the environment.
func WithService(name string) Option {
	return optionFunc(func(c *config) { c.service = name })
}

// WithServiceVersion sets service.version. It defaults to the main module's
// version from the build information.
func WithServiceVersion(v string) Option {
	return optionFunc(func(c *config) { c.serviceVersion = v })
}

// WithEnvironment sets the environment: Dev, Staging or Prod. It overrides
// ENVIRONMENT and deployment.environment.name in OTEL_RESOURCE_ATTRIBUTES.
func WithEnvironment(env Environment) Option {
	return optionFunc(func(c *config) { c.environment = env })
}

// WithProject sets the project label. It defaults to DefaultProject.
func WithProject(project string) Option {
	return optionFunc(func(c *config) { c.project = project })
}

// WithEndpoint sets the OTLP endpoint of all three signals: "host:port" or a
// URL ("http://collector:4318"). It overrides OTEL_EXPORTER_OTLP_ENDPOINT
// and its per-signal forms.
func WithEndpoint(endpoint string) Option {
	return optionFunc(func(c *config) { c.endpoint = endpoint })
}

// WithProtocol selects the OTLP transport of all three signals. It overrides
// OTEL_EXPORTER_OTLP_PROTOCOL and its per-signal forms.
func WithProtocol(p Protocol) Option {
	return optionFunc(func(c *config) { c.protocol = p })
}

// WithInsecure turns transport security off (true) or on (false) for an
// endpoint given without a scheme (host:port). It overrides
// OTEL_EXPORTER_OTLP_[SIGNAL_]INSECURE. A URL's scheme always wins: an
// https:// endpoint uses TLS and an http:// one plaintext whatever this
// says, so credentials never travel unencrypted to an https:// URL.
// Without it, a loopback host:port is plaintext and any other uses TLS.
func WithInsecure(insecure bool) Option {
	return optionFunc(func(c *config) { c.insecure = &insecure })
}

// WithHeaders sets headers sent with every export (for example basic auth
// for Grafana Cloud). They replace OTEL_EXPORTER_OTLP_HEADERS.
func WithHeaders(h map[string]string) Option {
	return optionFunc(func(c *config) {
		c.headers = make(map[string]string, len(h))
		for k, v := range h {
			c.headers[k] = v
		}
	})
}

// WithExportTimeout bounds each export, retries included. Default 10 s.
func WithExportTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.exportTimeout, c.exportTimeoutFromOption = d, true })
}

// WithMetricInterval sets how often metrics are exported. Default 10 s.
func WithMetricInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.metricInterval = d })
}

// WithShutdownTimeout bounds Shutdown when its context has no deadline.
// Default 5 s.
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.shutdownTimeout = d })
}

// WithSampleRatio samples that fraction (0..1) of new traces; spans with a
// parent follow the parent's decision. The default samples every trace.
func WithSampleRatio(ratio float64) Option {
	return optionFunc(func(c *config) { c.sampleRatio = &ratio })
}

// WithSampler sets the trace sampler, overriding WithSampleRatio and
// OTEL_TRACES_SAMPLER.
func WithSampler(s sdktrace.Sampler) Option {
	return optionFunc(func(c *config) { c.sampler = s })
}

// WithDisabled turns the SDK off (true): Init returns no-op providers. It
// overrides OTEL_SDK_DISABLED.
func WithDisabled(disabled bool) Option {
	return optionFunc(func(c *config) { c.disabled = &disabled })
}

// WithResourceAttributes adds resource attributes. They override those of
// OTEL_RESOURCE_ATTRIBUTES; the service, environment and project attributes
// are set by their own options.
func WithResourceAttributes(kvs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, kvs...) })
}

// WithErrorHandler receives the errors of the background export path, at
// most one every 30 seconds (the count of those held back comes with the
// next), with header values redacted. By default they are written to
// standard error. Telemetry.SetErrorHandler replaces it after Init, as
// logbridge's WithSDKErrors does to put them in the service's log.
func WithErrorHandler(h func(error)) Option {
	return optionFunc(func(c *config) { c.errorHandler = h })
}

// WithGlobals says whether Init installs its providers, propagator and
// error handler as the OpenTelemetry globals (otel.SetTracerProvider,
// otel.SetMeterProvider, otel.SetLoggerProvider, otel.SetTextMapPropagator,
// otel.SetErrorHandler). By default it does (true), so that libraries
// instrumented with OpenTelemetry (otelhttp, otelgrpc, otelsql, ...) join
// the service's traces and their metrics carry environment, project and
// service; pass false to leave the globals alone. Shutdown does not
// uninstall them.
func WithGlobals(install bool) Option {
	return optionFunc(func(c *config) { c.noGlobals = !install })
}

// WithPropagator sets the propagator that the middleware uses to read and
// write trace context and baggage, and that Init installs globally. It
// overrides OTEL_PROPAGATORS; the default is W3C tracecontext and baggage.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) { c.propagator = p })
}

// WithRuntimeMetrics says whether Init records the Go runtime metrics
// (go.memory.*, go.goroutine.count, go.schedule.duration, ... from
// contrib's runtime instrumentation). Default true; false turns them off.
func WithRuntimeMetrics(on bool) Option {
	return optionFunc(func(c *config) { c.noRuntimeMetrics = !on })
}

// WithView adds metric views. They are consulted before the SDK's default
// view (seconds buckets for histograms in seconds).
func WithView(views ...sdkmetric.View) Option {
	return optionFunc(func(c *config) { c.views = append(c.views, views...) })
}

// WithCardinalityLimit caps the series one instrument may hold; points past
// it are aggregated into one overflow series. Default 2000.
func WithCardinalityLimit(n int) Option {
	return optionFunc(func(c *config) { c.cardinalityLimit = n })
}

// WithSpanExporter replaces the OTLP span exporter. The exporter still runs
// behind the SDK's bounded batch processor.
func WithSpanExporter(e sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) { c.spanExporter = e })
}

// WithMetricExporter replaces the OTLP metric exporter. The mandatory
// labels are still added to every point it receives.
func WithMetricExporter(e sdkmetric.Exporter) Option {
	return optionFunc(func(c *config) { c.metricExporter = e })
}

// WithLogExporter replaces the OTLP log exporter.
func WithLogExporter(e sdklog.Exporter) Option {
	return optionFunc(func(c *config) { c.logExporter = e })
}

// WithQueueSize bounds the spans and the log records waiting for export
// (default 2048 each, or OTEL_BSP_MAX_QUEUE_SIZE and OTEL_BLRP_MAX_QUEUE_SIZE).
// Past it new ones are dropped and counted (Stats, telemetry_sdk_dropped_total);
// recording never waits.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) { c.queueSize = n })
}

// WithBatchSpanProcessorOptions tunes the span batch processor (batch size,
// delay, queue size, export timeout). By default OTEL_BSP_* apply. The
// processor is Init's own, with the SDK's batching semantics but no
// goroutine wake-up per ended span; a full queue drops the span and counts
// it (Telemetry.Stats), so WithBlocking is ignored: recording never waits.
func WithBatchSpanProcessorOptions(opts ...sdktrace.BatchSpanProcessorOption) Option {
	return optionFunc(func(c *config) { c.spanBatchOptions = append(c.spanBatchOptions, opts...) })
}

// serviceNameRE is what the SDK accepts as a service name: it becomes a
// Prometheus label value and a Jaeger service, so keep it plain.
var serviceNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

func defaultErrorSink() func(error) {
	l := slog.New(slog.NewTextHandler(os.Stderr, nil))
	return func(err error) { l.Error("telemetry", "error", err) }
}
