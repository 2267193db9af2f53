// Package stackquery reads back what the SDK exported to the local
// monitoring stack (examples/stack/local): Prometheus and the remote-write
// "cloud" Prometheus over their HTTP API, Jaeger over its HTTP API, the
// cloud stand-in collector's OTLP/JSON files and the alert webhook receiver.
// The integration tests and the end-to-end suite use it.
package stackquery

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Stack holds the addresses of the local stack.
type Stack struct {
	Prometheus      string // local Prometheus base URL
	CloudPrometheus string // remote-write receiver standing in for Mimir
	CloudUser       string // basic auth of the cloud Prometheus
	CloudToken      string
	Jaeger          string // Jaeger query base URL
	Alertmanager    string // Alertmanager base URL
	Webhook         string // OnCall stand-in base URL
	CloudDir        string // where the cloud stand-in collector writes OTLP/JSON
	Client          *http.Client
}

// FromEnv returns the stack's addresses: the defaults of
// examples/stack/local/stack.sh, overridden by its environment variables.
func FromEnv() Stack {
	get := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	stackDir := get("STACK_DIR", "/tmp/telemetry-stack")
	return Stack{
		Prometheus:      get("PROMETHEUS_URL", "http://127.0.0.1:9090"),
		CloudPrometheus: get("CLOUD_PROMETHEUS_URL", "http://127.0.0.1:19090"),
		CloudUser:       get("GRAFANA_CLOUD_PROMETHEUS_USER", "100001"),
		CloudToken:      get("GRAFANA_CLOUD_API_KEY", "local-stack-token"),
		Jaeger:          get("JAEGER_URL", "http://127.0.0.1:16686"),
		Alertmanager:    get("ALERTMANAGER_URL", "http://127.0.0.1:9093"),
		Webhook:         get("ONCALL_WEBHOOK_BASE", "http://127.0.0.1:19095"),
		CloudDir:        get("CLOUD_DIR", filepath.Join(stackDir, "logs")),
		Client:          &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}},
	}
}

// CloseIdle closes the client's idle keep-alive connections.
func (s Stack) CloseIdle() {
	if s.Client != nil {
		s.Client.CloseIdleConnections()
	}
}

// Sample is one series of an instant query.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query runs an instant PromQL query against the local Prometheus.
func (s Stack) Query(ctx context.Context, promql string) ([]Sample, error) {
	return s.query(ctx, s.Prometheus, promql, false)
}

// CloudQuery runs an instant PromQL query against the cloud Prometheus.
func (s Stack) CloudQuery(ctx context.Context, promql string) ([]Sample, error) {
	return s.query(ctx, s.CloudPrometheus, promql, true)
}

func (s Stack) query(ctx context.Context, base, promql string, auth bool) ([]Sample, error) {
	u := base + "/api/v1/query?query=" + url.QueryEscape(promql)
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := s.getJSON(ctx, u, auth, &body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", promql, body.Error)
	}
	out := make([]Sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		str, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", promql, r.Value[1], err)
		}
		out = append(out, Sample{Labels: r.Metric, Value: v})
	}
	return out, nil
}

// Span is a span as Jaeger's API returns it, with its service resolved.
type Span struct {
	TraceID       string
	SpanID        string
	ParentSpanID  string // empty for a root span
	OperationName string
	Service       string
	Tags          map[string]any
	ProcessTags   map[string]any
}

// Traces returns the traces Jaeger holds for service (at most limit, the
// most recent), each as its spans.
func (s Stack) Traces(ctx context.Context, service string, limit int) (map[string][]Span, error) {
	u := fmt.Sprintf("%s/api/traces?service=%s&limit=%d&lookback=1h", s.Jaeger, url.QueryEscape(service), limit)
	return s.traces(ctx, u)
}

// Trace returns the spans of one trace.
func (s Stack) Trace(ctx context.Context, traceID string) ([]Span, error) {
	m, err := s.traces(ctx, s.Jaeger+"/api/traces/"+traceID)
	if err != nil {
		return nil, err
	}
	return m[traceID], nil
}

func (s Stack) traces(ctx context.Context, u string) (map[string][]Span, error) {
	type kv struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	var body struct {
		Data []struct {
			TraceID string `json:"traceID"`
			Spans   []struct {
				TraceID       string `json:"traceID"`
				SpanID        string `json:"spanID"`
				OperationName string `json:"operationName"`
				ProcessID     string `json:"processID"`
				References    []struct {
					RefType string `json:"refType"`
					SpanID  string `json:"spanID"`
				} `json:"references"`
				Tags []kv `json:"tags"`
			} `json:"spans"`
			Processes map[string]struct {
				ServiceName string `json:"serviceName"`
				Tags        []kv   `json:"tags"`
			} `json:"processes"`
		} `json:"data"`
	}
	if err := s.getJSON(ctx, u, false, &body); err != nil {
		return nil, err
	}
	toMap := func(kvs []kv) map[string]any {
		m := make(map[string]any, len(kvs))
		for _, t := range kvs {
			m[t.Key] = t.Value
		}
		return m
	}
	out := make(map[string][]Span)
	for _, t := range body.Data {
		for _, sp := range t.Spans {
			p := t.Processes[sp.ProcessID]
			span := Span{
				TraceID: sp.TraceID, SpanID: sp.SpanID, OperationName: sp.OperationName,
				Service: p.ServiceName, Tags: toMap(sp.Tags), ProcessTags: toMap(p.Tags),
			}
			for _, r := range sp.References {
				if r.RefType == "CHILD_OF" {
					span.ParentSpanID = r.SpanID
				}
			}
			out[t.TraceID] = append(out[t.TraceID], span)
		}
	}
	return out, nil
}

// LogRecord is one OTLP log record read from the cloud stand-in's file.
type LogRecord struct {
	TraceID    string
	SpanID     string
	Severity   string
	Body       string
	Attributes map[string]string
	Resource   map[string]string
}

// CloudLogs returns every log record the cloud stand-in collector received.
func (s Stack) CloudLogs() ([]LogRecord, error) {
	f, err := os.Open(filepath.Join(s.CloudDir, "cloud-otlp-logs.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []LogRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var line otlpLogs
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			continue // a line being written
		}
		for _, rl := range line.ResourceLogs {
			res := flatten(rl.Resource.Attributes)
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					out = append(out, LogRecord{
						TraceID: lr.TraceID, SpanID: lr.SpanID, Severity: lr.SeverityText,
						Body: lr.Body.String(), Attributes: flatten(lr.Attributes), Resource: res,
					})
				}
			}
		}
	}
	return out, sc.Err()
}

type otlpValue struct {
	StringValue *string  `json:"stringValue"`
	IntValue    *string  `json:"intValue"`
	DoubleValue *float64 `json:"doubleValue"`
	BoolValue   *bool    `json:"boolValue"`
}

func (v otlpValue) String() string {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.IntValue != nil:
		return *v.IntValue
	case v.DoubleValue != nil:
		return strconv.FormatFloat(*v.DoubleValue, 'g', -1, 64)
	case v.BoolValue != nil:
		return strconv.FormatBool(*v.BoolValue)
	}
	return ""
}

type otlpKV struct {
	Key   string    `json:"key"`
	Value otlpValue `json:"value"`
}

type otlpLogs struct {
	ResourceLogs []struct {
		Resource struct {
			Attributes []otlpKV `json:"attributes"`
		} `json:"resource"`
		ScopeLogs []struct {
			LogRecords []struct {
				TraceID      string    `json:"traceId"`
				SpanID       string    `json:"spanId"`
				SeverityText string    `json:"severityText"`
				Body         otlpValue `json:"body"`
				Attributes   []otlpKV  `json:"attributes"`
			} `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

func flatten(kvs []otlpKV) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.String()
	}
	return m
}

// Alerts returns the notifications the webhook receiver got, as raw JSON
// objects (Alertmanager's webhook payload).
func (s Stack) Alerts(ctx context.Context) ([]map[string]any, error) {
	var out []map[string]any
	err := s.getJSON(ctx, s.Webhook+"/alerts", false, &out)
	return out, err
}

func (s Stack) getJSON(ctx context.Context, u string, auth bool, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if auth {
		req.SetBasicAuth(s.CloudUser, s.CloudToken)
	}
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.200s", u, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

// Poll calls check every interval until it returns true, an error that is
// not transient, or ctx ends. It returns the last error seen when ctx ends.
func Poll(ctx context.Context, interval time.Duration, check func() (bool, error)) error {
	var last error
	for {
		ok, err := check()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
			}
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
