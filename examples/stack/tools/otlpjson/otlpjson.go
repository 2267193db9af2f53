// Package otlpjson sends the SDK's metrics, a two-service trace and a log line correlated
// with it to a collector as OTLP/JSON over HTTP, the way an instrumented service would. It
// is the traffic source of the stack's end-to-end checks (command otlpsend and the e2e
// tests) and needs no OpenTelemetry libraries: the payloads are written by hand, exactly as
// the wire format shows them.
//
// Counters and histograms are cumulative across rounds of one Sender, so Prometheus sees
// them grow.
package otlpjson

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Config says what a Sender sends and where. Zero fields take the defaults of New.
type Config struct {
	Endpoint    string   // collector OTLP/HTTP base URL; default http://127.0.0.1:4318
	Service     string   // service label and service.name; default api-gateway
	Downstream  string   // service.name of the trace's child span; default workflow-engine
	Environment string   // environment label; default dev
	Project     string   // project label; default starmates-ai-team
	ErrorRatio  float64  // share of requests answered 500, 0..1
	Signals     []string // any of metrics, traces, logs; default all three

	// DeploymentEnvironment, when set, is sent as the deployment.environment.name resource
	// attribute, as the SDK does; empty leaves it to the collector's resource processor.
	DeploymentEnvironment string
}

// Sender sends rounds of telemetry. It is not safe for concurrent use.
type Sender struct {
	cfg    Config
	start  time.Time
	client *http.Client

	ok, failed float64
	durCount   uint64
	durSum     float64
	durBuckets []uint64
	tokens     float64
	cost       float64
	aiRequests float64
}

// DurationBounds are the seconds-shaped buckets of http_request_duration_seconds.
var DurationBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// New returns a Sender for cfg, with defaults for its zero fields.
func New(cfg Config) *Sender {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&cfg.Endpoint, "http://127.0.0.1:4318")
	def(&cfg.Service, "api-gateway")
	def(&cfg.Downstream, "workflow-engine")
	def(&cfg.Environment, "dev")
	def(&cfg.Project, "starmates-ai-team")
	if len(cfg.Signals) == 0 {
		cfg.Signals = []string{"metrics", "traces", "logs"}
	}
	return &Sender{
		cfg:        cfg,
		start:      time.Now(),
		client:     &http.Client{Timeout: 10 * time.Second},
		durBuckets: make([]uint64, len(DurationBounds)+1),
	}
}

// Round records ten requests (ErrorRatio of them failed; 8 fast, 2 slow), one model call
// and its tokens and cost, then sends the cumulative metrics, a new trace and a log line
// in it. It returns the trace's id (32 hex digits).
func (s *Sender) Round(ctx context.Context) (traceID string, err error) {
	const requests = 10
	bad := s.cfg.ErrorRatio * requests
	s.failed += bad
	s.ok += requests - bad
	s.durBuckets[3] += 8 // 0.04 s, in the (0.025, 0.05] bucket
	s.durBuckets[7] += 2 // 0.8 s, in the (0.5, 1] bucket
	s.durCount += requests
	s.durSum += 8*0.04 + 2*0.8
	s.tokens += 1500
	s.cost += 0.03
	s.aiRequests++

	traceID, spanID := randHex(16), randHex(8)
	for _, sig := range []struct {
		name, path string
		body       func() any
	}{
		{"metrics", "/v1/metrics", s.metrics},
		{"traces", "/v1/traces", func() any { return s.traces(traceID, spanID) }},
		{"logs", "/v1/logs", func() any { return s.logs(traceID, spanID) }},
	} {
		if !slices.Contains(s.cfg.Signals, sig.name) {
			continue
		}
		if err := s.post(ctx, sig.path, sig.body()); err != nil {
			return "", fmt.Errorf("%s: %w", sig.name, err)
		}
	}
	return traceID, nil
}

func (s *Sender) post(ctx context.Context, path string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, msg)
	}
	return nil
}

// --- OTLP/JSON building blocks -------------------------------------------------------

type kv = map[string]any

func attrs(pairs ...string) []kv {
	out := make([]kv, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, kv{"key": pairs[i], "value": kv{"stringValue": pairs[i+1]}})
	}
	return out
}

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Sender) resource(service string) kv {
	pairs := []string{"service.name", service, "service.instance.id", service + "-1"}
	if s.cfg.DeploymentEnvironment != "" {
		pairs = append(pairs, "deployment.environment.name", s.cfg.DeploymentEnvironment)
	}
	return kv{"attributes": attrs(pairs...)}
}

// labels are the mandatory labels the SDK puts on every data point, then extra pairs.
func (s *Sender) labels(extra ...string) []kv {
	return attrs(append([]string{"environment", s.cfg.Environment, "project", s.cfg.Project, "service", s.cfg.Service}, extra...)...)
}

func (s *Sender) point(value float64, extra ...string) kv {
	return kv{"attributes": s.labels(extra...), "startTimeUnixNano": nanos(s.start), "timeUnixNano": nanos(time.Now()), "asDouble": value}
}

func counter(name string, points ...kv) kv {
	return kv{"name": name, "sum": kv{"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": points}}
}

func gauge(name string, points ...kv) kv {
	return kv{"name": name, "gauge": kv{"dataPoints": points}}
}

func (s *Sender) metrics() any {
	counts := make([]string, len(s.durBuckets))
	for i, c := range s.durBuckets {
		counts[i] = strconv.FormatUint(c, 10)
	}
	// Unit "s" on a name that already ends in _seconds adds nothing; the counters and
	// gauges have no unit, which would otherwise become part of the Prometheus name.
	duration := kv{"name": "http_request_duration_seconds", "unit": "s", "histogram": kv{
		"aggregationTemporality": 2,
		"dataPoints": []kv{{
			"attributes":        s.labels("method", "GET", "endpoint", "/api/workflows"),
			"startTimeUnixNano": nanos(s.start), "timeUnixNano": nanos(time.Now()),
			"count": strconv.FormatUint(s.durCount, 10), "sum": s.durSum,
			"bucketCounts": counts, "explicitBounds": DurationBounds,
		}},
	}}
	ms := []kv{
		counter("http_requests_total",
			s.point(s.ok, "method", "GET", "endpoint", "/api/workflows", "status_code", "200"),
			s.point(s.failed, "method", "GET", "endpoint", "/api/workflows", "status_code", "500")),
		duration,
		counter("http_errors_total", s.point(s.failed, "error_type", "internal")),
		counter("ai_requests_total", s.point(s.aiRequests, "model", "gpt-4o", "provider", "openai", "outcome", "success")),
		counter("ai_tokens_total",
			s.point(s.tokens*2/3, "model", "gpt-4o", "token_type", "input"),
			s.point(s.tokens/3, "model", "gpt-4o", "token_type", "output")),
		counter("ai_cost_total", s.point(s.cost, "model", "gpt-4o")),
		gauge("user_retention_rate", s.point(0.42, "retention_period", "d7", "user_segment", "free")),
		gauge("feature_adoption_rate", s.point(0.3, "feature_name", "workflow_builder")),
		gauge("pmf_score", s.point(0.41, "calculation_method", "sean_ellis")),
	}
	return kv{"resourceMetrics": []kv{{
		"resource":     s.resource(s.cfg.Service),
		"scopeMetrics": []kv{{"scope": kv{"name": "otlpsend"}, "metrics": ms}},
	}}}
}

func (s *Sender) traces(traceID, spanID string) any {
	end := time.Now()
	begin := end.Add(-120 * time.Millisecond)
	span := func(id, parent, name string, from, to time.Time) kv {
		return kv{"traceId": traceID, "spanId": id, "parentSpanId": parent, "name": name, "kind": 2,
			"startTimeUnixNano": nanos(from), "endTimeUnixNano": nanos(to),
			"attributes": attrs("http.request.method", "GET", "http.route", "/api/workflows")}
	}
	scope := func(spans ...kv) []kv { return []kv{{"scope": kv{"name": "otlpsend"}, "spans": spans}} }
	return kv{"resourceSpans": []kv{
		{"resource": s.resource(s.cfg.Service), "scopeSpans": scope(span(spanID, "", "GET /api/workflows", begin, end))},
		{"resource": s.resource(s.cfg.Downstream), "scopeSpans": scope(
			span(randHex(8), spanID, "POST /workflows/run", begin.Add(10*time.Millisecond), end.Add(-10*time.Millisecond)))},
	}}
}

func (s *Sender) logs(traceID, spanID string) any {
	rec := kv{"timeUnixNano": nanos(time.Now()), "severityNumber": 9, "severityText": "INFO",
		"body": kv{"stringValue": "workflow started"}, "traceId": traceID, "spanId": spanID,
		"attributes": attrs("environment", s.cfg.Environment, "project", s.cfg.Project, "service", s.cfg.Service)}
	return kv{"resourceLogs": []kv{{
		"resource":  s.resource(s.cfg.Service),
		"scopeLogs": []kv{{"scope": kv{"name": "otlpsend"}, "logRecords": []kv{rec}}},
	}}}
}
