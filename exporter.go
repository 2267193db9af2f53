package telemetry

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// exporters are the push exporters of the three signals; a nil one means
// the signal exports nothing (OTEL_<SIGNAL>_EXPORTER=none).
type exporters struct {
	span   sdktrace.SpanExporter
	metric sdkmetric.Exporter
	log    sdklog.Exporter
}

func (e exporters) shutdown(ctx context.Context) {
	for _, s := range []interface{ Shutdown(context.Context) error }{e.span, e.metric, e.log} {
		if s != nil {
			_ = s.Shutdown(ctx)
		}
	}
}

// orNil turns a failed constructor's typed nil into a nil interface, so
// that cleanup does not call Shutdown on a nil exporter.
func orNil[I any](e I, err error) (I, error) {
	if err != nil {
		var none I
		return none, err
	}
	return e, nil
}

// newExporters builds each signal's exporter: the one an option gave, else
// the kind OTEL_<SIGNAL>_EXPORTER names (OTLP by default). Building an OTLP
// exporter does not dial: gRPC connects lazily. The OTLP/HTTP exporters get
// transports of their own, which t closes at Shutdown.
func (t *Telemetry) newExporters(ctx context.Context, cfg *config) (exporters, error) {
	var out exporters
	var errSpan, errMetric, errLog error
	out.span, errSpan = t.newSpanExporter(ctx, cfg)
	out.metric, errMetric = t.newMetricExporter(ctx, cfg)
	out.log, errLog = t.newLogExporter(ctx, cfg)
	if err := errors.Join(errSpan, errMetric, errLog); err != nil {
		// Undo what was built: Init that fails half way starts nothing.
		out.shutdown(ctx)
		return exporters{}, err
	}
	return out, nil
}

func (t *Telemetry) newSpanExporter(ctx context.Context, cfg *config) (sdktrace.SpanExporter, error) {
	return pickExporter(cfg.spanExporter, cfg.traces, func() (sdktrace.SpanExporter, error) {
		return newOTLPSpanExporter(ctx, cfg.traces, t.transport(cfg.traces))
	}, func() (sdktrace.SpanExporter, error) {
		return orNil[sdktrace.SpanExporter](stdouttrace.New(stdouttrace.WithWriter(os.Stdout)))
	})
}

func (t *Telemetry) newMetricExporter(ctx context.Context, cfg *config) (sdkmetric.Exporter, error) {
	return pickExporter(cfg.metricExporter, cfg.metrics, func() (sdkmetric.Exporter, error) {
		return newOTLPMetricExporter(ctx, cfg, t.transport(cfg.metrics))
	}, func() (sdkmetric.Exporter, error) {
		return orNil[sdkmetric.Exporter](stdoutmetric.New(stdoutmetric.WithWriter(os.Stdout),
			stdoutmetric.WithTemporalitySelector(temporalitySelector(cfg.temporality)),
			stdoutmetric.WithAggregationSelector(aggregationSelector(cfg.histogram))))
	})
}

func (t *Telemetry) newLogExporter(ctx context.Context, cfg *config) (sdklog.Exporter, error) {
	return pickExporter(cfg.logExporter, cfg.logs, func() (sdklog.Exporter, error) {
		return newOTLPLogExporter(ctx, cfg.logs, t.transport(cfg.logs))
	}, func() (sdklog.Exporter, error) {
		return orNil[sdklog.Exporter](stdoutlog.New(stdoutlog.WithWriter(os.Stdout)))
	})
}

// pickExporter returns one signal's exporter: given (an option's) when it
// is not nil, else what otlp or console builds when s's exporter list
// names them, else none.
func pickExporter[E any](given E, s signal, otlp, console func() (E, error)) (E, error) {
	switch {
	case any(given) != nil:
		return given, nil
	case s.uses(exporterOTLP):
		return otlp()
	case s.uses(exporterConsole):
		return console()
	}
	var none E
	return none, nil
}

// transport returns a new HTTP transport for one signal's OTLP/HTTP
// exporter, with its TLS settings. The exporters' shared package-level
// transport would keep idle connections past Shutdown; these are closed.
func (t *Telemetry) transport(s signal) http.RoundTripper {
	if s.protocol != HTTPProtobuf {
		return nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = s.tls
	tr.DialContext = t.conns.dial
	t.transports = append(t.transports, tr)
	return tr
}

// conns remembers the connections the OTLP/HTTP transports opened, so
// that Shutdown closes every one: CloseIdleConnections misses an HTTP/2
// connection that is not idle yet, and its read loop outlived Shutdown.
type conns struct {
	mu   sync.Mutex
	open map[net.Conn]struct{}
	d    net.Dialer
}

func (c *conns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := c.d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = make(map[net.Conn]struct{})
	}
	tc := &trackedConn{Conn: conn, c: c}
	c.open[tc] = struct{}{}
	return tc, nil
}

// closeAll closes every connection still open.
func (c *conns) closeAll() {
	c.mu.Lock()
	open := c.open
	c.open = nil
	c.mu.Unlock()
	for conn := range open {
		_ = conn.(*trackedConn).Conn.Close()
	}
}

type trackedConn struct {
	net.Conn
	c *conns
}

func (t *trackedConn) Close() error {
	t.c.mu.Lock()
	delete(t.c.open, t)
	t.c.mu.Unlock()
	return t.Conn.Close()
}

// endpointURL is the URL an OTLP/HTTP exporter posts to. Passing a URL
// (not host and path) also overrides what the exporter read from
// OTEL_EXPORTER_OTLP_INSECURE itself, so the scheme decides.
func endpointURL(s signal) string {
	u := url.URL{Scheme: "https", Host: s.endpoint, Path: s.urlPath}
	if s.insecure {
		u.Scheme = "http"
	}
	return u.String()
}

// grpcCredentials are the transport credentials of a gRPC exporter, given
// as a dial option so that they win over whatever the exporter read from
// the environment itself.
func grpcCredentials(s signal) grpc.DialOption {
	if s.insecure {
		return grpc.WithTransportCredentials(insecure.NewCredentials())
	}
	cfg := s.tls
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(cfg))
}

func httpClient(s signal, tr http.RoundTripper) *http.Client {
	return &http.Client{Transport: tr, Timeout: s.timeout}
}

// otlpHTTP are the option constructors of one OTLP/HTTP exporter package
// (otlptracehttp, otlpmetrichttp, otlploghttp): options says once how a
// signal's settings become that package's options.
type otlpHTTP[O any] struct {
	endpointURL  func(string) O
	timeout      func(time.Duration) O
	client       func(*http.Client) O
	tls          func(*tls.Config) O
	gzip, noGzip O
	headers      func(map[string]string) O
}

func (p otlpHTTP[O]) options(s signal, tr http.RoundTripper) []O {
	o := []O{p.endpointURL(endpointURL(s)), p.timeout(s.timeout), p.client(httpClient(s, tr)), p.tls(s.tls), p.noGzip}
	if s.gzip {
		o = append(o, p.gzip)
	}
	if s.headers != nil {
		o = append(o, p.headers(s.headers))
	}
	return o
}

// otlpGRPC are the option constructors of one OTLP/gRPC exporter package.
type otlpGRPC[O any] struct {
	endpoint   func(string) O
	timeout    func(time.Duration) O
	dial       func(...grpc.DialOption) O
	compressor func(string) O
	headers    func(map[string]string) O
}

func (p otlpGRPC[O]) options(s signal) []O {
	o := []O{p.endpoint(s.endpoint), p.timeout(s.timeout), p.dial(reconnect(), grpcCredentials(s))}
	if s.gzip {
		o = append(o, p.compressor("gzip"))
	}
	if s.headers != nil {
		o = append(o, p.headers(s.headers))
	}
	return o
}

var (
	traceHTTP = otlpHTTP[otlptracehttp.Option]{otlptracehttp.WithEndpointURL, otlptracehttp.WithTimeout, otlptracehttp.WithHTTPClient, otlptracehttp.WithTLSClientConfig,
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression), otlptracehttp.WithCompression(otlptracehttp.NoCompression), otlptracehttp.WithHeaders}
	metricHTTP = otlpHTTP[otlpmetrichttp.Option]{otlpmetrichttp.WithEndpointURL, otlpmetrichttp.WithTimeout, otlpmetrichttp.WithHTTPClient, otlpmetrichttp.WithTLSClientConfig,
		otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression), otlpmetrichttp.WithCompression(otlpmetrichttp.NoCompression), otlpmetrichttp.WithHeaders}
	logHTTP = otlpHTTP[otlploghttp.Option]{otlploghttp.WithEndpointURL, otlploghttp.WithTimeout, otlploghttp.WithHTTPClient, otlploghttp.WithTLSClientConfig,
		otlploghttp.WithCompression(otlploghttp.GzipCompression), otlploghttp.WithCompression(otlploghttp.NoCompression), otlploghttp.WithHeaders}
	traceGRPC  = otlpGRPC[otlptracegrpc.Option]{otlptracegrpc.WithEndpoint, otlptracegrpc.WithTimeout, otlptracegrpc.WithDialOption, otlptracegrpc.WithCompressor, otlptracegrpc.WithHeaders}
	metricGRPC = otlpGRPC[otlpmetricgrpc.Option]{otlpmetricgrpc.WithEndpoint, otlpmetricgrpc.WithTimeout, otlpmetricgrpc.WithDialOption, otlpmetricgrpc.WithCompressor, otlpmetricgrpc.WithHeaders}
	logGRPC    = otlpGRPC[otlploggrpc.Option]{otlploggrpc.WithEndpoint, otlploggrpc.WithTimeout, otlploggrpc.WithDialOption, otlploggrpc.WithCompressor, otlploggrpc.WithHeaders}
)

func newOTLPSpanExporter(ctx context.Context, s signal, tr http.RoundTripper) (sdktrace.SpanExporter, error) {
	if s.protocol == HTTPProtobuf {
		return orNil[sdktrace.SpanExporter](otlptracehttp.New(ctx, traceHTTP.options(s, tr)...))
	}
	return orNil[sdktrace.SpanExporter](otlptracegrpc.New(ctx, traceGRPC.options(s)...))
}

// newOTLPMetricExporter is the OTLP metric exporter of the metrics signal,
// with the temporality and histogram aggregation of the configuration.
func newOTLPMetricExporter(ctx context.Context, cfg *config, tr http.RoundTripper) (sdkmetric.Exporter, error) {
	s := cfg.metrics
	temporality, aggregation := temporalitySelector(cfg.temporality), aggregationSelector(cfg.histogram)
	if s.protocol == HTTPProtobuf {
		o := append(metricHTTP.options(s, tr),
			otlpmetrichttp.WithTemporalitySelector(temporality), otlpmetrichttp.WithAggregationSelector(aggregation))
		return orNil[sdkmetric.Exporter](otlpmetrichttp.New(ctx, o...))
	}
	o := append(metricGRPC.options(s),
		otlpmetricgrpc.WithTemporalitySelector(temporality), otlpmetricgrpc.WithAggregationSelector(aggregation))
	return orNil[sdkmetric.Exporter](otlpmetricgrpc.New(ctx, o...))
}

func newOTLPLogExporter(ctx context.Context, s signal, tr http.RoundTripper) (sdklog.Exporter, error) {
	if s.protocol == HTTPProtobuf {
		return orNil[sdklog.Exporter](otlploghttp.New(ctx, logHTTP.options(s, tr)...))
	}
	return orNil[sdklog.Exporter](otlploggrpc.New(ctx, logGRPC.options(s)...))
}

// temporalitySelector implements
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE as the specification
// defines its three values.
func temporalitySelector(pref string) sdkmetric.TemporalitySelector {
	switch pref {
	case temporalityDelta:
		return temporalityOf(metricdata.CumulativeTemporality, metricdata.DeltaTemporality,
			sdkmetric.InstrumentKindUpDownCounter, sdkmetric.InstrumentKindObservableUpDownCounter)
	case temporalityLowMemory:
		return temporalityOf(metricdata.DeltaTemporality, metricdata.CumulativeTemporality,
			sdkmetric.InstrumentKindCounter, sdkmetric.InstrumentKindHistogram)
	}
	return sdkmetric.DefaultTemporalitySelector
}

// temporalityOf returns a selector that gives listed to the kinds and
// other to every other kind.
func temporalityOf(listed, other metricdata.Temporality, kinds ...sdkmetric.InstrumentKind) sdkmetric.TemporalitySelector {
	return func(k sdkmetric.InstrumentKind) metricdata.Temporality {
		if slices.Contains(kinds, k) {
			return listed
		}
		return other
	}
}

// aggregationSelector implements
// OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION.
func aggregationSelector(h string) sdkmetric.AggregationSelector {
	if h != histogramExponential {
		return sdkmetric.DefaultAggregationSelector
	}
	return func(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
		if k == sdkmetric.InstrumentKindHistogram {
			return sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 20}
		}
		return sdkmetric.DefaultAggregationSelector(k)
	}
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
