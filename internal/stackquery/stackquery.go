// Package stackquery reads back what the SDK exported to the local
// monitoring stack (examples/stack/local): Prometheus and the remote-write
// "cloud" Prometheus over their HTTP API (series and exemplars), Jaeger over
// its HTTP API, the cloud's log store (VictoriaLogs, LogsQL) and the alert
// webhook receiver. The integration tests, the end-to-end suite, the demo
// and the cost command use it.
package stackquery

import (
	"context"
	"encoding/json"
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
	CloudDir        string // the stack's log folder (process logs, alerts.jsonl)
	LogStore        string // the cloud's log store (VictoriaLogs) base URL
	LogStoreUser    string // basic auth of the log store: the OTLP gateway's instance id; the password is CloudToken
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
		LogStore:        get("CLOUD_LOGS_URL", "http://127.0.0.1:19428"),
		LogStoreUser:    get("GRAFANA_CLOUD_INSTANCE_ID", "200002"),
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

// Alerts returns the notifications the webhook receiver got, as raw JSON
// objects (Alertmanager's webhook payload).
func (s Stack) Alerts(ctx context.Context) ([]map[string]any, error) {
	var out []map[string]any
	err := s.getJSON(ctx, s.Webhook+"/alerts", false, &out)
	return out, err
}

func (s Stack) getJSON(ctx context.Context, u string, auth bool, v any) error {
	user := ""
	if auth {
		user = s.CloudUser
	}
	b, err := s.get(ctx, u, user)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// get GETs u, with basic auth user:CloudToken when user is not empty, and
// returns the body of a 200 response.
func (s Stack) get(ctx context.Context, u, user string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if user != "" {
		req.SetBasicAuth(user, s.CloudToken)
	}
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.200s", u, resp.Status, b)
	}
	return b, nil
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
