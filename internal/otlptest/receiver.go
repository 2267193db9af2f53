// Package otlptest is a local OTLP receiver for tests: the three collector
// services over gRPC and POST /v1/traces, /v1/metrics and /v1/logs over
// HTTP (protobuf bodies, gzip honoured), both on random 127.0.0.1 ports,
// each optionally behind TLS or mutual TLS with certificates it generates
// (NewCerts). It records every request, decoded, and lets a test wait for
// what it expects with a context deadline.
//
//	certs := otlptest.NewCerts(t)
//	rcv := otlptest.Start(t, otlptest.WithMTLS(certs))
//	// point an exporter at rcv.GRPCAddr() or "https://"+rcv.HTTPAddr() ...
//	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
//	defer cancel()
//	reqs, err := rcv.WaitForSignals(ctx, otlptest.Traces)
//
// It answers every export with success and keeps everything in memory: it
// is for tests, not for load.
package otlptest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/encoding/gzip" // decompress gzip requests
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Signal is the kind of telemetry a request carries.
type Signal string

// The OTLP signals.
const (
	Traces  Signal = "traces"
	Metrics Signal = "metrics"
	Logs    Signal = "logs"
)

// Protocols as a Request reports them.
const (
	GRPC = "grpc"
	HTTP = "http"
)

// maxBody bounds a request body (OTLP's default max request size).
const maxBody = 64 << 20

// Option configures Start.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	certs      *Certs
	requireMTL bool
	paths      map[string]Signal
	delay      time.Duration
}

// WithTLS serves both protocols over TLS with certs' server certificate. A
// client certificate is not required; one that is given must verify
// against certs' CA and is recorded.
func WithTLS(certs *Certs) Option {
	return optionFunc(func(o *options) { o.certs, o.requireMTL = certs, false })
}

// WithMTLS serves both protocols over mutual TLS: a client certificate
// signed by certs' CA is required.
func WithMTLS(certs *Certs) Option {
	return optionFunc(func(o *options) { o.certs, o.requireMTL = certs, true })
}

// WithHTTPPath makes the HTTP server accept signal s at path, in addition
// to /v1/traces, /v1/metrics and /v1/logs.
func WithHTTPPath(path string, s Signal) Option {
	return optionFunc(func(o *options) { o.paths[path] = s })
}

// WithResponseDelay holds every answer for d after the request was
// recorded (or until the client gives up), to exercise client timeouts.
func WithResponseDelay(d time.Duration) Option {
	return optionFunc(func(o *options) { o.delay = d })
}

// Request is one export the receiver got. Its slices and maps must not be
// modified.
type Request struct {
	Signal   Signal // "" when the HTTP path is not one the receiver knows
	Protocol string // GRPC or HTTP
	// Path is the HTTP URL path, or the gRPC method
	// ("/opentelemetry.proto.collector.trace.v1.TraceService/Export").
	Path string
	// Header holds the HTTP headers or the gRPC metadata, keys in lower case.
	Header map[string][]string
	Gzip   bool // the body was gzip-compressed (Content-Encoding or grpc-encoding)
	TLS    bool // the request came over TLS
	// ClientCert is the subject of the verified TLS client certificate,
	// "" without one.
	ClientCert string
	// Err says why the body was not decoded (unknown path, content type,
	// bad gzip or protobuf); the receiver answered with an error then.
	Err string
	At  time.Time // when it was recorded

	Spans   []Span
	Metrics []Metric
	Logs    []Log
}

// HeaderValue returns the first value of the header (or gRPC metadata key)
// name, case-insensitively.
func (r Request) HeaderValue(name string) string {
	if v := r.Header[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Receiver is a running OTLP receiver. Its methods are safe for concurrent
// use.
type Receiver struct {
	opts     options
	grpcLn   net.Listener
	httpLn   net.Listener
	grpcSrv  *grpc.Server
	httpSrv  *http.Server
	serveErr chan error
	done     chan struct{} // closed by Close
	wg       sync.WaitGroup

	mu      sync.Mutex
	reqs    []Request
	changed chan struct{} // closed and replaced on every new request
	closed  bool
	closeEr error
}

// Start listens on two random 127.0.0.1 ports (gRPC and HTTP) and serves
// until Close, which is registered with t.Cleanup. It fails t if it
// cannot listen.
func Start(t testing.TB, opts ...Option) *Receiver {
	t.Helper()
	r, err := New(opts...)
	if err != nil {
		t.Fatalf("otlptest: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("otlptest: Close: %v", err)
		}
	})
	return r
}

// New is Start without a testing.TB: the caller must Close the receiver.
func New(opts ...Option) (*Receiver, error) {
	r := &Receiver{
		opts:     options{paths: map[string]Signal{"/v1/traces": Traces, "/v1/metrics": Metrics, "/v1/logs": Logs}},
		serveErr: make(chan error, 2),
		done:     make(chan struct{}),
		changed:  make(chan struct{}),
	}
	for _, o := range opts {
		o.apply(&r.opts)
	}
	var err error
	if r.grpcLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	if r.httpLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		r.grpcLn.Close()
		return nil, err
	}

	gopts := []grpc.ServerOption{grpc.StatsHandler(compressionTap{})}
	if c := r.opts.certs; c != nil {
		gopts = append(gopts, grpc.Creds(credentials.NewTLS(c.ServerTLS(r.opts.requireMTL))))
	}
	r.grpcSrv = grpc.NewServer(gopts...)
	coltracepb.RegisterTraceServiceServer(r.grpcSrv, traceService{r: r})
	colmetricspb.RegisterMetricsServiceServer(r.grpcSrv, metricsService{r: r})
	collogspb.RegisterLogsServiceServer(r.grpcSrv, logsService{r: r})

	r.httpSrv = &http.Server{
		Handler:           http.HandlerFunc(r.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // failed handshakes are expected in tests
	}
	if c := r.opts.certs; c != nil {
		r.httpSrv.TLSConfig = c.ServerTLS(r.opts.requireMTL)
	}

	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		if err := r.grpcSrv.Serve(r.grpcLn); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			r.serveErr <- fmt.Errorf("gRPC server: %w", err)
		}
	}()
	go func() {
		defer r.wg.Done()
		var err error
		if r.httpSrv.TLSConfig != nil {
			err = r.httpSrv.ServeTLS(r.httpLn, "", "")
		} else {
			err = r.httpSrv.Serve(r.httpLn)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.serveErr <- fmt.Errorf("HTTP server: %w", err)
		}
	}()
	return r, nil
}

// GRPCAddr is the gRPC server's host:port (127.0.0.1:port).
func (r *Receiver) GRPCAddr() string { return r.grpcLn.Addr().String() }

// HTTPAddr is the HTTP server's host:port (127.0.0.1:port).
func (r *Receiver) HTTPAddr() string { return r.httpLn.Addr().String() }

// Requests returns the requests received so far, in arrival order.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// WaitFor returns the requests as soon as cond holds for them. It stops
// at ctx's deadline with an error and the requests received by then.
func (r *Receiver) WaitFor(ctx context.Context, cond func([]Request) bool) ([]Request, error) {
	for {
		r.mu.Lock()
		reqs, ch := slices.Clone(r.reqs), r.changed
		r.mu.Unlock()
		if cond(reqs) {
			return reqs, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return reqs, fmt.Errorf("otlptest: condition not met after %d requests: %w", len(reqs), ctx.Err())
		}
	}
}

// WaitForSignals waits until at least one request of each of signals has
// been decoded.
func (r *Receiver) WaitForSignals(ctx context.Context, signals ...Signal) ([]Request, error) {
	return r.WaitFor(ctx, func(reqs []Request) bool {
		for _, s := range signals {
			if !slices.ContainsFunc(reqs, func(q Request) bool { return q.Signal == s && q.Err == "" }) {
				return false
			}
		}
		return true
	})
}

// Close stops both servers, closing their connections, and waits for
// their goroutines. It returns a serving error if there was one. Calls
// after the first return the first result.
func (r *Receiver) Close() error {
	r.mu.Lock()
	if r.closed {
		defer r.mu.Unlock()
		return r.closeEr
	}
	r.closed = true
	r.mu.Unlock()

	close(r.done) // releases delayed answers
	r.grpcSrv.Stop()
	err := r.httpSrv.Close()
	r.wg.Wait()
	close(r.serveErr)
	for e := range r.serveErr {
		err = errors.Join(err, e)
	}
	r.mu.Lock()
	r.closeEr = err
	r.mu.Unlock()
	return err
}

func (r *Receiver) add(q Request) {
	q.At = time.Now()
	r.mu.Lock()
	r.reqs = append(r.reqs, q)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// hold delays an answer by the configured response delay. It returns the
// context's error when the caller gave up first, so that no answer is
// sent then: over gRPC the server's copy of the caller's deadline can
// expire just before the caller's own, and a success sent at that moment
// would reach the caller in time.
func (r *Receiver) hold(ctx context.Context) error {
	if r.opts.delay <= 0 {
		return nil
	}
	t := time.NewTimer(r.opts.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	case <-r.done:
	}
	return nil
}

func (r *Receiver) serveHTTP(w http.ResponseWriter, hr *http.Request) {
	if hr.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	q := Request{
		Protocol: HTTP,
		Path:     hr.URL.Path,
		Header:   make(map[string][]string, len(hr.Header)),
		Gzip:     strings.EqualFold(strings.TrimSpace(hr.Header.Get("Content-Encoding")), "gzip"),
		TLS:      hr.TLS != nil,
	}
	for k, v := range hr.Header {
		q.Header[strings.ToLower(k)] = v
	}
	if hr.TLS != nil && len(hr.TLS.PeerCertificates) > 0 {
		q.ClientCert = hr.TLS.PeerCertificates[0].Subject.String()
	}

	fail := func(code int, format string, args ...any) {
		q.Err = fmt.Sprintf(format, args...)
		r.add(q)
		http.Error(w, q.Err, code)
	}
	sig, ok := r.opts.paths[hr.URL.Path]
	if !ok {
		fail(http.StatusNotFound, "unknown path %q", hr.URL.Path)
		return
	}
	q.Signal = sig
	if mt, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type")); mt != "application/x-protobuf" {
		fail(http.StatusUnsupportedMediaType, "unsupported content type %q", hr.Header.Get("Content-Type"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxBody+1))
	if err != nil {
		fail(http.StatusBadRequest, "reading body: %v", err)
		return
	}
	if q.Gzip {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			fail(http.StatusBadRequest, "gzip: %v", err)
			return
		}
		body, err = io.ReadAll(io.LimitReader(zr, maxBody+1))
		if err != nil {
			fail(http.StatusBadRequest, "gzip: %v", err)
			return
		}
	}
	if len(body) > maxBody {
		fail(http.StatusRequestEntityTooLarge, "body over %d bytes", maxBody)
		return
	}

	var resp proto.Message
	switch sig {
	case Traces:
		m := &coltracepb.ExportTraceServiceRequest{}
		if err = proto.Unmarshal(body, m); err == nil {
			q.Spans = decodeSpans(m)
		}
		resp = &coltracepb.ExportTraceServiceResponse{}
	case Metrics:
		m := &colmetricspb.ExportMetricsServiceRequest{}
		if err = proto.Unmarshal(body, m); err == nil {
			q.Metrics = decodeMetrics(m)
		}
		resp = &colmetricspb.ExportMetricsServiceResponse{}
	case Logs:
		m := &collogspb.ExportLogsServiceRequest{}
		if err = proto.Unmarshal(body, m); err == nil {
			q.Logs = decodeLogs(m)
		}
		resp = &collogspb.ExportLogsServiceResponse{}
	}
	if err != nil {
		fail(http.StatusBadRequest, "protobuf: %v", err)
		return
	}
	r.add(q)
	if r.hold(hr.Context()) != nil {
		return // the client went away
	}
	out, err := proto.Marshal(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// grpcRequest builds the record of a gRPC call from its context.
func grpcRequest(ctx context.Context, sig Signal) Request {
	q := Request{Signal: sig, Protocol: GRPC, Header: map[string][]string{}}
	if m, ok := grpc.Method(ctx); ok {
		q.Path = m
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		for k, v := range md {
			q.Header[strings.ToLower(k)] = v
		}
	}
	if info, ok := ctx.Value(compressionKey{}).(*rpcInfo); ok {
		q.Gzip = info.compression == "gzip"
	}
	if p, ok := peer.FromContext(ctx); ok {
		if ti, ok := p.AuthInfo.(credentials.TLSInfo); ok {
			q.TLS = true
			if len(ti.State.PeerCertificates) > 0 {
				q.ClientCert = ti.State.PeerCertificates[0].Subject.String()
			}
		}
	}
	return q
}

type traceService struct {
	coltracepb.UnimplementedTraceServiceServer
	r *Receiver
}

func (s traceService) Export(ctx context.Context, m *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	q := grpcRequest(ctx, Traces)
	q.Spans = decodeSpans(m)
	return receive(ctx, s.r, q, &coltracepb.ExportTraceServiceResponse{})
}

type metricsService struct {
	colmetricspb.UnimplementedMetricsServiceServer
	r *Receiver
}

func (s metricsService) Export(ctx context.Context, m *colmetricspb.ExportMetricsServiceRequest) (*colmetricspb.ExportMetricsServiceResponse, error) {
	q := grpcRequest(ctx, Metrics)
	q.Metrics = decodeMetrics(m)
	return receive(ctx, s.r, q, &colmetricspb.ExportMetricsServiceResponse{})
}

type logsService struct {
	collogspb.UnimplementedLogsServiceServer
	r *Receiver
}

func (s logsService) Export(ctx context.Context, m *collogspb.ExportLogsServiceRequest) (*collogspb.ExportLogsServiceResponse, error) {
	q := grpcRequest(ctx, Logs)
	q.Logs = decodeLogs(m)
	return receive(ctx, s.r, q, &collogspb.ExportLogsServiceResponse{})
}

// receive records the gRPC call q, holds it as the receiver is told to,
// then answers resp.
func receive[R any](ctx context.Context, r *Receiver, q Request, resp *R) (*R, error) {
	r.add(q)
	if err := r.hold(ctx); err != nil {
		return nil, err
	}
	return resp, nil
}

// compressionTap is a gRPC stats handler that remembers each call's
// grpc-encoding, which gRPC keeps out of the metadata.
type compressionTap struct{}

type compressionKey struct{}

type rpcInfo struct{ compression string }

func (compressionTap) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, compressionKey{}, &rpcInfo{})
}

func (compressionTap) HandleRPC(ctx context.Context, s stats.RPCStats) {
	if h, ok := s.(*stats.InHeader); ok {
		if info, ok := ctx.Value(compressionKey{}).(*rpcInfo); ok {
			info.compression = h.Compression
		}
	}
}

func (compressionTap) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

func (compressionTap) HandleConn(context.Context, stats.ConnStats) {}
