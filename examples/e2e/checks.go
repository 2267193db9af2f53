package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/examples/internal/app"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

var services = []string{app.Gateway, app.Engine, app.Agent}

// instanceRE matches the series of one run's three services.
func (r *envRun) instanceRE() string {
	ids := make([]string, 0, len(r.instances))
	for _, id := range r.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return strings.Join(ids, "|")
}

// collectionDelay measures n times the time from one request (one
// increment of http_requests_total) to its being visible in Prometheus.
func (s *suite) collectionDelay(ctx context.Context, r *envRun, n int) ([]time.Duration, error) {
	q := fmt.Sprintf(`sum(http_requests_total{service=%q,endpoint="/v1/workflows",instance=%q})`, app.Gateway, r.instances[app.Gateway])
	current := func() (float64, error) {
		v, err := s.st.Query(ctx, q)
		if err != nil || len(v) == 0 {
			return 0, err
		}
		return v[0].Value, nil
	}
	var delays []time.Duration
	for range n {
		before, err := current()
		if err != nil {
			return delays, err
		}
		start := time.Now()
		resp, err := http.Get(r.chain.Gateway.URL + "/v1/workflows")
		if err != nil {
			return delays, err
		}
		resp.Body.Close()
		err = poll(ctx, 45*time.Second, func() (bool, error) {
			v, err := current()
			return v >= before+1, err
		})
		d := time.Since(start).Round(100 * time.Millisecond)
		if err != nil {
			return delays, fmt.Errorf("increment not visible after %v: %w", d, err)
		}
		delays = append(delays, d)
	}
	for _, d := range delays {
		if d >= 30*time.Second {
			return delays, fmt.Errorf("delay %v is over the design's 30 s", d)
		}
	}
	return delays, nil
}

// traceChain checks, for successful runs, that the trace holds the three
// services and that each span's parent is in the trace (or is the load
// generator's span for the root), with the right service on each hop.
func (s *suite) traceChain(ctx context.Context, r *envRun) error {
	ok, err := r.succeeded()
	if err != nil {
		return err
	}
	ok = ok[:min(len(ok), 25)]
	caller := map[string]string{app.Engine: app.Gateway, app.Agent: app.Engine}
	for _, sent := range ok {
		var spans []spanOf
		err := poll(ctx, 30*time.Second, func() (bool, error) {
			got, err := s.st.Trace(ctx, sent.TraceID)
			spans = spans[:0]
			for _, sp := range got {
				spans = append(spans, spanOf{sp.SpanID, sp.ParentSpanID, sp.Service, sp.OperationName})
			}
			return len(spans) >= 9, err // 3 server + 2 client + 2 server + 2 AI spans at least
		})
		if err != nil {
			return fmt.Errorf("trace %s: %d spans in Jaeger: %w", sent.TraceID, len(spans), err)
		}
		byID := map[string]spanOf{}
		seen := map[string]bool{}
		for _, sp := range spans {
			byID[sp.id] = sp
			seen[sp.service] = true
		}
		for _, svc := range services {
			if !seen[svc] {
				return fmt.Errorf("trace %s has no span of %s (services %v)", sent.TraceID, svc, seen)
			}
		}
		roots := 0
		for _, sp := range spans {
			p, inTrace := byID[sp.parent]
			switch {
			case !inTrace && sp.parent == sent.ParentSpanID && sp.service == app.Gateway:
				roots++
			case !inTrace:
				return fmt.Errorf("trace %s: span %s %q of %s has parent %q that is not in the trace", sent.TraceID, sp.id, sp.name, sp.service, sp.parent)
			case p.service != sp.service && p.service != caller[sp.service]:
				return fmt.Errorf("trace %s: span %q of %s is a child of %q of %s", sent.TraceID, sp.name, sp.service, p.name, p.service)
			}
		}
		if roots != 1 {
			return fmt.Errorf("trace %s: %d spans are children of the caller's span; want 1 (the gateway's server span)", sent.TraceID, roots)
		}
	}
	fmt.Printf("     checked %d traces\n", len(ok))
	return nil
}

type spanOf struct{ id, parent, service, name string }

// traceCoverage is the share of the requests sent whose trace reached
// Jaeger with the gateway's server span.
func (s *suite) traceCoverage(ctx context.Context, r *envRun) (float64, error) {
	if len(r.result.Sent) == 0 {
		return 0, errors.New("no request sent")
	}
	found := 0
	var missing []string
	for _, sent := range r.result.Sent {
		spans, err := s.st.Trace(ctx, sent.TraceID)
		if err != nil && !strings.Contains(err.Error(), "404") {
			return 0, err
		}
		hit := slices.ContainsFunc(spans, func(sp stackquery.Span) bool { return sp.Service == app.Gateway })
		if hit {
			found++
		} else if len(missing) < 5 {
			missing = append(missing, sent.TraceID)
		}
	}
	cov := float64(found) / float64(len(r.result.Sent))
	fmt.Printf("     %d of %d requests traced\n", found, len(r.result.Sent))
	if cov <= 0.95 {
		return cov, fmt.Errorf("coverage %.1f %% (missing e.g. %v)", cov*100, missing)
	}
	return cov, nil
}

// designMetrics checks that every metric of the SDK's catalogue that the
// example services record (all but those that appear only on an event, and
// the opt-in GenAI histograms beyond the agent's) is in Prometheus with the
// catalogue's labels.
func (s *suite) designMetrics(ctx context.Context, r *envRun) error {
	want := map[string][]string{}
	expect := func(m catalog.Metric) {
		var keys []string
		for _, l := range m.Labels {
			keys = append(keys, strings.ReplaceAll(l.Key, ".", "_")) // as Prometheus names it
		}
		name := m.Name
		if m.Kind == catalog.Histogram {
			name, keys = m.Name+"_bucket", append(keys, "le")
		}
		want[name] = keys
	}
	for _, m := range catalog.All() {
		if m.When == "" {
			expect(m)
		}
	}
	// The workload has failures, and the agent records the GenAI duration
	// (whose response model and error type are on some points only).
	expect(catalog.HTTPErrors)
	want[catalog.GenAIOperationDuration.Name+"_bucket"] = []string{"gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "le"}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(want)) {
		q := fmt.Sprintf(`%s{environment="dev",instance=~%q}`, name, r.instanceRE())
		var labels map[string]string
		err := poll(ctx, 30*time.Second, func() (bool, error) {
			v, err := s.st.Query(ctx, q)
			if err != nil || len(v) == 0 {
				return false, err
			}
			labels = v[0].Labels
			return true, nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: not in Prometheus: %w", name, err))
			continue
		}
		for _, k := range append([]string{"environment", "project", "service"}, want[name]...) {
			if labels[k] == "" {
				errs = append(errs, fmt.Errorf("%s: no label %s (labels %v)", name, k, labels))
			}
		}
		if labels["project"] != telemetry.DefaultProject {
			errs = append(errs, fmt.Errorf("%s: project=%q", name, labels["project"]))
		}
	}
	return errors.Join(errs...)
}

// envSeparation checks that the cloud store has both runs and that a query
// per environment returns only that environment's series.
func (s *suite) envSeparation(ctx context.Context, dev, prod *envRun) error {
	both := dev.instanceRE() + "|" + prod.instanceRE()
	err := poll(ctx, 60*time.Second, func() (bool, error) {
		v, err := s.st.CloudQuery(ctx, fmt.Sprintf(`count by (environment) (http_requests_total{instance=~%q})`, both))
		return err == nil && len(v) == 2, err
	})
	if err != nil {
		return fmt.Errorf("the cloud Prometheus does not have both environments: %w", err)
	}
	for _, r := range []*envRun{dev, prod} {
		v, err := s.st.CloudQuery(ctx, fmt.Sprintf(`http_requests_total{environment=%q,instance=~%q}`, r.env, both))
		if err != nil {
			return err
		}
		mine := map[string]bool{}
		for _, id := range r.instances {
			mine[id] = true
		}
		for _, sm := range v {
			if !mine[sm.Labels["instance"]] {
				return fmt.Errorf("environment=%s returned a series of another run: %v", r.env, sm.Labels)
			}
		}
		fmt.Printf("     cloud: environment=%s -> %d series, all of the %s run\n", r.env, len(v), r.env)
	}
	return nil
}

// requestLogs are the messages the services log inside a request.
var requestLogs = map[string]bool{"workflow run accepted": true, "executing workflow": true, "model call done": true}

// logCorrelation checks the log records that reached the cloud OTLP
// stand-in: each record logged inside a request carries a trace id of a
// request sent, and each successful request has log records of all three
// services.
func (s *suite) logCorrelation(ctx context.Context, r *envRun) error {
	mine := map[string]bool{}
	for _, id := range r.instances {
		mine[id] = true
	}
	sent := map[string]app.Sent{}
	for _, x := range r.result.Sent {
		sent[x.TraceID] = x
	}
	var recs []logRec
	err := poll(ctx, 30*time.Second, func() (bool, error) {
		all, err := s.st.CloudLogs()
		recs = recs[:0]
		for _, l := range all {
			if mine[l.Resource["service.instance.id"]] {
				recs = append(recs, logRec{l.TraceID, l.Body, l.Resource["service.name"]})
			}
		}
		return len(recs) > 0, err
	})
	if err != nil {
		return fmt.Errorf("no log record of this run at the cloud endpoint: %w", err)
	}
	perTrace := map[string]map[string]bool{}
	checked := 0
	for _, l := range recs {
		if !requestLogs[l.body] {
			continue
		}
		checked++
		if l.traceID == "" {
			return fmt.Errorf("%s logged %q inside a request without a trace_id", l.service, l.body)
		}
		if _, ok := sent[l.traceID]; !ok {
			return fmt.Errorf("%s logged %q with trace_id %s, which is no request's", l.service, l.body, l.traceID)
		}
		if perTrace[l.traceID] == nil {
			perTrace[l.traceID] = map[string]bool{}
		}
		perTrace[l.traceID][l.service] = true
	}
	for id, x := range sent {
		if x.Succeeded() && len(perTrace[id]) != 3 {
			return fmt.Errorf("request %s (200) has log records of %v; want all three services", id, perTrace[id])
		}
	}
	fmt.Printf("     %d request log records, all with their request's trace_id\n", checked)
	return nil
}

type logRec struct{ traceID, body, service string }

// costMatchesCalls checks that ai_cost_total in Prometheus is the sum of
// the costs of the run's model calls (chat and embeddings), as each
// call's GenAI span in Jaeger gives it (ai.cost.usd, set by the same
// recording): nothing lost or counted twice between the agent and the two
// stores.
func (s *suite) costMatchesCalls(ctx context.Context, r *envRun) error {
	var spanned float64
	calls := 0
	for _, sent := range r.result.Sent {
		spans, err := s.st.Trace(ctx, sent.TraceID)
		if err != nil && !strings.Contains(err.Error(), "404") {
			return err
		}
		for _, sp := range costedSpans(spans) {
			if c := tagFloat(sp.Tags, string(ailabels.CostUSDKey)); !math.IsNaN(c) {
				spanned += c
				calls++
			}
		}
	}
	if calls == 0 {
		return fmt.Errorf("no AI span of this run has %s", ailabels.CostUSDKey)
	}
	q := fmt.Sprintf(`sum(ai_cost_total{environment=%q,instance=~%q})`, r.env, r.instanceRE())
	var total float64
	err := poll(ctx, 30*time.Second, func() (bool, error) {
		v, err := s.st.Query(ctx, q)
		if err != nil || len(v) == 0 {
			return false, err
		}
		total = v[0].Value
		return math.Abs(total-spanned) <= 1e-9*math.Max(1, spanned), nil
	})
	if err != nil {
		return fmt.Errorf("ai_cost_total = %.9f; the %d AI spans' costs add up to %.9f: %w", total, calls, spanned, err)
	}
	fmt.Printf("     ai_cost_total %.6f USD = the sum of %d model calls' span costs\n", total, calls)
	return nil
}

// seriesCount checks the series each service of the dev run costs, in the
// local and the cloud Prometheus.
func (s *suite) seriesCount(ctx context.Context, r *envRun) error {
	// job is the service name on every series of a service, target_info
	// (the resource, one per instance) included.
	q := fmt.Sprintf(`count by (job) ({instance=~%q})`, r.instanceRE())
	v, err := s.st.Query(ctx, q)
	if err != nil {
		return err
	}
	cloud, err := s.st.CloudQuery(ctx, q)
	if err != nil {
		return err
	}
	counts := map[string]string{}
	for _, sm := range cloud {
		counts[sm.Labels["job"]] = fmt.Sprintf("cloud %.0f", sm.Value)
	}
	var errs []error
	for _, sm := range v {
		svc := sm.Labels["job"]
		fmt.Printf("     %-16s %5.0f series (local), %s\n", svc, sm.Value, counts[svc])
		if int(sm.Value) >= s.seriesBudget {
			errs = append(errs, fmt.Errorf("%s has %.0f series", svc, sm.Value))
		}
	}
	if len(v) != 3 {
		errs = append(errs, fmt.Errorf("series counted for %d services; want 3", len(v)))
	}
	return errors.Join(errs...)
}

// alertRule is loaded into the local Prometheus for the suite: the shipped
// HTTPErrorRateHigh with windows short enough to fire and resolve in a
// test (the shipped rules' logic is covered by promtool unit tests).
const alertRule = `groups:
  - name: e2e
    rules:
      - alert: E2EHTTPErrorRateHigh
        expr: |
          (
            sum by (environment, project, service) (rate(http_requests_total{environment="prod",service="api-gateway",status_code=~"5.."}[20s]))
            or sum by (environment, project, service) (rate(http_requests_total{environment="prod",service="api-gateway"}[20s])) * 0
          )
          / sum by (environment, project, service) (rate(http_requests_total{environment="prod",service="api-gateway"}[20s]))
          > 0.5
        for: 5s
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.service }} ({{ $labels.environment }}): more than half the requests fail"
`

// alertFiresAndResolves loads the e2e rule, makes the prod gateway fail,
// waits for the webhook to get the firing alert, lets the gateway recover
// and waits for the resolved notification.
func (s *suite) alertFiresAndResolves(ctx context.Context, prod *envRun) error {
	dir := filepath.Join(os.Getenv("STACK_DIR"), "run", "rules-extra")
	if os.Getenv("STACK_DIR") == "" {
		dir = "/tmp/telemetry-stack/run/rules-extra"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(dir, "e2e.yml")
	if err := os.WriteFile(file, []byte(alertRule), 0o644); err != nil {
		return err
	}
	defer func() {
		_ = os.Remove(file)
		_ = s.reloadPrometheus(context.Background())
	}()
	if err := s.reloadPrometheus(ctx); err != nil {
		return err
	}
	since := time.Now()

	fmt.Println("     sending an error burst to the prod gateway")
	burst := prod.chain.Workload(40 * time.Second)
	burst.AgentErrorRate = 0.9
	stopBurst := make(chan struct{})
	burstCtx, cancelBurst := context.WithCancel(ctx)
	go func() { burst.Run(burstCtx); close(stopBurst) }()
	err := poll(ctx, 90*time.Second, func() (bool, error) { return s.webhookHas(ctx, since, "firing") })
	cancelBurst()
	<-stopBurst
	if err != nil {
		return fmt.Errorf("no firing E2EHTTPErrorRateHigh at the webhook: %w", err)
	}
	fmt.Printf("     firing notification after %v\n", time.Since(since).Round(time.Second))

	// Healthy traffic until the alert resolves.
	healthy := prod.chain.Workload(90 * time.Second)
	healthy.PanicRate, healthy.AgentErrorRate, healthy.RateLimitedRate, healthy.SlowRate = 0, 0, 0, 0
	hCtx, cancelHealthy := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { healthy.Run(hCtx); close(done) }()
	resolvedAt := time.Now()
	err = poll(ctx, 90*time.Second, func() (bool, error) { return s.webhookHas(ctx, since, "resolved") })
	cancelHealthy()
	<-done
	if err != nil {
		return fmt.Errorf("no resolved notification at the webhook: %w", err)
	}
	fmt.Printf("     resolved notification %v after recovery\n", time.Since(resolvedAt).Round(time.Second))
	return nil
}

func (s *suite) reloadPrometheus(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.st.Prometheus+"/-/reload", nil)
	resp, err := s.st.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reloading Prometheus: %s", resp.Status)
	}
	return nil
}

// webhookHas reports whether the webhook got a notification with status
// for the e2e alert after since.
func (s *suite) webhookHas(ctx context.Context, since time.Time, status string) (bool, error) {
	payloads, err := s.st.Alerts(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range payloads {
		if p["status"] != status {
			continue
		}
		alerts, _ := p["alerts"].([]any)
		for _, a := range alerts {
			am, _ := a.(map[string]any)
			labels, _ := am["labels"].(map[string]any)
			startsAt, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(am["startsAt"]))
			if labels["alertname"] == "E2EHTTPErrorRateHigh" && am["status"] == status && !startsAt.Before(since.Add(-time.Minute)) {
				return true, nil
			}
		}
	}
	return false, nil
}
