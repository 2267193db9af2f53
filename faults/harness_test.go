//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
)

// ---------------------------------------------------------------------------
// The collector binary and processes.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// otelcolBin returns the collector binary: OTELCOL_BIN, or the stack's
// cached build (stack.sh bin otelcol builds it if missing).
func otelcolBin(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("OTELCOL_BIN"); p != "" {
			binPath = p
			return
		}
		root, err := filepath.Abs("..")
		if err != nil {
			binErr = err
			return
		}
		var out, errb bytes.Buffer
		cmd := exec.Command("bash", filepath.Join(root, "examples/stack/local/stack.sh"), "bin", "otelcol")
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("stack.sh bin otelcol: %v: %s", err, errb.String())
			return
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		binPath = strings.TrimSpace(lines[len(lines)-1])
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// cloudConfig points the collector's otlp_http exporter at a fake cloud,
// with basic auth as Grafana Cloud wants it.
type cloudConfig struct {
	URL, User, Token string
}

// collector is one collector configuration and the process running it
// (restartable: the same ports, files appended to).
type collector struct {
	t                            testing.TB
	dir                          string
	otlp, prom, health, httpPort int
	cloud                        *cloudConfig

	mu     sync.Mutex
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{}
}

func newCollector(t testing.TB, cloud *cloudConfig) *collector {
	t.Helper()
	c := &collector{t: t, dir: t.TempDir(), otlp: freePort(t), prom: freePort(t), health: freePort(t), httpPort: freePort(t), cloud: cloud}
	if err := os.WriteFile(c.path("config.yaml"), []byte(c.config()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	return c
}

func (c *collector) path(name string) string { return filepath.Join(c.dir, name) }

// Endpoint is the OTLP/gRPC endpoint the SDK exports to.
func (c *collector) Endpoint() string { return fmt.Sprintf("127.0.0.1:%d", c.otlp) }

// config mirrors the shipped collector config where it matters (an OTLP
// receiver fanning out per signal; the cloud exporter with its own
// sending queue and retries) on free ports, with file exporters that
// flush at once so that what the collector acknowledged is on disk.
func (c *collector) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, `extensions:
  health_check:
    endpoint: 127.0.0.1:%d
`, c.health)
	if c.cloud != nil {
		fmt.Fprintf(&b, `  basicauth/cloud:
    client_auth:
      username: "%s"
      password: "%s"
`, c.cloud.User, c.cloud.Token)
	}
	fmt.Fprintf(&b, `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%d
      http:
        endpoint: 127.0.0.1:%d
exporters:
  file/traces:
    path: %s
    append: true
    flush_interval: 1ms
  file/metrics:
    path: %s
    append: true
    flush_interval: 1ms
  file/logs:
    path: %s
    append: true
    flush_interval: 1ms
  prometheus:
    endpoint: 127.0.0.1:%d
    metric_expiration: 60m
`, c.otlp, c.httpPort, c.path("traces.jsonl"), c.path("metrics.jsonl"), c.path("logs.jsonl"), c.prom)
	extra, ext := "", "[health_check]"
	if c.cloud != nil {
		fmt.Fprintf(&b, `  otlp_http/cloud:
    endpoint: %s
    auth:
      authenticator: basicauth/cloud
    compression: gzip
    sending_queue:
      enabled: true
      queue_size: 1000
    retry_on_failure:
      enabled: true
      initial_interval: 500ms
      max_interval: 2s
      max_elapsed_time: 10s
`, c.cloud.URL)
		extra, ext = ", otlp_http/cloud", "[health_check, basicauth/cloud]"
	}
	fmt.Fprintf(&b, `service:
  extensions: %s
  telemetry:
    logs:
      level: debug
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file/traces%s]
    metrics:
      receivers: [otlp]
      exporters: [file/metrics, prometheus%s]
    logs:
      receivers: [otlp]
      exporters: [file/logs%s]
`, ext, extra, extra, extra)
	return b.String()
}

// start runs the collector and waits until its health check answers.
func (c *collector) start() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		c.t.Fatal("collector already running")
	}
	lf, err := os.OpenFile(c.path("collector.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(otelcolBin(c.t), "--config", c.path("config.yaml"))
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		c.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	c.cmd, c.log, c.exited = cmd, lf, exited
	waitCh := exited
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-waitCh:
			c.t.Fatalf("collector exited at start; log:\n%s", c.logTail())
		default:
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", c.health))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("collector not healthy after 60s; log:\n%s", c.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill stops the collector with SIGKILL (no flush, no goodbye).
func (c *collector) kill() { c.halt(true) }

// stop stops it with SIGTERM (a graceful shutdown), SIGKILL after 20 s.
func (c *collector) stop() { c.halt(false) }

func (c *collector) halt(kill bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return
	}
	if kill {
		_ = c.cmd.Process.Kill()
	} else {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(20 * time.Second):
			_ = c.cmd.Process.Kill()
		}
	}
	<-c.exited
	c.log.Close()
	c.cmd, c.log = nil, nil
}

func (c *collector) logText() string {
	b, _ := os.ReadFile(c.path("collector.log"))
	return string(b)
}

func (c *collector) logTail() string {
	s := c.logText()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// ---------------------------------------------------------------------------
// What the collector received: OTLP/JSON lines of the file exporters.

type otlpResource struct {
	Attributes []struct {
		Key   string `json:"key"`
		Value struct {
			StringValue string `json:"stringValue"`
		} `json:"value"`
	} `json:"attributes"`
}

func (r otlpResource) service() string {
	for _, a := range r.Attributes {
		if a.Key == "service.name" {
			return a.Value.StringValue
		}
	}
	return ""
}

type otlpLine struct {
	ResourceSpans []struct {
		Resource   otlpResource `json:"resource"`
		ScopeSpans []struct {
			Spans []json.RawMessage `json:"spans"`
		} `json:"scopeSpans"`
	} `json:"resourceSpans"`
	ResourceLogs []struct {
		Resource  otlpResource `json:"resource"`
		ScopeLogs []struct {
			LogRecords []json.RawMessage `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
	ResourceMetrics []struct {
		Resource     otlpResource `json:"resource"`
		ScopeMetrics []struct {
			Metrics []struct {
				Name      string                                  `json:"name"`
				Sum       *struct{ DataPoints []json.RawMessage } `json:"sum"`
				Gauge     *struct{ DataPoints []json.RawMessage } `json:"gauge"`
				Histogram *struct{ DataPoints []json.RawMessage } `json:"histogram"`
			} `json:"metrics"`
		} `json:"scopeMetrics"`
	} `json:"resourceMetrics"`
}

// received counts, per signal, the items of service svc in the collector's
// files: spans, log records, metric data points. Unparseable lines (a
// line cut by SIGKILL) are counted in bad.
type received struct {
	Spans, Logs, Points, Bad int
}

func (c *collector) received(t testing.TB, svc string) received {
	t.Helper()
	var r received
	for _, name := range []string{"traces.jsonl", "logs.jsonl", "metrics.jsonl"} {
		f, err := os.Open(c.path(name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 256<<20)
		for sc.Scan() {
			var l otlpLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				r.Bad++
				continue
			}
			for _, rs := range l.ResourceSpans {
				if rs.Resource.service() == svc {
					for _, ss := range rs.ScopeSpans {
						r.Spans += len(ss.Spans)
					}
				}
			}
			for _, rl := range l.ResourceLogs {
				if rl.Resource.service() == svc {
					for _, sl := range rl.ScopeLogs {
						r.Logs += len(sl.LogRecords)
					}
				}
			}
			for _, rm := range l.ResourceMetrics {
				if rm.Resource.service() == svc {
					for _, sm := range rm.ScopeMetrics {
						for _, m := range sm.Metrics {
							switch {
							case m.Sum != nil:
								r.Points += len(m.Sum.DataPoints)
							case m.Gauge != nil:
								r.Points += len(m.Gauge.DataPoints)
							case m.Histogram != nil:
								r.Points += len(m.Histogram.DataPoints)
							}
						}
					}
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return r
}

// ---------------------------------------------------------------------------
// Metric totals from the collector's prometheus exporter.

// promSample is one line of the Prometheus text format.
type promSample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

func (c *collector) scrape() ([]promSample, error) {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", c.prom))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape: %s", resp.Status)
	}
	return parseProm(resp.Body)
}

// parseProm reads the Prometheus text exposition format (name, labels,
// value; timestamps ignored).
func parseProm(r io.Reader) ([]promSample, error) {
	var out []promSample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s := promSample{Labels: map[string]string{}}
		i := strings.IndexAny(line, "{ ")
		if i < 0 {
			return nil, fmt.Errorf("bad line %q", line)
		}
		s.Name, line = line[:i], line[i:]
		if line[0] == '{' {
			line = line[1:]
			for {
				line = strings.TrimLeft(line, ", ")
				if strings.HasPrefix(line, "}") {
					line = line[1:]
					break
				}
				eq := strings.Index(line, `="`)
				if eq < 0 {
					return nil, fmt.Errorf("bad labels in %q", line)
				}
				key := line[:eq]
				line = line[eq+2:]
				var val strings.Builder
				j := 0
				for ; j < len(line) && line[j] != '"'; j++ {
					if line[j] == '\\' && j+1 < len(line) {
						j++
						switch line[j] {
						case 'n':
							val.WriteByte('\n')
						default:
							val.WriteByte(line[j])
						}
						continue
					}
					val.WriteByte(line[j])
				}
				if j >= len(line) {
					return nil, fmt.Errorf("unterminated label value")
				}
				s.Labels[key] = val.String()
				line = line[j+1:]
			}
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil, fmt.Errorf("no value for %s", s.Name)
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return nil, err
		}
		s.Value = v
		out = append(out, s)
	}
	return out, sc.Err()
}

// promSum sums the samples named name whose labels include match.
func promSum(samples []promSample, name string, match map[string]string) (float64, int) {
	var sum float64
	n := 0
outer:
	for _, s := range samples {
		if s.Name != name {
			continue
		}
		for k, v := range match {
			if s.Labels[k] != v {
				continue outer
			}
		}
		sum += s.Value
		n++
	}
	return sum, n
}

// ---------------------------------------------------------------------------
// A blackhole: accepts connections and never answers.

type blackhole struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func newBlackhole(t testing.TB) *blackhole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c) // held open, never read nor written
			b.mu.Unlock()
		}
	}()
	t.Cleanup(b.close)
	return b
}

func (b *blackhole) addr() string { return b.ln.Addr().String() }

func (b *blackhole) accepted() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

func (b *blackhole) close() {
	b.ln.Close()
	<-b.done
	b.mu.Lock()
	for _, c := range b.conns {
		c.Close()
	}
	b.conns = nil
	b.mu.Unlock()
}

// ---------------------------------------------------------------------------
// The example service: net/http with the SDK's middleware, metrics and log
// bridge, as a real service would use them.

// workRoute is the service's one route; every request ends one server
// span, emits one log record and counts in httpPortrequests_total.
const workRoute = "GET /work/{id}"

type service struct {
	tel  *telemetry.Telemetry
	srv  *http.Server
	url  string
	done chan struct{}
	ai   *metrics.AI
}

func startService(t testing.TB, tel *telemetry.Telemetry) *service {
	t.Helper()
	logger, err := logbridge.New(tel, logbridge.WithWriter(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ai, err := metrics.NewAI(tel)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(workRoute, func(w http.ResponseWriter, r *http.Request) {
		logbridge.From(r.Context()).InfoContext(r.Context(), "work done", "id", r.PathValue("id"))
		_, _ = io.WriteString(w, "ok\n")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &service{tel: tel, url: "http://" + ln.Addr().String(), done: make(chan struct{}), ai: ai}
	s.srv = &http.Server{
		Handler:           middleware.New(tel, middleware.WithLogger(logger))(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.DiscardHandler, slog.LevelError),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s
}

// close stops the HTTP server (not the Telemetry).
func (s *service) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}

// newTel is telemetry.Init with the suite's defaults for svc: OTLP/gRPC to
// endpoint, metrics every second, and an error handler that keeps what it
// is given (to look for tokens in it).
func newTel(t testing.TB, svc, endpoint string, sink *errSink, opts ...telemetry.Option) *telemetry.Telemetry {
	t.Helper()
	all := []telemetry.Option{
		telemetry.WithService(svc),
		telemetry.WithEnvironment(telemetry.Dev),
		telemetry.WithEndpoint(endpoint),
		telemetry.WithInsecure(true),
		telemetry.WithMetricInterval(time.Second),
	}
	if sink != nil {
		all = append(all, telemetry.WithErrorHandler(sink.Handle))
	}
	tel, err := telemetry.Init(context.Background(), append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tel
}

// errSink keeps the errors of the SDK's background error handler.
type errSink = testutil.ErrorLog

// ---------------------------------------------------------------------------
// Load.

// phase collects the results of the requests started while it was
// current.
type phase struct {
	name   string
	mu     sync.Mutex
	lat    []time.Duration
	failed int
}

func (p *phase) add(d time.Duration, ok bool) {
	p.mu.Lock()
	if ok {
		p.lat = append(p.lat, d)
	} else {
		p.failed++
	}
	p.mu.Unlock()
}

// stats returns the count, p50, p99 and max latency.
func (p *phase) stats() (n int, p50, p99, max time.Duration) {
	p.mu.Lock()
	l := slices.Clone(p.lat)
	p.mu.Unlock()
	return latencyStats(l)
}

func latencyStats(l []time.Duration) (n int, p50, p99, max time.Duration) {
	if len(l) == 0 {
		return 0, 0, 0, 0
	}
	slices.Sort(l)
	q := func(f float64) time.Duration { return l[min(len(l)-1, int(f*float64(len(l))))] }
	return len(l), q(0.50), q(0.99), l[len(l)-1]
}

// merge pools the latencies of phases.
func merge(name string, ps ...*phase) *phase {
	out := &phase{name: name}
	for _, p := range ps {
		p.mu.Lock()
		out.lat = append(out.lat, p.lat...)
		out.failed += p.failed
		p.mu.Unlock()
	}
	return out
}

// load sends GET /work/{n} from workers, each paced at one request per
// interval, to the current phase, until stopped. Loopback only, bounded by
// the caller's stop and by maxRequests.
type load struct {
	url      string
	workers  int
	interval time.Duration
	max      int64

	cur     atomic.Pointer[phase]
	sent    atomic.Int64 // requests that got a 200
	failed  atomic.Int64 // transport errors and non-200s
	stop    chan struct{}
	wg      sync.WaitGroup
	client  *http.Client
	started bool
}

func newLoad(url string, workers int, interval time.Duration, max int64) *load {
	return &load{url: url, workers: workers, interval: interval, max: max, stop: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}}
}

func (l *load) setPhase(p *phase) { l.cur.Store(p) }

func (l *load) start(p *phase) {
	l.setPhase(p)
	l.started = true
	var n atomic.Int64
	for w := range l.workers {
		l.wg.Go(func() {
			tick := time.NewTicker(l.interval)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				case <-tick.C:
				}
				if n.Add(1) > l.max {
					return
				}
				ph := l.cur.Load()
				t0 := time.Now()
				ok := l.one(fmt.Sprintf("%s/work/%d-%d", l.url, w, i))
				ph.add(time.Since(t0), ok)
			}
		})
	}
}

func (l *load) one(url string) bool {
	resp, err := l.client.Get(url)
	if err != nil {
		l.failed.Add(1)
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		l.failed.Add(1)
		return false
	}
	l.sent.Add(1)
	return true
}

// halt stops the workers and waits for the requests in flight.
func (l *load) halt() {
	if !l.started {
		return
	}
	l.started = false
	close(l.stop)
	l.wg.Wait()
	l.client.CloseIdleConnections()
}

// ---------------------------------------------------------------------------
// Heap.

// heapSampler samples HeapInuse every interval until stopped.
type heapSampler struct {
	base, peak uint64
	n          int
	stop       chan struct{}
	done       chan struct{}
}

func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func startHeapSampler(base uint64, every time.Duration) *heapSampler {
	h := &heapSampler{base: base, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-tick.C:
				if v := heapInuse(); v > h.peak {
					h.peak = v
				}
				h.n++
			}
		}
	}()
	return h
}

func (h *heapSampler) halt() (peak uint64, samples int) {
	close(h.stop)
	<-h.done
	return h.peak, h.n
}

// ---------------------------------------------------------------------------
// Polling and reporting.

// poll calls check every interval until it returns true or d passes.
func poll(d, interval time.Duration, check func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if check() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

// results collects the figures of the suite for the summary that TestMain
// prints (and docs/reliability.md quotes).
var results struct {
	mu   sync.Mutex
	rows [][3]string // fault, measured, result
}

func report(fault, measured, result string) {
	results.mu.Lock()
	results.rows = append(results.rows, [3]string{fault, measured, result})
	results.mu.Unlock()
}

func printReport(w io.Writer) {
	results.mu.Lock()
	defer results.mu.Unlock()
	if len(results.rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| fault | measured | result |\n|---|---|---|")
	for _, r := range results.rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r[0], r[1], r[2])
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// waitSDKGoroutines waits until no goroutine runs OpenTelemetry or gRPC
// code (but gRPC's callback serializer, which goleak ignores too) and
// returns how long that took, and the stacks of those left after d.
func waitSDKGoroutines(d time.Duration) (time.Duration, []string) {
	start := time.Now()
	var left []string
	poll(d, 100*time.Millisecond, func() bool {
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		left = left[:0]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "grpcsync.(*CallbackSerializer).run") || strings.Contains(g, "waitSDKGoroutines") {
				continue
			}
			if strings.Contains(g, "go.opentelemetry.io/otel") || strings.Contains(g, "google.golang.org/grpc") {
				left = append(left, g)
			}
		}
		return len(left) == 0
	})
	return time.Since(start), left
}
