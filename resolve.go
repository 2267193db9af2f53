package telemetry

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/contrib/propagators/jaeger"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/starmates-ai-team/telemetry/internal/httpconv"
)

// The exporters an OTEL_*_EXPORTER variable can name.
const (
	exporterOTLP       = "otlp"
	exporterConsole    = "console"
	exporterNone       = "none"
	exporterPrometheus = "prometheus"
)

// Defaults of the OpenTelemetry specification that the SDK keeps.
const (
	defaultQueueSize     = 2048
	defaultBatchSize     = 512
	defaultBSPDelay      = 5 * time.Second
	defaultBLRPDelay     = time.Second
	defaultCountLimit    = 128
	defaultPromHost      = "localhost"
	defaultPromPort      = 9464
	defaultCardinality   = 2000
	temporalityCumul     = "cumulative"
	temporalityDelta     = "delta"
	temporalityLowMemory = "lowmemory"
	histogramExplicit    = "explicit_bucket_histogram"
	histogramExponential = "base2_exponential_bucket_histogram"
)

// signal holds the exporter settings of one signal.
type signal struct {
	name     string   // traces, metrics, logs
	exporter []string // from OTEL_<SIGNAL>_EXPORTER: otlp, console, prometheus; empty for none
	protocol Protocol
	endpoint string // host:port
	urlPath  string // HTTP only
	insecure bool
	tls      *tls.Config // nil when insecure
	headers  map[string]string
	timeout  time.Duration
	gzip     bool
}

// uses reports whether the signal exports with exporter kind k.
func (s *signal) uses(k string) bool {
	for _, e := range s.exporter {
		if e == k {
			return true
		}
	}
	return false
}

// batching is the configuration of one batch processor.
type batching struct {
	queue, batch  int
	delay, export time.Duration
}

// newConfig resolves every setting: the options are applied first, as
// they win, then each step below fills what they left unset from the
// environment, else from the defaults, and checks it. Every bad value is
// reported (each field once) and replaced by its default, so that the
// steps after it still run and one error names every mistake. lookup reads
// the environment.
func newConfig(lookup func(string) (string, bool), opts []Option) (*config, error) {
	c := &config{}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	e := env{lookup: lookup, v: &validator{}}
	for _, step := range resolveSteps {
		step(c, e)
	}
	return c, e.v.err()
}

// resolveSteps are newConfig's steps, in order: the export timeout is
// known before the signals that default to it.
var resolveSteps = []func(*config, env){
	(*config).resolveDisabled,
	(*config).resolveIdentity,
	(*config).resolveSampler,
	(*config).resolvePropagator,
	(*config).resolveLimits,
	(*config).resolveBatching,
	(*config).resolveMetricReader,
	(*config).resolveCardinality,
	(*config).resolveExportTimeout,
	(*config).resolveSignals,
	(*config).resolvePrometheus,
	(*config).resolveHTTPMethods,
	(*config).resolveShutdownTimeout,
}

// millisOption resolves a duration set by an option (negative: invalid)
// or else by the environment in milliseconds.
func (e env) millisOption(opt, def time.Duration, key string) time.Duration {
	switch {
	case opt > 0:
		return opt
	case opt < 0:
		e.v.add(key, opt.String(), "a positive duration")
		return def
	}
	return e.millis(def, time.Millisecond, key)
}

func (c *config) resolveDisabled(e env) {
	if c.disabled != nil {
		return
	}
	b, _ := e.bool("OTEL_SDK_DISABLED")
	c.disabled = &b
}

// resolveIdentity resolves the service, environment, project, version and
// the other resource attributes. Each comes from its option, else its
// variable, else OTEL_RESOURCE_ATTRIBUTES (the source of lowest
// precedence), else its default; an error names the source of the bad
// value.
func (c *config) resolveIdentity(e env) {
	attrs := resourceAttributes(e)
	c.resolveService(e, attrs)
	c.resolveEnvironment(e, attrs)
	c.resolveProject(e, attrs)
	c.resolveVersion(attrs)
	c.resolveResourceAttrs(attrs)
}

// resourceAttrs are the pairs of OTEL_RESOURCE_ATTRIBUTES.
type resourceAttrs map[string]string

// resourceAttributes reads OTEL_RESOURCE_ATTRIBUTES (nil when unset).
func resourceAttributes(e env) resourceAttrs {
	s, ok := e.get("OTEL_RESOURCE_ATTRIBUTES")
	if !ok {
		return nil
	}
	m, err := parseKeyValues(s)
	if err != nil {
		e.v.addErr("OTEL_RESOURCE_ATTRIBUTES", err)
	}
	return m
}

// first returns the value of the first of keys that is set, and
// "OTEL_RESOURCE_ATTRIBUTES" as where it came from; "" and "" if none is.
func (a resourceAttrs) first(keys ...string) (value, field string) {
	for _, k := range keys {
		if s := a[k]; s != "" {
			return s, "OTEL_RESOURCE_ATTRIBUTES"
		}
	}
	return "", ""
}

// varOrAttrs reads the variable key, else the first of attrKeys in attrs,
// and returns the value and where it came from.
func (e env) varOrAttrs(attrs resourceAttrs, key string, attrKeys ...string) (value, field string) {
	if s, ok := e.get(key); ok {
		return s, key
	}
	return attrs.first(attrKeys...)
}

func (c *config) resolveService(e env, attrs resourceAttrs) {
	field := "service"
	if c.service == "" {
		c.service, field = e.varOrAttrs(attrs, "OTEL_SERVICE_NAME", "service.name")
	}
	switch {
	case c.service == "":
		e.v.add("service", "", "a name set by WithService or OTEL_SERVICE_NAME")
	case !serviceNameRE.MatchString(c.service):
		e.v.add(field, c.service, "1-63 characters of letters, digits, '.', '_', '-', starting with a letter or digit")
	}
}

func (c *config) resolveEnvironment(e env, attrs resourceAttrs) {
	field := "environment"
	if c.environment == "" {
		var s string
		if s, field = e.varOrAttrs(attrs, "ENVIRONMENT", "deployment.environment.name", "deployment.environment"); s == "" {
			s = string(Dev)
		}
		c.environment = Environment(s)
	}
	switch c.environment {
	case Dev, Staging, Prod:
	default:
		e.v.add(field, string(c.environment), "one of dev, prod, staging")
	}
}

func (c *config) resolveProject(e env, attrs resourceAttrs) {
	field := "project"
	if c.project == "" {
		if c.project, field = attrs.first("project"); c.project == "" {
			c.project = DefaultProject
		}
	}
	if !serviceNameRE.MatchString(c.project) {
		e.v.add(field, c.project, "1-63 characters of letters, digits, '.', '_', '-'")
	}
}

func (c *config) resolveVersion(attrs resourceAttrs) {
	if c.serviceVersion == "" {
		if c.serviceVersion = attrs["service.version"]; c.serviceVersion == "" {
			c.serviceVersion = buildVersion()
		}
	}
	c.serviceInstanceID = attrs["service.instance.id"]
}

// identityAttrs are the resource attributes that resolveIdentity reads
// into settings of their own.
var identityAttrs = map[string]bool{
	"service.name": true, "service.version": true, "service.instance.id": true,
	"deployment.environment.name": true, "deployment.environment": true, "project": true,
}

// resolveResourceAttrs keeps the other attributes of the environment, in
// key order, then those of WithResourceAttributes, which win.
func (c *config) resolveResourceAttrs(attrs resourceAttrs) {
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if !identityAttrs[k] {
			c.resourceAttrs = append(c.resourceAttrs, attribute.String(k, attrs[k]))
		}
	}
	c.resourceAttrs = append(c.resourceAttrs, c.attrs...)
}

// resolveSampler takes WithSampler's sampler, else WithSampleRatio's
// ratio, else OTEL_TRACES_SAMPLER.
func (c *config) resolveSampler(e env) {
	switch {
	case c.sampler != nil:
		c.callerSampler = true
	case c.sampleRatio != nil:
		r := *c.sampleRatio
		if !(r >= 0 && r <= 1) {
			e.v.add("sample ratio", strconv.FormatFloat(r, 'g', -1, 64), "a number from 0 to 1")
			r = 1
		}
		c.sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r))
	default:
		c.sampler = samplerFromEnv(e)
	}
}

// samplerFromEnv builds the sampler OTEL_TRACES_SAMPLER names, with the
// ratio of OTEL_TRACES_SAMPLER_ARG for the ratio samplers.
func samplerFromEnv(e env) sdktrace.Sampler {
	name := e.enum("OTEL_TRACES_SAMPLER", "parentbased_always_on",
		"always_on", "always_off", "traceidratio",
		"parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio")
	switch name {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(samplerRatio(e))
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(samplerRatio(e)))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}

// samplerRatio reads OTEL_TRACES_SAMPLER_ARG: a number from 0 to 1,
// default 1.
func samplerRatio(e env) float64 {
	s, ok := e.get("OTEL_TRACES_SAMPLER_ARG")
	if !ok {
		return 1
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || !(r >= 0 && r <= 1) {
		e.v.add("OTEL_TRACES_SAMPLER_ARG", s, "a number from 0 to 1")
		return 1
	}
	return r
}

// resolvePropagator builds the propagator OTEL_PROPAGATORS names, in its
// order; WithPropagator wins.
func (c *config) resolvePropagator(e env) {
	names := e.list("OTEL_PROPAGATORS", "tracecontext", "baggage", "b3", "b3multi", "jaeger", "none")
	if c.propagator != nil {
		return
	}
	if names == nil {
		names = []string{"tracecontext", "baggage"}
	}
	if len(names) > 1 && slices.Contains(names, "none") {
		e.v.add("OTEL_PROPAGATORS", strings.Join(names, ","), "none alone, or a list without none")
	}
	var props []propagation.TextMapPropagator
	for _, n := range names {
		if p := propagatorNamed(n); p != nil {
			props = append(props, p)
		}
	}
	c.propagator = propagation.NewCompositeTextMapPropagator(props...)
}

// propagatorNamed returns the propagator of an OTEL_PROPAGATORS name, nil
// for none.
func propagatorNamed(name string) propagation.TextMapPropagator {
	switch name {
	case "tracecontext":
		return propagation.TraceContext{}
	case "baggage":
		return propagation.Baggage{}
	case "b3":
		return b3.New(b3.WithInjectEncoding(b3.B3SingleHeader))
	case "b3multi":
		return b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader))
	case "jaeger":
		return jaeger.Jaeger{}
	}
	return nil
}

// resolveLimits reads the span and log record limits: the per-signal
// variable, then the generic one, then the default (attribute values are
// bounded at MaxAttributeLength, not unlimited as in the specification).
func (c *config) resolveLimits(e env) {
	l := &c.spanLimits
	l.AttributeValueLengthLimit = e.int(MaxAttributeLength, 0, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")
	l.AttributeCountLimit = e.int(defaultCountLimit, 0, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")
	l.EventCountLimit = e.int(defaultCountLimit, 0, "OTEL_SPAN_EVENT_COUNT_LIMIT")
	l.LinkCountLimit = e.int(defaultCountLimit, 0, "OTEL_SPAN_LINK_COUNT_LIMIT")
	l.AttributePerEventCountLimit = e.int(defaultCountLimit, 0, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")
	l.AttributePerLinkCountLimit = e.int(defaultCountLimit, 0, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")
	c.logValueLimit = e.int(MaxAttributeLength, 0, "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")
	c.logCountLimit = e.int(defaultCountLimit, 0, "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")
}

// resolveBatching reads OTEL_BSP_* and OTEL_BLRP_*. WithQueueSize sets
// both queues; a queue size among WithBatchSpanProcessorOptions wins for
// spans, as it would without us, and is read back so that the SDK's
// admission bound matches it.
func (c *config) resolveBatching(e env) {
	if c.queueSize < 0 {
		e.v.add("queue size", strconv.Itoa(c.queueSize), "a positive number")
		c.queueSize = 0
	}
	c.spanBatch = e.batching("OTEL_BSP_", c.queueSize, defaultBSPDelay)
	c.logBatch = e.batching("OTEL_BLRP_", c.queueSize, defaultBLRPDelay)

	bsp := sdktrace.BatchSpanProcessorOptions{MaxQueueSize: c.spanBatch.queue}
	for _, o := range c.spanBatchOptions {
		o(&bsp)
	}
	if bsp.MaxQueueSize > 0 {
		c.spanBatch.queue = bsp.MaxQueueSize
	}
}

// batching reads the four variables of one batch processor. An export
// timeout of 0 means the signal's OTLP timeout.
func (e env) batching(prefix string, queue int, delay time.Duration) batching {
	b := batching{queue: queue}
	if b.queue == 0 {
		b.queue = e.int(defaultQueueSize, 1, prefix+"MAX_QUEUE_SIZE")
	}
	b.batch = e.int(defaultBatchSize, 1, prefix+"MAX_EXPORT_BATCH_SIZE")
	if s, ok := e.get(prefix + "MAX_EXPORT_BATCH_SIZE"); ok && b.batch > b.queue {
		e.v.add(prefix+"MAX_EXPORT_BATCH_SIZE", s, fmt.Sprintf("at most the queue size (%d)", b.queue))
	}
	if b.batch > b.queue {
		b.batch = b.queue
	}
	b.delay = e.millis(delay, 0, prefix+"SCHEDULE_DELAY")
	// 0 (the specification's "no limit") leaves the bound to the
	// exporter's own timeout: every export keeps a deadline.
	b.export = e.millis(0, 0, prefix+"EXPORT_TIMEOUT")
	return b
}

// resolveMetricReader reads the periodic reader's interval and timeout,
// the exemplar filter, the temporality and the histogram aggregation.
func (c *config) resolveMetricReader(e env) {
	c.metricInterval = e.millisOption(c.metricInterval, DefaultMetricInterval, "OTEL_METRIC_EXPORT_INTERVAL")
	c.metricTimeout = e.millis(0, 0, "OTEL_METRIC_EXPORT_TIMEOUT") // 0: the exporter's timeout
	c.exemplarFilter = e.enum("OTEL_METRICS_EXEMPLAR_FILTER", "trace_based", "always_on", "always_off", "trace_based")
	c.temporality = e.enum("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", temporalityCumul,
		temporalityCumul, temporalityDelta, temporalityLowMemory)
	c.histogram = e.enum("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", histogramExplicit,
		histogramExplicit, histogramExponential)
}

// resolveCardinality checks WithCardinalityLimit's limit, default 2000.
func (c *config) resolveCardinality(e env) {
	switch {
	case c.cardinalityLimit == 0:
		c.cardinalityLimit = defaultCardinality
	case c.cardinalityLimit < 0:
		e.v.add("cardinality limit", strconv.Itoa(c.cardinalityLimit), "a positive number")
		c.cardinalityLimit = defaultCardinality
	}
}

// resolveExportTimeout reads the OTLP export timeout that the signals
// default to.
func (c *config) resolveExportTimeout(e env) {
	c.exportTimeout = e.millisOption(c.exportTimeout, DefaultExportTimeout, "OTEL_EXPORTER_OTLP_TIMEOUT")
}

func (c *config) resolveSignals(e env) {
	c.traces = c.resolveSignal(e, "traces")
	c.metrics = c.resolveSignal(e, "metrics")
	c.logs = c.resolveSignal(e, "logs")
}

func (c *config) resolveShutdownTimeout(env) {
	if c.shutdownTimeout <= 0 {
		c.shutdownTimeout = DefaultShutdownTimeout
	}
}

// signalEnv reads the OTLP variables of one signal.
type signalEnv struct {
	env
	upper string // TRACES, METRICS or LOGS
}

// pick reads OTEL_EXPORTER_OTLP_<SIGNAL>_<suffix>, else
// OTEL_EXPORTER_OTLP_<suffix>, and says which one it read.
func (se signalEnv) pick(suffix string) (value, key string, ok bool) {
	return se.first("OTEL_EXPORTER_OTLP_"+se.upper+"_"+suffix, "OTEL_EXPORTER_OTLP_"+suffix)
}

// resolveSignal resolves the exporter of one signal: which kind, then its
// OTLP settings, each from the option, else
// OTEL_EXPORTER_OTLP_<SIGNAL>_*, else OTEL_EXPORTER_OTLP_*, else the
// default.
func (c *config) resolveSignal(e env, name string) signal {
	se := signalEnv{env: e, upper: strings.ToUpper(name)}
	s := signal{name: name}
	s.exporter = c.resolveExporterKind(e, name)
	s.protocol = c.resolveProtocol(se)
	scheme := c.resolveEndpoint(se, &s)
	c.resolveSecurity(se, &s, scheme)
	s.headers = c.resolveHeaders(se)
	s.timeout = c.resolveTimeout(se)
	s.gzip = resolveCompression(se)
	return s
}

// resolveExporterKind reads OTEL_<SIGNAL>_EXPORTER. An exporter given by
// option is OTLP's stand-in. Metrics may add prometheus to one push
// exporter; the others take one value.
func (c *config) resolveExporterKind(e env, name string) []string {
	key := "OTEL_" + strings.ToUpper(name) + "_EXPORTER"
	allowed := []string{exporterOTLP, exporterConsole, exporterNone}
	if name == "metrics" {
		allowed = append(allowed, exporterPrometheus)
	}
	kinds := e.list(key, allowed...)
	if kinds == nil {
		return []string{exporterOTLP}
	}
	var out []string
	push := 0
	for _, k := range kinds {
		switch k {
		case exporterNone:
			if len(kinds) > 1 {
				e.v.add(key, strings.Join(kinds, ","), "none alone")
			}
			continue
		case exporterOTLP, exporterConsole:
			push++
		}
		out = append(out, k)
	}
	if push > 1 {
		e.v.add(key, strings.Join(kinds, ","), "one of otlp or console (metrics: and prometheus)")
	}
	return out
}

func (c *config) resolveProtocol(se signalEnv) Protocol {
	if c.protocol != "" {
		if c.protocol != GRPC && c.protocol != HTTPProtobuf {
			se.v.add("protocol", string(c.protocol), "grpc or http/protobuf")
			return GRPC
		}
		return c.protocol
	}
	p, key, ok := se.pick("PROTOCOL")
	switch Protocol(p) {
	case GRPC, HTTPProtobuf:
		return Protocol(p)
	}
	if ok {
		se.v.add(key, p, "grpc or http/protobuf (http/json is not supported)")
	}
	return GRPC
}

// resolveEndpoint sets s.endpoint and s.urlPath and returns the URL scheme
// ("" for host:port). A per-signal URL is used as is; a generic one gets
// the signal's path appended (OTLP/HTTP only).
func (c *config) resolveEndpoint(se signalEnv, s *signal) (scheme string) {
	raw, field, perSignal := c.endpoint, "endpoint", false
	if raw == "" {
		var key string
		if raw, key, _ = se.pick("ENDPOINT"); key != "" {
			field, perSignal = key, key != "OTEL_EXPORTER_OTLP_ENDPOINT"
		}
	}
	if raw == "" {
		s.endpoint, s.urlPath = defaultEndpoint(s.protocol, s.name)
		return ""
	}
	hostport, path, scheme, err := parseEndpoint(raw)
	if err != nil {
		se.v.add(field, raw, "host:port or an http(s):// URL with a host")
		s.endpoint = DefaultGRPCEndpoint
		return ""
	}
	s.endpoint, s.urlPath = hostport, signalPath(path, s.name, perSignal)
	return scheme
}

// defaultEndpoint is where a signal exports when nothing says.
func defaultEndpoint(p Protocol, name string) (hostport, urlPath string) {
	if p == HTTPProtobuf {
		return DefaultHTTPEndpoint, "/v1/" + name
	}
	return DefaultGRPCEndpoint, ""
}

// signalPath is the URL path a signal posts to: a per-signal URL's own
// ("/" when it has none), or a generic URL's with /v1/<signal> appended.
func signalPath(path, name string, perSignal bool) string {
	switch {
	case perSignal && path == "":
		return "/"
	case perSignal:
		return path
	}
	return strings.TrimSuffix(path, "/") + "/v1/" + name
}

// resolveHeaders takes WithHeaders', else those of
// OTEL_EXPORTER_OTLP_[SIGNAL_]HEADERS. A malformed value is reported
// without echoing it: headers hold credentials.
func (c *config) resolveHeaders(se signalEnv) map[string]string {
	if c.headers != nil {
		return c.headers
	}
	h, key, ok := se.pick("HEADERS")
	if !ok {
		return nil
	}
	m, err := parseKeyValues(h)
	if err != nil {
		se.v.addErr(key, errMalformedHeaders)
	}
	return m
}

// errMalformedHeaders is the whole of what an error says about a bad
// headers variable.
var errMalformedHeaders = errors.New("malformed: want key=value pairs separated by commas")

// resolveTimeout takes WithExportTimeout's, else
// OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT, else the generic timeout.
func (c *config) resolveTimeout(se signalEnv) time.Duration {
	if c.exportTimeoutFromOption {
		return c.exportTimeout
	}
	return se.millis(c.exportTimeout, time.Millisecond, "OTEL_EXPORTER_OTLP_"+se.upper+"_TIMEOUT")
}

// resolveCompression reads OTEL_EXPORTER_OTLP_[SIGNAL_]COMPRESSION: gzip
// or none (the default).
func resolveCompression(se signalEnv) (gzip bool) {
	comp, key, ok := se.pick("COMPRESSION")
	if !ok {
		return false
	}
	switch strings.ToLower(comp) {
	case "gzip":
		return true
	case "none":
	default:
		se.v.add(key, comp, "gzip or none")
	}
	return false
}

// tlsFiles are the PEM files of one signal's certificate variables, each
// with the name of the variable it came from.
type tlsFiles struct {
	ca, caKey     string
	cert, certKey string
	key, keyKey   string
}

func readTLSFiles(se signalEnv) tlsFiles {
	var f tlsFiles
	f.ca, f.caKey, _ = se.pick("CERTIFICATE")
	f.cert, f.certKey, _ = se.pick("CLIENT_CERTIFICATE")
	f.key, f.keyKey, _ = se.pick("CLIENT_KEY")
	return f
}

// resolveSecurity decides between plaintext and TLS, and loads the TLS
// files. The files are checked even for plaintext: a bad one is a bad
// value.
func (c *config) resolveSecurity(se signalEnv, s *signal, scheme string) {
	files := readTLSFiles(se)
	s.insecure = c.resolveInsecure(se, s.endpoint, scheme, files)
	if cfg := tlsConfig(se.env, files); !s.insecure {
		s.tls = cfg
	}
}

// resolveInsecure says whether a signal exports in plaintext. The URL
// scheme wins: https:// is always TLS, http:// always plaintext;
// WithInsecure, then OTEL_EXPORTER_OTLP_[SIGNAL_]INSECURE, apply only to
// an endpoint without a scheme, which is plaintext by default for a
// loopback host without certificate files and TLS otherwise.
func (c *config) resolveInsecure(se signalEnv, endpoint, scheme string, files tlsFiles) bool {
	// Certificate files say TLS is wanted, even on a loopback host.
	insecure := scheme == "" && isLoopback(endpoint) && files.ca == "" && files.cert == ""
	if _, field, ok := se.pick("INSECURE"); ok {
		if b, set := se.bool(field); set {
			insecure = b
		}
	}
	if c.insecure != nil {
		insecure = *c.insecure
	}
	switch scheme {
	case "https":
		return false
	case "http":
		return true
	}
	return insecure
}

// tlsConfig builds the client TLS configuration from the PEM files, or
// returns nil if one of them is bad (reported under its variable's name).
func tlsConfig(e env, f tlsFiles) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	caOK := loadCA(e, f, cfg)
	pairOK := loadClientPair(e, f, cfg) // checked even after a bad CA: every bad file is reported
	if !caOK || !pairOK {
		return nil
	}
	return cfg
}

// loadCA sets cfg.RootCAs from the CA file, if any, and reports whether
// it was good.
func loadCA(e env, f tlsFiles, cfg *tls.Config) bool {
	if f.ca == "" {
		return true
	}
	pem, err := os.ReadFile(f.ca)
	if err != nil {
		e.v.addErr(f.caKey, err)
		return false
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		e.v.add(f.caKey, f.ca, "a readable PEM file of CA certificates")
		return false
	}
	cfg.RootCAs = pool
	return true
}

// loadClientPair sets cfg.Certificates from the client certificate and
// key, which come together or not at all, and reports whether they were
// good.
func loadClientPair(e env, f tlsFiles, cfg *tls.Config) bool {
	switch {
	case f.cert == "" && f.key == "":
		return true
	case f.key == "":
		e.v.add(strings.Replace(f.certKey, "CLIENT_CERTIFICATE", "CLIENT_KEY", 1), "", "the client key that goes with "+f.certKey)
		return false
	case f.cert == "":
		e.v.add(strings.Replace(f.keyKey, "CLIENT_KEY", "CLIENT_CERTIFICATE", 1), "", "the client certificate that goes with "+f.keyKey)
		return false
	}
	pair, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		e.v.addErr(blameKeyPair(f.cert, f.certKey, f.keyKey), fmt.Errorf("client certificate and key: %w", err))
		return false
	}
	cfg.Certificates = []tls.Certificate{pair}
	return true
}

// blameKeyPair names the variable of the file that made
// tls.LoadX509KeyPair fail: the certificate's if it does not hold a PEM
// certificate, else the key's.
func blameKeyPair(cert, certKey, keyKey string) string {
	b, err := os.ReadFile(cert)
	if err != nil {
		return certKey
	}
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return certKey
		}
		if block.Type == "CERTIFICATE" {
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return certKey
			}
			return keyKey
		}
	}
}

// resolvePrometheus reads where OTEL_METRICS_EXPORTER=prometheus serves.
func (c *config) resolvePrometheus(e env) {
	c.promHost = defaultPromHost
	if h, ok := e.get("OTEL_EXPORTER_PROMETHEUS_HOST"); ok {
		c.promHost = h
	}
	c.promPort = e.int(defaultPromPort, 0, "OTEL_EXPORTER_PROMETHEUS_PORT")
	if c.promPort > 65535 {
		e.v.add("OTEL_EXPORTER_PROMETHEUS_PORT", strconv.Itoa(c.promPort), "a port number, 0 to 65535")
	}
}

// resolveHTTPMethods checks OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, which
// the middleware reads.
func (c *config) resolveHTTPMethods(e env) {
	if s, ok := e.get("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"); ok {
		if _, err := httpconv.ParseKnownMethods(s); err != nil {
			e.v.addErr("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", err)
		}
	}
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
