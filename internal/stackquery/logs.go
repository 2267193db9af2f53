package stackquery

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LogRecord is one log record read back from the cloud's log store.
//
// The store (VictoriaLogs, like Loki's OTLP endpoint) keeps a record as one
// flat set of fields: the resource's attributes, the record's attributes,
// the body as _msg. Resource holds the fields of the resource namespaces
// (service.*, deployment.*, host.*, process.*, os.*, telemetry.*,
// container.*, k8s.*, cloud.*) and project; Attributes holds every other
// field of the record, project included (the SDK repeats environment,
// project and service on each record, and a field named like a resource
// attribute is one field in the store).
type LogRecord struct {
	TraceID    string
	SpanID     string
	Severity   string
	Body       string
	Attributes map[string]string
	Resource   map[string]string

	Time   time.Time         // the record's timestamp
	Stream string            // the store's stream labels, e.g. {deployment.environment.name="dev",service.name="api-gateway"}
	Fields map[string]string // every field as the store returned it
}

// resourcePrefixes are the namespaces of OpenTelemetry resource attributes.
var resourcePrefixes = []string{"service.", "deployment.", "host.", "process.", "os.", "telemetry.", "container.", "k8s.", "cloud."}

// storeFields are fields that the store derives from the record itself.
var storeFields = map[string]bool{
	"_msg": true, "_time": true, "_stream": true, "_stream_id": true,
	"trace_id": true, "span_id": true, "severity_text": true, "severity_number": true,
	"scope.name": true, "scope.version": true,
}

// TraceLogsQuery is the LogsQL query for every log record of one trace:
// an exact match on the trace_id field.
func TraceLogsQuery(traceID string) string {
	return "trace_id:=" + strconv.Quote(traceID)
}

// LogsURL is the log store's query URL for a LogsQL query (GET, basic auth
// LogStoreUser:CloudToken); the answer is one JSON object per line.
func (s Stack) LogsURL(logsql string) string {
	return s.LogStore + "/select/logsql/query?query=" + url.QueryEscape(logsql)
}

// TraceLogsCurl is a command line that prints every log record of one
// trace from the log store. It never holds the token: the password is
// $GRAFANA_CLOUD_API_KEY, defaulting to the local stack's.
func (s Stack) TraceLogsCurl(traceID string) string {
	return fmt.Sprintf(`curl -su "%s:${GRAFANA_CLOUD_API_KEY:-local-stack-token}" '%s'`, s.LogStoreUser, s.LogsURL(TraceLogsQuery(traceID)))
}

// LogRows runs a LogsQL query against the log store and returns each
// result row as its fields. A query that ends in a stats pipe returns one
// row per group. limit 0 means no limit.
func (s Stack) LogRows(ctx context.Context, logsql string, limit int) ([]map[string]string, error) {
	u := s.LogsURL(logsql)
	if limit > 0 {
		u += "&limit=" + strconv.Itoa(limit)
	}
	b, err := s.get(ctx, u, s.LogStoreUser)
	if err != nil {
		return nil, err
	}
	var rows []map[string]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var row map[string]string
		if err := json.Unmarshal(line, &row); err != nil {
			return nil, fmt.Errorf("log store answer to %q: %w", logsql, err)
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// Logs runs a LogsQL query against the log store and returns the records,
// oldest first. limit 0 means no limit.
func (s Stack) Logs(ctx context.Context, logsql string, limit int) ([]LogRecord, error) {
	rows, err := s.LogRows(ctx, logsql, limit)
	if err != nil {
		return nil, err
	}
	out := make([]LogRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, recordOf(r))
	}
	sortByTime(out) // the store answers in no particular order
	return out, nil
}

// TraceLogs returns every log record of one trace, oldest first.
func (s Stack) TraceLogs(ctx context.Context, traceID string) ([]LogRecord, error) {
	return s.Logs(ctx, TraceLogsQuery(traceID), 0)
}

// CloudLogs returns every log record the cloud's log store holds, oldest
// first.
func (s Stack) CloudLogs() ([]LogRecord, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Logs(ctx, "*", 0)
}

// SentBytes is what a record weighs as sent, and as Grafana Cloud Logs
// counts it: the name and value of each field, the body (_msg) and an
// 8-byte timestamp; the store's own _stream and _stream_id are not counted.
func SentBytes(fields map[string]string) int {
	n := 0
	for k, v := range fields {
		switch k {
		case "_stream", "_stream_id":
		case "_time":
			n += 8
		case "_msg":
			n += len(v)
		default:
			n += len(k) + len(v)
		}
	}
	return n
}

func recordOf(f map[string]string) LogRecord {
	r := LogRecord{
		TraceID: f["trace_id"], SpanID: f["span_id"], Severity: f["severity_text"], Body: f["_msg"],
		Stream: f["_stream"], Fields: f,
		Attributes: map[string]string{}, Resource: map[string]string{},
	}
	r.Time, _ = time.Parse(time.RFC3339Nano, f["_time"])
	for k, v := range f {
		switch {
		case storeFields[k]:
		case k == "project":
			r.Resource[k] = v
			r.Attributes[k] = v
		case isResourceKey(k):
			r.Resource[k] = v
		default:
			r.Attributes[k] = v
		}
	}
	return r
}

func isResourceKey(k string) bool {
	for _, p := range resourcePrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func sortByTime(rs []LogRecord) {
	slices.SortStableFunc(rs, func(a, b LogRecord) int { return a.Time.Compare(b.Time) })
}
