package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/examples/internal/app"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
	"github.com/starmates-ai-team/telemetry/internal/syncbuf"
	"github.com/starmates-ai-team/telemetry/logbridge"
)

// consoleLine is one console line with a trace id: what a service wrote.
type consoleLine struct{ spanID, msg string }

// secretKey matches attribute keys whose values must never be stored
// (input_tokens is not one).
var secretKey = regexp.MustCompile(`(?i)(^|[._-])(password|passwd|secret|api[_-]?key|authorization|credentials?|token)$`)

// logsByTraceID runs the three services once more, with their console
// captured, and checks the cloud's log store by trace id: for sampled
// requests every line each service wrote for the request (its console
// lines with the request's trace id) is in the store, no more and no
// fewer, from the service whose span it names, with environment, project
// and service (as attributes and in the resource), service and
// environment as the only stream labels, and no secret. It prints the log
// bytes per request as sent and as stored.
func (s *suite) logsByTraceID(ctx context.Context) error {
	console := &syncbuf.Buffer{} // the services' console, shared by the three
	chain, err := app.Start(ctx, app.Config{Console: console, NewTelemetry: func(ctx context.Context, service string) (*telemetry.Telemetry, error) {
		return telemetry.Init(ctx, telemetry.WithService(service), telemetry.WithEnvironment(telemetry.Dev))
	}})
	if err != nil {
		return err
	}
	wl := chain.Workload(6 * time.Second)
	res := wl.Run(ctx)
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err = chain.Close(cctx) // flushes the logs
	cancel()
	if err != nil {
		return fmt.Errorf("shutting the services down: %w", err)
	}

	lines := consoleByTrace(console.Bytes())
	var sample []app.Sent
	ok, failed := 0, 0
	for _, x := range res.Sent {
		if len(lines[x.TraceID]) == 0 {
			continue
		}
		switch {
		case x.Succeeded() && ok < 30:
			ok++
		case (x.Status != 200 || x.Fault != "") && failed < 10:
			failed++
		default:
			continue
		}
		sample = append(sample, x)
	}
	if ok == 0 {
		return fmt.Errorf("no successful request with console lines among %d sent", len(res.Sent))
	}

	var errs []error
	var sentBytes, records int
	for _, x := range sample {
		n, size, err := s.checkTraceLogs(ctx, x, lines[x.TraceID], wl.InternalToken)
		if err != nil {
			errs = append(errs, err)
			if len(errs) == 3 {
				break
			}
			continue
		}
		if x.Succeeded() {
			sentBytes += size
			records += n
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	fmt.Printf("     %d requests (%d failed ones) followed by trace id: every console line is in the log store\n", len(sample), failed)
	fmt.Printf("     log bytes per successful request as sent: %d B in %.1f records (%.0f B/record)\n",
		sentBytes/ok, float64(records)/float64(ok), float64(sentBytes)/float64(max(1, records)))
	return s.storedBytes(ctx)
}

// checkTraceLogs checks the store's records of one trace against the
// console lines. It returns the records and their bytes as sent.
func (s *suite) checkTraceLogs(ctx context.Context, x app.Sent, want []consoleLine, token string) (int, int, error) {
	wantSet := map[consoleLine]int{}
	for _, l := range want {
		wantSet[l]++
	}
	var recs []stackquery.LogRecord
	err := poll(ctx, 30*time.Second, func() (bool, error) {
		var err error
		recs, err = s.st.TraceLogs(ctx, x.TraceID)
		return len(recs) >= len(want), err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("trace %s (%d): %d records in the log store, %d console lines: %w", x.TraceID, x.Status, len(recs), len(want), err)
	}
	got := map[consoleLine]int{}
	for _, r := range recs {
		got[consoleLine{r.SpanID, r.Body}]++
	}
	if !maps.Equal(got, wantSet) {
		return 0, 0, fmt.Errorf("trace %s (%d): the store has %v, the services wrote %v", x.TraceID, x.Status, got, wantSet)
	}

	var spans []stackquery.Span
	err = poll(ctx, 30*time.Second, func() (bool, error) {
		var err error
		spans, err = s.st.Trace(ctx, x.TraceID)
		return len(spans) > 0 && hasAllSpans(spans, recs), err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("trace %s: the spans the log records name are not all in Jaeger: %w", x.TraceID, err)
	}
	spanService := map[string]string{}
	for _, sp := range spans {
		spanService[sp.SpanID] = sp.Service
	}
	seen := map[string]bool{}
	size := 0
	for _, r := range recs {
		svc := r.Resource["service.name"]
		seen[svc] = true
		size += stackquery.SentBytes(r.Fields)
		if spanService[r.SpanID] != svc {
			return 0, 0, fmt.Errorf("trace %s: %q stored as %s, but its span %s is of %s", x.TraceID, r.Body, svc, r.SpanID, spanService[r.SpanID])
		}
		for k, want := range map[string]string{"environment": "dev", "project": telemetry.DefaultProject, "service": svc} {
			if r.Attributes[k] != want {
				return 0, 0, fmt.Errorf("trace %s: %q of %s has %s=%q, want %q", x.TraceID, r.Body, svc, k, r.Attributes[k], want)
			}
		}
		if r.Resource["deployment.environment.name"] != "dev" {
			return 0, 0, fmt.Errorf("trace %s: %q of %s: resource deployment.environment.name=%q", x.TraceID, r.Body, svc, r.Resource["deployment.environment.name"])
		}
		if want := fmt.Sprintf(`{deployment.environment.name="dev",service.name=%q}`, svc); r.Stream != want {
			return 0, 0, fmt.Errorf("trace %s: stream %s, want %s (instance and pid stay fields)", x.TraceID, r.Stream, want)
		}
		for k, v := range r.Fields {
			if token != "" && strings.Contains(v, token) {
				return 0, 0, fmt.Errorf("trace %s: field %s holds the internal token", x.TraceID, k)
			}
			if s.st.CloudToken != "" && strings.Contains(v, s.st.CloudToken) {
				return 0, 0, fmt.Errorf("trace %s: field %s holds the cloud token", x.TraceID, k)
			}
			if secretKey.MatchString(k) && v != logbridge.Redacted {
				return 0, 0, fmt.Errorf("trace %s: field %s=%q is not redacted", x.TraceID, k, v)
			}
		}
	}
	if x.Succeeded() {
		for _, svc := range services {
			if !seen[svc] {
				return 0, 0, fmt.Errorf("trace %s (200): no log record of %s (have %v)", x.TraceID, svc, slices.Sorted(maps.Keys(seen)))
			}
		}
	}
	return len(recs), size, nil
}

func hasAllSpans(spans []stackquery.Span, recs []stackquery.LogRecord) bool {
	ids := map[string]bool{}
	for _, sp := range spans {
		ids[sp.SpanID] = true
	}
	for _, r := range recs {
		if !ids[r.SpanID] {
			return false
		}
	}
	return true
}

// consoleByTrace parses the JSON console lines and groups those with a
// trace id by it.
func consoleByTrace(b []byte) map[string][]consoleLine {
	out := map[string][]consoleLine{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		tid, _ := m["trace_id"].(string)
		sid, _ := m["span_id"].(string)
		msg, _ := m["msg"].(string)
		if tid != "" {
			out[tid] = append(out[tid], consoleLine{sid, msg})
		}
	}
	return out
}

// storedBytes prints what a record costs in the store (compressed, from
// its per-block statistics) and what the repeated environment and service
// attributes add to it (project is one field with the resource's).
func (s *suite) storedBytes(ctx context.Context) error {
	rows, err := s.st.LogRows(ctx, "* | block_stats | stats by (field) sum(values_bytes) vb, sum(bloom_bytes) bb, sum(dict_bytes) db, sum(rows) rows", 0)
	if err != nil {
		return fmt.Errorf("block_stats: %w", err)
	}
	var total, repeated, records float64
	for _, r := range rows {
		var b float64
		for _, k := range []string{"vb", "bb", "db"} {
			v, _ := strconv.ParseFloat(r[k], 64)
			b += v
		}
		total += b
		switch r["field"] {
		case "environment", "service":
			repeated += b
		case "_time":
			records, _ = strconv.ParseFloat(r["rows"], 64)
		}
	}
	if records == 0 {
		return errors.New("block_stats: no rows")
	}
	fmt.Printf("     stored: %.1f B/record compressed over %.0f records; the repeated environment and service attributes %.2f B/record of it\n",
		total/records, records, repeated/records)
	return nil
}
