// Command otlpsend sends the SDK's metrics, a two-service trace and a log line correlated
// with it to a collector as OTLP/JSON over HTTP, the way an instrumented service would. It
// is the traffic source of the stack's end-to-end checks and needs no OpenTelemetry
// libraries: the payloads are written by hand, exactly as the wire format shows them.
//
//	otlpsend -endpoint http://127.0.0.1:4318 -service api-gateway -rounds 12 -interval 5s -error-ratio 0.5
//
// Counters and histograms are cumulative across rounds, so Prometheus sees them grow. The
// trace id of the last trace is printed on standard output as `trace_id=...`.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

type config struct {
	endpoint    string
	service     string
	downstream  string
	environment string
	project     string
	rounds      int
	interval    time.Duration
	errorRatio  float64
	signals     string
}

func main() {
	var c config
	flag.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:4318", "collector OTLP/HTTP base URL")
	flag.StringVar(&c.service, "service", "api-gateway", "service label and service.name")
	flag.StringVar(&c.downstream, "downstream", "workflow-engine", "service.name of the child span")
	flag.StringVar(&c.environment, "environment", "dev", "environment label")
	flag.StringVar(&c.project, "project", "starmates-ai-team", "project label")
	flag.IntVar(&c.rounds, "rounds", 1, "how many rounds to send")
	flag.DurationVar(&c.interval, "interval", 5*time.Second, "pause between rounds")
	flag.Float64Var(&c.errorRatio, "error-ratio", 0, "share of requests answered 500, 0..1")
	flag.StringVar(&c.signals, "signals", "metrics,traces,logs", "which signals to send")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "otlpsend:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	s := &sender{config: c, start: time.Now(), client: &http.Client{Timeout: 10 * time.Second}}
	for i := 0; i < c.rounds; i++ {
		if i > 0 {
			time.Sleep(c.interval)
		}
		if err := s.round(ctx); err != nil {
			return err
		}
	}
	return nil
}

type sender struct {
	config
	start  time.Time
	client *http.Client
	// cumulative state
	ok, failed  float64
	durCount    uint64
	durSum      float64
	durBuckets  []uint64
	tokens      float64
	cost        float64
	aiRequests  float64
	lastTraceID string
}

// durationBounds are the seconds-shaped buckets of http_request_duration_seconds.
var durationBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func (s *sender) round(ctx context.Context) error {
	const requests = 10
	bad := s.errorRatio * requests
	s.failed += bad
	s.ok += requests - bad
	if s.durBuckets == nil {
		s.durBuckets = make([]uint64, len(durationBounds)+1)
	}
	// 8 fast (0.04 s) and 2 slow (0.8 s) requests per round.
	s.durBuckets[3] += 8
	s.durBuckets[7] += 2
	s.durCount += requests
	s.durSum += 8*0.04 + 2*0.8
	s.tokens += 1500
	s.cost += 0.03
	s.aiRequests++

	traceID, spanID := randHex(16), randHex(8)
	s.lastTraceID = traceID
	for _, sig := range []struct {
		name, path string
		body       func(traceID, spanID string) any
	}{
		{"metrics", "/v1/metrics", func(string, string) any { return s.metrics() }},
		{"traces", "/v1/traces", s.traces},
		{"logs", "/v1/logs", s.logs},
	} {
		if !bytes.Contains([]byte(","+s.signals+","), []byte(","+sig.name+",")) {
			continue
		}
		if err := s.post(ctx, sig.path, sig.body(traceID, spanID)); err != nil {
			return fmt.Errorf("%s: %w", sig.name, err)
		}
	}
	fmt.Printf("trace_id=%s\n", traceID)
	return nil
}

func (s *sender) post(ctx context.Context, path string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint+path, bytes.NewReader(body))
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

func (s *sender) resource(service string) kv {
	return kv{"attributes": attrs("service.name", service, "service.instance.id", service+"-1")}
}

// labels are the mandatory labels the SDK puts on every data point, then extra pairs.
func (s *sender) labels(extra ...string) []kv {
	return attrs(append([]string{"environment", s.environment, "project", s.project, "service", s.service}, extra...)...)
}

func (s *sender) point(value float64, extra ...string) kv {
	return kv{"attributes": s.labels(extra...), "startTimeUnixNano": nanos(s.start), "timeUnixNano": nanos(time.Now()), "asDouble": value}
}

func counter(name, unit string, points ...kv) kv {
	return kv{"name": name, "unit": unit, "sum": kv{"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": points}}
}

func gauge(name, unit string, points ...kv) kv {
	return kv{"name": name, "unit": unit, "gauge": kv{"dataPoints": points}}
}

func (s *sender) metrics() kv {
	counts := make([]string, len(s.durBuckets))
	for i, c := range s.durBuckets {
		counts[i] = strconv.FormatUint(c, 10)
	}
	duration := kv{"name": "http_request_duration_seconds", "unit": "s", "histogram": kv{
		"aggregationTemporality": 2,
		"dataPoints": []kv{{
			"attributes":        s.labels("method", "GET", "endpoint", "/api/workflows"),
			"startTimeUnixNano": nanos(s.start), "timeUnixNano": nanos(time.Now()),
			"count": strconv.FormatUint(s.durCount, 10), "sum": s.durSum,
			"bucketCounts": counts, "explicitBounds": durationBounds,
		}},
	}}
	ms := []kv{
		counter("http_requests_total", "",
			s.point(s.ok, "method", "GET", "endpoint", "/api/workflows", "status_code", "200"),
			s.point(s.failed, "method", "GET", "endpoint", "/api/workflows", "status_code", "500")),
		duration,
		counter("http_errors_total", "", s.point(s.failed, "error_type", "internal")),
		counter("ai_requests_total", "", s.point(s.aiRequests, "model", "gpt-4o", "provider", "openai", "outcome", "success")),
		counter("ai_tokens_total", "",
			s.point(s.tokens*2/3, "model", "gpt-4o", "token_type", "input"),
			s.point(s.tokens/3, "model", "gpt-4o", "token_type", "output")),
		counter("ai_cost_total", "", s.point(s.cost, "model", "gpt-4o")),
		gauge("user_retention_rate", "", s.point(0.42, "retention_period", "d7", "user_segment", "free")),
		gauge("feature_adoption_rate", "", s.point(0.3, "feature_name", "workflow_builder")),
		gauge("pmf_score", "", s.point(0.41, "calculation_method", "sean_ellis")),
	}
	return kv{"resourceMetrics": []kv{{
		"resource":     s.resource(s.service),
		"scopeMetrics": []kv{{"scope": kv{"name": "otlpsend"}, "metrics": ms}},
	}}}
}

func (s *sender) traces(traceID, spanID string) any {
	end := time.Now()
	begin := end.Add(-120 * time.Millisecond)
	span := func(id, parent, name string, kind int, from, to time.Time) kv {
		return kv{"traceId": traceID, "spanId": id, "parentSpanId": parent, "name": name, "kind": kind,
			"startTimeUnixNano": nanos(from), "endTimeUnixNano": nanos(to),
			"attributes": attrs("http.request.method", "GET", "http.route", "/api/workflows")}
	}
	child := randHex(8)
	return kv{"resourceSpans": []kv{
		{"resource": s.resource(s.service), "scopeSpans": []kv{{"scope": kv{"name": "otlpsend"},
			"spans": []kv{span(spanID, "", "GET /api/workflows", 2, begin, end)}}}},
		{"resource": s.resource(s.downstream), "scopeSpans": []kv{{"scope": kv{"name": "otlpsend"},
			"spans": []kv{span(child, spanID, "POST /workflows/run", 2, begin.Add(10*time.Millisecond), end.Add(-10*time.Millisecond))}}}},
	}}
}

func (s *sender) logs(traceID, spanID string) any {
	rec := kv{"timeUnixNano": nanos(time.Now()), "severityNumber": 9, "severityText": "INFO",
		"body": kv{"stringValue": "workflow started"}, "traceId": traceID, "spanId": spanID,
		"attributes": attrs("environment", s.environment, "project", s.project, "service", s.service)}
	return kv{"resourceLogs": []kv{{
		"resource":  s.resource(s.service),
		"scopeLogs": []kv{{"scope": kv{"name": "otlpsend"}, "logRecords": []kv{rec}}},
	}}}
}
