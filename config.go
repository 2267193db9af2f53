package telemetry

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
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

// signal holds the exporter settings of one signal.
type signal struct {
	name     string // traces, metrics, logs
	envName  string // TRACES, METRICS, LOGS
	protocol Protocol
	endpoint string // host:port
	urlPath  string // HTTP only
	insecure bool
	headers  map[string]string
	timeout  time.Duration
}

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

	// Resolved by resolve.
	traces, metrics, logs signal
	spanQueue, logQueue   int
	logValueLimit         int
	resourceAttrs         []attribute.KeyValue
	serviceInstanceID     string
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

// WithInsecure turns transport security off (true) or on (false). Without
// it, an http:// endpoint or a loopback host is insecure and anything else
// uses TLS.
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
// next). By default they are written to standard error.
func WithErrorHandler(h func(error)) Option {
	return optionFunc(func(c *config) { c.errorHandler = h })
}

// WithGlobals says whether Init installs its providers, propagator and
// error handler as the OpenTelemetry globals (otel.SetTracerProvider,
// otel.SetMeterProvider, global.SetLoggerProvider, otel.SetTextMapPropagator,
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
// delay, queue size). By default OTEL_BSP_* apply.
func WithBatchSpanProcessorOptions(opts ...sdktrace.BatchSpanProcessorOption) Option {
	return optionFunc(func(c *config) { c.spanBatchOptions = append(c.spanBatchOptions, opts...) })
}

// serviceNameRE is what the SDK accepts as a service name: it becomes a
// Prometheus label value and a Jaeger service, so keep it plain.
var serviceNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// newConfig applies options, then the environment, then defaults, and
// validates the result. lookup reads the environment.
func newConfig(lookup func(string) (string, bool), opts []Option) (*config, error) {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	v := &validator{}
	c.resolve(lookup, v)
	return c, v.err()
}

func (c *config) resolve(lookup func(string) (string, bool), v *validator) {
	env := func(k string) (string, bool) {
		s, ok := lookup(k)
		s = strings.TrimSpace(s)
		return s, ok && s != ""
	}

	if c.disabled == nil {
		if s, ok := env("OTEL_SDK_DISABLED"); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				v.add("OTEL_SDK_DISABLED", s, "true or false")
			}
			c.disabled = &b
		} else {
			f := false
			c.disabled = &f
		}
	}

	// OTEL_RESOURCE_ATTRIBUTES first: service.name and
	// deployment.environment.name there are the lowest-precedence sources.
	var envAttrs map[string]string
	if s, ok := env("OTEL_RESOURCE_ATTRIBUTES"); ok {
		m, err := parseKeyValues(s)
		if err != nil {
			v.addErr("OTEL_RESOURCE_ATTRIBUTES", err)
		}
		envAttrs = m
	}

	if c.service == "" {
		if s, ok := env("OTEL_SERVICE_NAME"); ok {
			c.service = s
		} else if s := envAttrs["service.name"]; s != "" {
			c.service = s
		}
	}
	switch {
	case c.service == "":
		v.add("service", "", "a name set by WithService or OTEL_SERVICE_NAME")
	case !serviceNameRE.MatchString(c.service):
		v.add("service", c.service, "1-63 characters of letters, digits, '.', '_', '-', starting with a letter or digit")
	}

	if c.environment == "" {
		if s, ok := env("ENVIRONMENT"); ok {
			c.environment = Environment(s)
		} else if s := envAttrs["deployment.environment.name"]; s != "" {
			c.environment = Environment(s)
		} else if s := envAttrs["deployment.environment"]; s != "" {
			c.environment = Environment(s)
		} else {
			c.environment = Dev
		}
	}
	switch c.environment {
	case Dev, Staging, Prod:
	default:
		v.add("environment", string(c.environment), "one of dev, prod, staging")
	}

	if c.project == "" {
		if s := envAttrs["project"]; s != "" {
			c.project = s
		} else {
			c.project = DefaultProject
		}
	}
	if !serviceNameRE.MatchString(c.project) {
		v.add("project", c.project, "1-63 characters of letters, digits, '.', '_', '-'")
	}

	if c.serviceVersion == "" {
		if s := envAttrs["service.version"]; s != "" {
			c.serviceVersion = s
		} else {
			c.serviceVersion = buildVersion()
		}
	}
	c.serviceInstanceID = envAttrs["service.instance.id"]

	// Resource attributes from the environment that no option names.
	reserved := map[string]bool{
		"service.name": true, "service.version": true, "service.instance.id": true,
		"deployment.environment.name": true, "deployment.environment": true, "project": true,
	}
	for _, k := range sortedKeys(envAttrs) {
		if !reserved[k] {
			c.resourceAttrs = append(c.resourceAttrs, attribute.String(k, envAttrs[k]))
		}
	}
	c.resourceAttrs = append(c.resourceAttrs, c.attrs...)

	c.metricInterval = durationSetting(c.metricInterval, env, "OTEL_METRIC_EXPORT_INTERVAL", DefaultMetricInterval, v)
	c.exportTimeout = durationSetting(c.exportTimeout, env, "OTEL_EXPORTER_OTLP_TIMEOUT", DefaultExportTimeout, v)
	if c.shutdownTimeout <= 0 {
		c.shutdownTimeout = DefaultShutdownTimeout
	}
	if c.cardinalityLimit == 0 {
		c.cardinalityLimit = 2000
	} else if c.cardinalityLimit < 0 {
		v.add("cardinality limit", strconv.Itoa(c.cardinalityLimit), "a positive number")
	}

	c.resolveSampler(env, v)
	if c.propagator == nil {
		c.propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	c.spanQueue = intSetting(c.queueSize, env, "OTEL_BSP_MAX_QUEUE_SIZE", defaultQueueSize, v)
	c.logQueue = intSetting(c.queueSize, env, "OTEL_BLRP_MAX_QUEUE_SIZE", defaultQueueSize, v)
	c.logValueLimit = intSetting(0, env, "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", MaxAttributeLength, v)
	// A queue size among the batch span processor options wins, as it
	// would without us: read it back so that the admission bound matches.
	bsp := sdktrace.BatchSpanProcessorOptions{MaxQueueSize: c.spanQueue}
	for _, o := range c.spanBatchOptions {
		o(&bsp)
	}
	if bsp.MaxQueueSize > 0 {
		c.spanQueue = bsp.MaxQueueSize
	}

	c.traces = c.resolveSignal("traces", "TRACES", env, v)
	c.metrics = c.resolveSignal("metrics", "METRICS", env, v)
	c.logs = c.resolveSignal("logs", "LOGS", env, v)
}

func (c *config) resolveSampler(env func(string) (string, bool), v *validator) {
	if c.sampler != nil {
		return
	}
	if c.sampleRatio != nil {
		r := *c.sampleRatio
		if !(r >= 0 && r <= 1) {
			v.add("sample ratio", strconv.FormatFloat(r, 'g', -1, 64), "a number from 0 to 1")
			return
		}
		c.sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r))
		return
	}
	name, ok := env("OTEL_TRACES_SAMPLER")
	if !ok {
		c.sampler = sdktrace.ParentBased(sdktrace.AlwaysSample())
		return
	}
	ratio := 1.0
	if s, ok := env("OTEL_TRACES_SAMPLER_ARG"); ok {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || !(r >= 0 && r <= 1) {
			v.add("OTEL_TRACES_SAMPLER_ARG", s, "a number from 0 to 1")
		} else {
			ratio = r
		}
	}
	switch strings.ToLower(name) {
	case "always_on":
		c.sampler = sdktrace.AlwaysSample()
	case "always_off":
		c.sampler = sdktrace.NeverSample()
	case "traceidratio":
		c.sampler = sdktrace.TraceIDRatioBased(ratio)
	case "parentbased_always_on":
		c.sampler = sdktrace.ParentBased(sdktrace.AlwaysSample())
	case "parentbased_always_off":
		c.sampler = sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		c.sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))
	default:
		v.add("OTEL_TRACES_SAMPLER", name, "one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio")
	}
}

// resolveSignal applies: option > OTEL_EXPORTER_OTLP_<SIGNAL>_* > OTEL_EXPORTER_OTLP_* > default.
func (c *config) resolveSignal(name, upper string, env func(string) (string, bool), v *validator) signal {
	s := signal{name: name, envName: upper}
	pick := func(suffix string) (value, key string, ok bool) {
		key = "OTEL_EXPORTER_OTLP_" + upper + "_" + suffix
		if value, ok = env(key); ok {
			return value, key, true
		}
		key = "OTEL_EXPORTER_OTLP_" + suffix
		value, ok = env(key)
		return value, key, ok
	}

	// Protocol.
	s.protocol = c.protocol
	protoField := "protocol"
	if s.protocol == "" {
		if p, key, ok := pick("PROTOCOL"); ok {
			s.protocol, protoField = Protocol(p), key
		} else {
			s.protocol = GRPC
		}
	}
	switch s.protocol {
	case GRPC, HTTPProtobuf:
	default:
		v.add(protoField, string(s.protocol), "grpc or http/protobuf")
		s.protocol = GRPC
	}

	// Endpoint. A per-signal URL is used as is; a generic one gets the
	// signal's path appended (OTLP/HTTP only).
	raw, field, perSignal := c.endpoint, "endpoint", false
	if raw == "" {
		key := "OTEL_EXPORTER_OTLP_" + upper + "_ENDPOINT"
		if e, ok := env(key); ok {
			raw, field, perSignal = e, key, true
		} else if e, ok := env("OTEL_EXPORTER_OTLP_ENDPOINT"); ok {
			raw, field = e, "OTEL_EXPORTER_OTLP_ENDPOINT"
		}
	}
	defaultPath := "/v1/" + name
	scheme := ""
	switch {
	case raw == "" && s.protocol == HTTPProtobuf:
		s.endpoint, s.urlPath = DefaultHTTPEndpoint, defaultPath
	case raw == "":
		s.endpoint = DefaultGRPCEndpoint
	default:
		hostport, path, sch, err := parseEndpoint(raw)
		if err != nil {
			v.add(field, raw, "host:port or an http(s):// URL with a host")
			s.endpoint = DefaultGRPCEndpoint
			break
		}
		s.endpoint, scheme = hostport, sch
		switch {
		case perSignal:
			s.urlPath = path
			if s.urlPath == "" {
				s.urlPath = "/"
			}
		default:
			s.urlPath = strings.TrimSuffix(path, "/") + defaultPath
		}
	}

	// Insecure.
	switch {
	case c.insecure != nil:
		s.insecure = *c.insecure
	default:
		if b, key, ok := pick("INSECURE"); ok {
			parsed, err := strconv.ParseBool(b)
			if err != nil {
				v.add(key, b, "true or false")
			}
			s.insecure = parsed
		} else {
			s.insecure = scheme == "http" || (scheme == "" && isLoopback(s.endpoint))
		}
	}

	// Headers.
	if c.headers != nil {
		s.headers = c.headers
	} else if h, key, ok := pick("HEADERS"); ok {
		m, err := parseKeyValues(h)
		if err != nil {
			// Never echo header values: they hold credentials.
			v.addErr(key, fmt.Errorf("malformed: want key=value pairs separated by commas"))
		}
		s.headers = m
	}

	// Timeout: option > per-signal env > generic (already in exportTimeout).
	s.timeout = c.exportTimeout
	if t, ok := env("OTEL_EXPORTER_OTLP_" + upper + "_TIMEOUT"); ok && !c.exportTimeoutFromOption {
		s.timeout = durationSetting(0, func(string) (string, bool) { return t, true },
			"OTEL_EXPORTER_OTLP_"+upper+"_TIMEOUT", c.exportTimeout, v)
	}
	return s
}

// parseEndpoint accepts host:port or a URL with scheme http or https.
func parseEndpoint(raw string) (hostport, path, scheme string, err error) {
	if !strings.Contains(raw, "://") {
		if _, _, err := net.SplitHostPort(raw); err != nil {
			return "", "", "", err
		}
		return raw, "", "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", "", fmt.Errorf("bad URL")
	}
	host := u.Host
	if u.Port() == "" {
		port := "443"
		if u.Scheme == "http" {
			port = "80"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	return host, u.Path, u.Scheme, nil
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseKeyValues parses the W3C-baggage-like lists of OTEL_RESOURCE_ATTRIBUTES
// and OTEL_EXPORTER_OTLP_HEADERS: key=value pairs separated by commas, values
// percent-encoded.
func parseKeyValues(s string) (map[string]string, error) {
	m := make(map[string]string)
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return m, fmt.Errorf("malformed pair %q: want key=value", k)
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return m, fmt.Errorf("bad percent-encoding in the value of %q", k)
		}
		m[k] = dec
	}
	return m, nil
}

// durationSetting resolves a duration: an option's value if set, else the
// environment variable in milliseconds, else def.
func durationSetting(opt time.Duration, env func(string) (string, bool), key string, def time.Duration, v *validator) time.Duration {
	if opt > 0 {
		return opt
	}
	if opt < 0 {
		v.add(key, opt.String(), "a positive duration")
		return def
	}
	s, ok := env(key)
	if !ok {
		return def
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms <= 0 {
		v.add(key, s, "a positive whole number of milliseconds")
		return def
	}
	return time.Duration(ms) * time.Millisecond
}

// defaultQueueSize is the OpenTelemetry default of both batch processors.
const defaultQueueSize = 2048

// intSetting resolves a positive number: option > environment > def.
func intSetting(opt int, env func(string) (string, bool), key string, def int, v *validator) int {
	if opt < 0 {
		v.add(key, strconv.Itoa(opt), "a positive number")
		return def
	}
	if opt > 0 {
		return opt
	}
	s, ok := env(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		v.add(key, s, "a positive whole number")
		return def
	}
	return n
}

func defaultErrorSink() func(error) {
	l := slog.New(slog.NewTextHandler(os.Stderr, nil))
	return func(err error) { l.Error("telemetry export", "error", err) }
}
