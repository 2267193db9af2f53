package telemetry

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"os"
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
	e := env{lookup: lookup, v: v}
	c.resolveDisabled(e)
	c.resolveIdentity(e)
	c.resolveSampler(e)
	c.resolvePropagator(e)
	c.resolveLimits(e)
	c.resolveBatching(e)
	c.resolveMetricReader(e)
	c.exportTimeout = e.millisOption(c.exportTimeout, DefaultExportTimeout, "OTEL_EXPORTER_OTLP_TIMEOUT")
	c.traces = c.resolveSignal(e, "traces")
	c.metrics = c.resolveSignal(e, "metrics")
	c.logs = c.resolveSignal(e, "logs")
	c.resolvePrometheus(e)
	c.resolveHTTPMethods(e)
	if c.shutdownTimeout <= 0 {
		c.shutdownTimeout = DefaultShutdownTimeout
	}
	return c, v.err()
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
// the other resource attributes. OTEL_RESOURCE_ATTRIBUTES is the source of
// lowest precedence; an error names the variable the bad value came from.
func (c *config) resolveIdentity(e env) {
	var attrs map[string]string
	if s, ok := e.get("OTEL_RESOURCE_ATTRIBUTES"); ok {
		m, err := parseKeyValues(s)
		if err != nil {
			e.v.addErr("OTEL_RESOURCE_ATTRIBUTES", err)
		}
		attrs = m
	}
	fromAttrs := func(keys ...string) (string, string, bool) {
		for _, k := range keys {
			if s := attrs[k]; s != "" {
				return s, "OTEL_RESOURCE_ATTRIBUTES", true
			}
		}
		return "", "", false
	}

	field := "service"
	if c.service == "" {
		if s, ok := e.get("OTEL_SERVICE_NAME"); ok {
			c.service, field = s, "OTEL_SERVICE_NAME"
		} else if s, f, ok := fromAttrs("service.name"); ok {
			c.service, field = s, f
		}
	}
	switch {
	case c.service == "":
		e.v.add("service", "", "a name set by WithService or OTEL_SERVICE_NAME")
	case !serviceNameRE.MatchString(c.service):
		e.v.add(field, c.service, "1-63 characters of letters, digits, '.', '_', '-', starting with a letter or digit")
	}

	field = "environment"
	if c.environment == "" {
		if s, ok := e.get("ENVIRONMENT"); ok {
			c.environment, field = Environment(s), "ENVIRONMENT"
		} else if s, f, ok := fromAttrs("deployment.environment.name", "deployment.environment"); ok {
			c.environment, field = Environment(s), f
		} else {
			c.environment = Dev
		}
	}
	switch c.environment {
	case Dev, Staging, Prod:
	default:
		e.v.add(field, string(c.environment), "one of dev, prod, staging")
	}

	field = "project"
	if c.project == "" {
		if s, f, ok := fromAttrs("project"); ok {
			c.project, field = s, f
		} else {
			c.project = DefaultProject
		}
	}
	if !serviceNameRE.MatchString(c.project) {
		e.v.add(field, c.project, "1-63 characters of letters, digits, '.', '_', '-'")
	}

	if c.serviceVersion == "" {
		if c.serviceVersion = attrs["service.version"]; c.serviceVersion == "" {
			c.serviceVersion = buildVersion()
		}
	}
	c.serviceInstanceID = attrs["service.instance.id"]

	// Resource attributes from the environment that no option names.
	reserved := map[string]bool{
		"service.name": true, "service.version": true, "service.instance.id": true,
		"deployment.environment.name": true, "deployment.environment": true, "project": true,
	}
	for _, k := range sortedKeys(attrs) {
		if !reserved[k] {
			c.resourceAttrs = append(c.resourceAttrs, attribute.String(k, attrs[k]))
		}
	}
	c.resourceAttrs = append(c.resourceAttrs, c.attrs...)
}

func (c *config) resolveSampler(e env) {
	if c.sampler != nil {
		c.callerSampler = true
		return
	}
	if c.sampleRatio != nil {
		r := *c.sampleRatio
		if !(r >= 0 && r <= 1) {
			e.v.add("sample ratio", strconv.FormatFloat(r, 'g', -1, 64), "a number from 0 to 1")
			r = 1
		}
		c.sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r))
		return
	}
	c.sampler = sdktrace.ParentBased(sdktrace.AlwaysSample())
	name := e.enum("OTEL_TRACES_SAMPLER", "parentbased_always_on",
		"always_on", "always_off", "traceidratio",
		"parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio")
	ratio := 1.0
	if s, ok := e.get("OTEL_TRACES_SAMPLER_ARG"); ok && strings.HasSuffix(name, "traceidratio") {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || !(r >= 0 && r <= 1) {
			e.v.add("OTEL_TRACES_SAMPLER_ARG", s, "a number from 0 to 1")
		} else {
			ratio = r
		}
	}
	switch name {
	case "always_on":
		c.sampler = sdktrace.AlwaysSample()
	case "always_off":
		c.sampler = sdktrace.NeverSample()
	case "traceidratio":
		c.sampler = sdktrace.TraceIDRatioBased(ratio)
	case "parentbased_always_off":
		c.sampler = sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		c.sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))
	}
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
	var props []propagation.TextMapPropagator
	for _, n := range names {
		switch n {
		case "tracecontext":
			props = append(props, propagation.TraceContext{})
		case "baggage":
			props = append(props, propagation.Baggage{})
		case "b3":
			props = append(props, b3.New(b3.WithInjectEncoding(b3.B3SingleHeader)))
		case "b3multi":
			props = append(props, b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)))
		case "jaeger":
			props = append(props, jaeger.Jaeger{})
		case "none":
			if len(names) > 1 {
				e.v.add("OTEL_PROPAGATORS", strings.Join(names, ","), "none alone, or a list without none")
			}
		}
	}
	c.propagator = propagation.NewCompositeTextMapPropagator(props...)
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
	if c.cardinalityLimit == 0 {
		c.cardinalityLimit = defaultCardinality
	} else if c.cardinalityLimit < 0 {
		e.v.add("cardinality limit", strconv.Itoa(c.cardinalityLimit), "a positive number")
		c.cardinalityLimit = defaultCardinality
	}
}

// resolveSignal resolves the exporter of one signal: which kind, then its
// OTLP settings (option > OTEL_EXPORTER_OTLP_<SIGNAL>_* >
// OTEL_EXPORTER_OTLP_* > default).
func (c *config) resolveSignal(e env, name string) signal {
	s := signal{name: name}
	upper := strings.ToUpper(name)
	s.exporter = c.resolveExporterKind(e, &s, "OTEL_"+upper+"_EXPORTER")
	pick := func(suffix string) (value, key string, ok bool) {
		return e.first("OTEL_EXPORTER_OTLP_"+upper+"_"+suffix, "OTEL_EXPORTER_OTLP_"+suffix)
	}

	s.protocol = c.protocol
	if s.protocol == "" {
		p, key, ok := pick("PROTOCOL")
		switch Protocol(p) {
		case GRPC, HTTPProtobuf:
			s.protocol = Protocol(p)
		default:
			if ok {
				e.v.add(key, p, "grpc or http/protobuf (http/json is not supported)")
			}
			s.protocol = GRPC
		}
	} else if s.protocol != GRPC && s.protocol != HTTPProtobuf {
		e.v.add("protocol", string(s.protocol), "grpc or http/protobuf")
		s.protocol = GRPC
	}

	scheme := c.resolveEndpoint(e, &s, upper)
	c.resolveSecurity(e, &s, scheme, pick)

	if c.headers != nil {
		s.headers = c.headers
	} else if h, key, ok := pick("HEADERS"); ok {
		m, err := parseKeyValues(h)
		if err != nil {
			// Never echo header values: they hold credentials.
			e.v.addErr(key, fmt.Errorf("malformed: want key=value pairs separated by commas"))
		}
		s.headers = m
	}

	s.timeout = c.exportTimeout
	if !c.exportTimeoutFromOption {
		s.timeout = e.millis(c.exportTimeout, time.Millisecond, "OTEL_EXPORTER_OTLP_"+upper+"_TIMEOUT")
	}
	if comp, key, ok := pick("COMPRESSION"); ok {
		switch strings.ToLower(comp) {
		case "gzip":
			s.gzip = true
		case "none":
		default:
			e.v.add(key, comp, "gzip or none")
		}
	}
	return s
}

// resolveExporterKind reads OTEL_<SIGNAL>_EXPORTER. An exporter given by
// option is OTLP's stand-in. Metrics may add prometheus to one push
// exporter; the others take one value.
func (c *config) resolveExporterKind(e env, s *signal, key string) []string {
	allowed := []string{exporterOTLP, exporterConsole, exporterNone}
	if s.name == "metrics" {
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

// resolveEndpoint sets s.endpoint and s.urlPath and returns the URL scheme
// ("" for host:port). A per-signal URL is used as is; a generic one gets
// the signal's path appended (OTLP/HTTP only).
func (c *config) resolveEndpoint(e env, s *signal, upper string) (scheme string) {
	raw, field, perSignal := c.endpoint, "endpoint", false
	if raw == "" {
		var key string
		if raw, key, _ = e.first("OTEL_EXPORTER_OTLP_"+upper+"_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"); key != "" {
			field, perSignal = key, key != "OTEL_EXPORTER_OTLP_ENDPOINT"
		}
	}
	defaultPath := "/v1/" + s.name
	switch {
	case raw == "" && s.protocol == HTTPProtobuf:
		s.endpoint, s.urlPath = DefaultHTTPEndpoint, defaultPath
		return ""
	case raw == "":
		s.endpoint = DefaultGRPCEndpoint
		return ""
	}
	hostport, path, scheme, err := parseEndpoint(raw)
	if err != nil {
		e.v.add(field, raw, "host:port or an http(s):// URL with a host")
		s.endpoint = DefaultGRPCEndpoint
		return ""
	}
	s.endpoint = hostport
	switch {
	case perSignal && path == "":
		s.urlPath = "/"
	case perSignal:
		s.urlPath = path
	default:
		s.urlPath = strings.TrimSuffix(path, "/") + defaultPath
	}
	return scheme
}

// resolveSecurity decides between plaintext and TLS, and loads the TLS
// files. The URL scheme wins: https:// is always TLS, http:// always
// plaintext; WithInsecure and OTEL_EXPORTER_OTLP_[SIGNAL_]INSECURE apply
// only to an endpoint without a scheme, which is plaintext by default for
// a loopback host without certificate files and TLS otherwise.
func (c *config) resolveSecurity(e env, s *signal, scheme string, pick func(string) (string, string, bool)) {
	ca, caKey, _ := pick("CERTIFICATE")
	cert, certKey, _ := pick("CLIENT_CERTIFICATE")
	key, keyKey, _ := pick("CLIENT_KEY")
	// Certificate files say TLS is wanted, even on a loopback host.
	insecure := scheme == "" && isLoopback(s.endpoint) && ca == "" && cert == ""
	if _, field, ok := pick("INSECURE"); ok {
		if b, set := e.bool(field); set {
			insecure = b
		}
	}
	if c.insecure != nil {
		insecure = *c.insecure
	}
	switch scheme {
	case "https":
		insecure = false
	case "http":
		insecure = true
	}
	s.insecure = insecure

	// The files are checked even for plaintext: a bad one is a bad value.
	if cfg := tlsConfig(e, ca, caKey, cert, certKey, key, keyKey); !insecure {
		s.tls = cfg
	}
}

// tlsConfig builds the client TLS configuration from the PEM files of the
// certificate variables, or nil if one of them is bad (reported under the
// variable's name).
func tlsConfig(e env, ca, caKey, cert, certKey, key, keyKey string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	bad := false
	if ca != "" {
		pem, err := os.ReadFile(ca)
		pool := x509.NewCertPool()
		switch {
		case err != nil:
			e.v.addErr(caKey, err)
			bad = true
		case !pool.AppendCertsFromPEM(pem):
			e.v.add(caKey, ca, "a readable PEM file of CA certificates")
			bad = true
		}
		cfg.RootCAs = pool
	}
	switch {
	case cert != "" && key == "":
		e.v.add(strings.Replace(certKey, "CLIENT_CERTIFICATE", "CLIENT_KEY", 1), "", "the client key that goes with "+certKey)
		bad = true
	case cert == "" && key != "":
		e.v.add(strings.Replace(keyKey, "CLIENT_KEY", "CLIENT_CERTIFICATE", 1), "", "the client certificate that goes with "+keyKey)
		bad = true
	case cert != "":
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			e.v.addErr(blameKeyPair(cert, certKey, keyKey), fmt.Errorf("client certificate and key: %w", err))
			bad = true
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if bad {
		return nil
	}
	return cfg
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
