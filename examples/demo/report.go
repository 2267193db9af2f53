package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/examples/internal/app"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// designMetrics are the series of the design, as Prometheus names them.
var designMetrics = []string{
	"http_requests_total", "http_request_duration_seconds", "http_errors_total",
	"ai_requests_total", "ai_tokens_total", "ai_cost_total",
	"user_retention_rate", "feature_adoption_rate", "pmf_score",
}

type spanView struct {
	id, parent, service, name, status string
	start                             time.Time
	dur                               time.Duration
}

type metricRow struct {
	name   string
	labels map[string]string
	value  float64
}

type report struct {
	source  string
	traceID string
	spans   []spanView
	metrics []metricRow
	models  map[string]*modelStat
	logs    []string
}

// pickTrace returns the trace id of the first successful run.
func pickTrace(res app.Result) string {
	for _, s := range res.Sent {
		if s.Succeeded() {
			return s.TraceID
		}
	}
	if len(res.Sent) > 0 {
		return res.Sent[0].TraceID
	}
	return ""
}

func localReport(kits map[string]*telemetrytest.Kit, res app.Result) report {
	rep := report{source: "the SDK's in-process pipeline", traceID: pickTrace(res)}
	for _, name := range []string{app.Gateway, app.Engine, app.Agent} {
		k := kits[name]
		for _, s := range k.Spans() {
			if s.SpanContext.TraceID().String() != rep.traceID {
				continue
			}
			status := "ok"
			if s.Status.Code == codes.Error {
				status = "error"
			}
			parent := ""
			if s.Parent.IsValid() {
				parent = s.Parent.SpanID().String()
			}
			rep.spans = append(rep.spans, spanView{
				id: s.SpanContext.SpanID().String(), parent: parent, service: name, name: s.Name,
				status: status, start: s.StartTime, dur: s.EndTime.Sub(s.StartTime),
			})
		}
		rm := k.Metrics()
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				rep.metrics = append(rep.metrics, rows(m)...)
			}
		}
	}
	rep.localAI(kits[app.Agent])
	return rep
}

func labelMap(s attribute.Set) map[string]string {
	m := map[string]string{}
	for _, kv := range s.ToSlice() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func rows(m metricdata.Metrics) []metricRow {
	var out []metricRow
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			out = append(out, metricRow{m.Name, labelMap(p.Attributes), float64(p.Value)})
		}
	case metricdata.Sum[float64]:
		for _, p := range d.DataPoints {
			out = append(out, metricRow{m.Name, labelMap(p.Attributes), p.Value})
		}
	case metricdata.Gauge[float64]:
		for _, p := range d.DataPoints {
			out = append(out, metricRow{m.Name, labelMap(p.Attributes), p.Value})
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out = append(out, metricRow{m.Name + "_count", labelMap(p.Attributes), float64(p.Count)})
		}
	}
	return out
}

func stackReport(ctx context.Context, res app.Result, env telemetry.Environment, instances []string) (report, error) {
	st := stackquery.FromEnv()
	defer st.CloseIdle()
	rep := report{source: "Jaeger, Prometheus and the cloud stand-in (local stack)", traceID: pickTrace(res)}

	fmt.Println("Waiting for the trace in Jaeger and the metrics in Prometheus...")
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var spans []stackquery.Span
	_ = stackquery.Poll(wctx, time.Second, func() (bool, error) {
		var err error
		spans, err = st.Trace(wctx, rep.traceID)
		return len(spans) >= 5, err
	})
	for _, s := range spans {
		status := "ok"
		if v, _ := s.Tags["otel.status_code"].(string); v == "ERROR" {
			status = "error"
		}
		rep.spans = append(rep.spans, spanView{id: s.SpanID, parent: s.ParentSpanID, service: s.Service, name: s.OperationName, status: status})
	}

	// This run's series only: each service run has its own instance label
	// (service.instance.id); earlier runs' series may still be in Prometheus.
	sel := fmt.Sprintf(`environment=%q,instance=~%q`, env, strings.Join(instances, "|"))
	_ = stackquery.Poll(wctx, time.Second, func() (bool, error) {
		s, err := st.Query(wctx, `sum(ai_cost_total{`+sel+`})`)
		return err == nil && len(s) > 0, err
	})
	drop := "job, instance, otel_scope_name, otel_scope_version, otel_scope_schema_url"
	for _, name := range designMetrics {
		q := fmt.Sprintf(`sum without (%s) (%s{%s})`, drop, name, sel)
		if name == "http_request_duration_seconds" {
			q = fmt.Sprintf(`sum without (%s) (%s_count{%s})`, drop, name, sel)
			name += "_count"
		}
		samples, err := st.Query(wctx, q)
		if err != nil {
			return rep, err
		}
		for _, s := range samples {
			rep.metrics = append(rep.metrics, metricRow{name, s.Labels, s.Value})
		}
	}
	return rep, rep.stackAI(wctx, st, sel)
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "== One trace across the three services (trace_id %s), from %s\n", r.traceID, r.source)
	children := map[string][]spanView{}
	ids := map[string]bool{}
	for _, s := range r.spans {
		ids[s.id] = true
	}
	var roots []spanView
	for _, s := range r.spans {
		if s.parent == "" || !ids[s.parent] {
			roots = append(roots, s)
		} else {
			children[s.parent] = append(children[s.parent], s)
		}
	}
	var walk func(s spanView, depth int)
	walk = func(s spanView, depth int) {
		dur := ""
		if s.dur > 0 {
			dur = " " + s.dur.Round(100*time.Microsecond).String()
		}
		fmt.Fprintf(w, "%s%-16s %s [%s]%s\n", strings.Repeat("  ", depth), s.service, s.name, s.status, dur)
		kids := children[s.id]
		sort.Slice(kids, func(i, j int) bool { return kids[i].start.Before(kids[j].start) })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, s := range roots {
		walk(s, 0)
	}
	if len(r.spans) == 0 {
		fmt.Fprintln(w, "(no spans found for this trace)")
	}

	fmt.Fprintln(w, "\n== Metrics (every series also has environment, project, service)")
	byName := map[string][]metricRow{}
	for _, m := range r.metrics {
		byName[m.name] = append(byName[m.name], m)
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		rs := byName[name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].value > rs[j].value })
		fmt.Fprintf(w, "%s (%d series)\n", name, len(rs))
		for i, m := range rs {
			if i == 6 {
				fmt.Fprintf(w, "    ... %d more\n", len(rs)-i)
				break
			}
			fmt.Fprintf(w, "    %-70s %12.4f\n", fmtLabels(m.labels), m.value)
		}
	}

	r.printAI(w)
	fmt.Fprintf(w, "\n== Log lines of that trace (console output; the OTLP records carry the same ids)\n")
	for _, l := range r.logs {
		fmt.Fprintln(w, "   ", l)
	}
}

func fmtLabels(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		switch k {
		case "environment", "project", "service":
			if k != "service" {
				continue
			}
		}
		parts = append(parts, k+"="+l[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// logLines returns up to n console lines that carry traceID.
func logLines(console []byte, traceID string, n int) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(console))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && len(out) < n {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil || m["trace_id"] != traceID {
			continue
		}
		out = append(out, sc.Text())
	}
	return out
}

func statusSummary(res app.Result) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(res.ByStatus)) {
		label := fmt.Sprint(code)
		if code == 0 {
			label = "no response"
		}
		parts = append(parts, fmt.Sprintf("%s x%d", label, res.ByStatus[code]))
	}
	return strings.Join(parts, ", ")
}

func printQueries(w io.Writer, traceID string, env telemetry.Environment) {
	fmt.Fprintf(w, `
== Look at it yourself
    Jaeger trace:    curl -s http://127.0.0.1:16686/api/traces/%s
    Jaeger services: curl -s http://127.0.0.1:16686/api/services
    Prometheus UI:   http://127.0.0.1:9090/graph
    Error rate:      sum by (service) (rate(http_requests_total{environment=%q,status_code=~"5.."}[1m])) / sum by (service) (rate(http_requests_total{environment=%q}[1m]))
    p95 latency:     histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket{environment=%q}[1m])))
    AI cost:         sum by (model) (ai_cost_total{environment=%q})
    TTFT p95:        histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_time_to_first_chunk_seconds_bucket{environment=%q}[5m])))
    Cloud (Mimir):   curl -su 100001:local-stack-token 'http://127.0.0.1:19090/api/v1/query?query=sum+by+(environment)(http_requests_total)'
    Slowest requests (exemplars, each with its trace id):
                     curl -sG http://127.0.0.1:9090/api/v1/query_exemplars --data-urlencode 'query=http_request_duration_seconds_bucket{environment=%q}' --data-urlencode "start=$(date -d -15min +%%s)"
    Logs (LogsQL):   %s
    Logs (curl):     %s
`, traceID, env, env, env, env, env, env, stackquery.TraceLogsQuery(traceID), stackquery.FromEnv().TraceLogsCurl(traceID))
}
