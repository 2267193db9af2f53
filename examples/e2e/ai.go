package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/examples/internal/app"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// agentServerSpan is the name of workflow-agent's server span.
const agentServerSpan = "POST /agents/{agent}/invoke"

// tagString renders a Jaeger tag value ("" when absent).
func tagString(t map[string]any, key string) string {
	v, ok := t[key]
	if !ok || v == nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func tagFloat(t map[string]any, key string) float64 {
	f, err := strconv.ParseFloat(tagString(t, key), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// costedSpans returns the spans of workflow-agent that carry a call's
// cost: every GenAI call, chat and embeddings.
func costedSpans(spans []stackquery.Span) []stackquery.Span {
	var out []stackquery.Span
	for _, sp := range spans {
		if _, ok := sp.Tags[string(ailabels.CostUSDKey)]; ok && sp.Service == app.Agent {
			out = append(out, sp)
		}
	}
	return out
}

// aiSpans returns the GenAI call spans of workflow-agent in spans
// (operation "chat {model}").
func aiSpans(spans []stackquery.Span) []stackquery.Span {
	var out []stackquery.Span
	for _, sp := range spans {
		if sp.Service == app.Agent && tagString(sp.Tags, string(ailabels.GenAIOperationNameKey)) == ailabels.OperationChat {
			out = append(out, sp)
		}
	}
	return out
}

// aiSpansInJaeger checks the GenAI spans of the dev run's successful
// requests: each "chat {model}" span of workflow-agent is a child of the
// agent's server span, in the trace the gateway request started, with
// the gen_ai.* attributes (provider, request and response model, usage,
// response id) and its cost; both providers are there, streams carry the
// time to first chunk, the planner's tool ran under an execute_tool span,
// and a call the provider rate limited once shows two attempts (one span,
// ai.request.attempts=2, an ai.attempt.failed event with status 429).
func (s *suite) aiSpansInJaeger(ctx context.Context, r *envRun) error {
	ok, err := r.succeeded()
	if err != nil {
		return err
	}
	providers := map[string]int{}
	var checked, streams, tools int
	var retried string // trace id of a call with two attempts
	var errs []error
	for i, sent := range ok {
		if i >= 25 && retried != "" && len(providers) >= 2 {
			break
		}
		var spans []stackquery.Span
		err := poll(ctx, 30*time.Second, func() (bool, error) {
			var err error
			spans, err = s.st.Trace(ctx, sent.TraceID)
			return len(aiSpans(spans)) >= 3, err // planner (tool call + answer), writer
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("trace %s: %d AI spans in Jaeger: %w", sent.TraceID, len(aiSpans(spans)), err))
			continue
		}
		byID := map[string]stackquery.Span{}
		for _, sp := range spans {
			byID[sp.SpanID] = sp
			if sp.Service == app.Agent && strings.HasPrefix(sp.OperationName, "execute_tool ") {
				tools++
				if p := byID[sp.ParentSpanID]; p.SpanID != "" && p.OperationName != agentServerSpan {
					errs = append(errs, fmt.Errorf("trace %s: %q is a child of %q", sent.TraceID, sp.OperationName, p.OperationName))
				}
			}
		}
		for _, sp := range aiSpans(spans) {
			checked++
			t := sp.Tags
			parent, inTrace := byID[sp.ParentSpanID]
			if !inTrace || parent.Service != app.Agent || parent.OperationName != agentServerSpan {
				errs = append(errs, fmt.Errorf("trace %s: %q's parent is %q of %s; want %q of %s", sent.TraceID, sp.OperationName, parent.OperationName, parent.Service, agentServerSpan, app.Agent))
			}
			model := tagString(t, string(ailabels.GenAIRequestModelKey))
			var missing []string
			for _, k := range []attribute.Key{ailabels.GenAIProviderNameKey, ailabels.GenAIRequestModelKey, ailabels.GenAIResponseModelKey,
				ailabels.GenAIResponseIDKey, ailabels.GenAIUsageInputTokensKey, ailabels.GenAIUsageOutputTokensKey, ailabels.CostUSDKey} {
				if tagString(t, string(k)) == "" {
					missing = append(missing, string(k))
				}
			}
			switch {
			case len(missing) > 0:
				errs = append(errs, fmt.Errorf("trace %s: span %q has no %v", sent.TraceID, sp.OperationName, missing))
			case sp.OperationName != "chat "+model:
				errs = append(errs, fmt.Errorf("trace %s: span %q for request model %q", sent.TraceID, sp.OperationName, model))
			case !(tagFloat(t, string(ailabels.CostUSDKey)) > 0) || !(tagFloat(t, string(ailabels.GenAIUsageInputTokensKey)) > 0):
				errs = append(errs, fmt.Errorf("trace %s: span %q costs %s USD for %s input tokens", sent.TraceID, sp.OperationName,
					tagString(t, string(ailabels.CostUSDKey)), tagString(t, string(ailabels.GenAIUsageInputTokensKey))))
			}
			providers[tagString(t, string(ailabels.GenAIProviderNameKey))]++
			if tagString(t, string(ailabels.GenAIRequestStreamKey)) == "true" {
				streams++
				if !(tagFloat(t, string(ailabels.GenAIResponseTimeToFirstChunkKey)) > 0) {
					errs = append(errs, fmt.Errorf("trace %s: stream span %q has no %s", sent.TraceID, sp.OperationName, ailabels.GenAIResponseTimeToFirstChunkKey))
				}
			}
			if retried == "" && tagString(t, "ai.request.attempts") == "2" {
				if err := s.failedAttempt(ctx, sent.TraceID, sp.SpanID); err != nil {
					errs = append(errs, err)
				}
				retried = sent.TraceID
			}
		}
		if len(errs) > 5 {
			break
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, p := range []string{ailabels.ProviderOpenAI, ailabels.ProviderAnthropic} {
		if providers[p] == 0 {
			return fmt.Errorf("no AI span of provider %s among %d (%v)", p, checked, providers)
		}
	}
	if retried == "" {
		return fmt.Errorf("no AI span with ai.request.attempts=2 among %d (the fake provider rate limits every %dth first attempt)", checked, app.DefaultLLM().RateLimitEvery)
	}
	if streams == 0 || tools == 0 {
		return fmt.Errorf("%d streamed calls, %d tool spans among %d AI spans", streams, tools, checked)
	}
	fmt.Printf("     %d AI spans (%v), %d streamed, %d tool runs; trace %s has a call with two attempts\n",
		checked, providers, streams, tools, retried)
	return nil
}

// failedAttempt checks, in Jaeger's own JSON (the span's logs), that the
// span has an ai.attempt.failed event with status 429.
func (s *suite) failedAttempt(ctx context.Context, traceID, spanID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.st.Jaeger+"/api/traces/"+traceID, nil)
	if err != nil {
		return err
	}
	resp, err := s.st.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	type kv struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	var body struct {
		Data []struct {
			Spans []struct {
				SpanID string `json:"spanID"`
				Logs   []struct {
					Fields []kv `json:"fields"`
				} `json:"logs"`
			} `json:"spans"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return fmt.Errorf("trace %s: %w", traceID, err)
	}
	for _, t := range body.Data {
		for _, sp := range t.Spans {
			if sp.SpanID != spanID {
				continue
			}
			for _, l := range sp.Logs {
				f := map[string]any{}
				for _, kv := range l.Fields {
					f[kv.Key] = kv.Value
				}
				if tagString(f, "event") == "ai.attempt.failed" && tagString(f, "http.response.status_code") == "429" {
					return nil
				}
			}
			return fmt.Errorf("trace %s: span %s has two attempts but no ai.attempt.failed event with status 429 (logs %v)", traceID, spanID, sp.Logs)
		}
	}
	return fmt.Errorf("trace %s: span %s not found", traceID, spanID)
}

// providerOf is the provider of one of the workload's models.
func providerOf(model string) string {
	if strings.HasPrefix(model, "claude") {
		return ailabels.ProviderAnthropic
	}
	return ailabels.ProviderOpenAI
}

// aiMetricsInPrometheus checks the AI series of the dev run:
// ai_requests_total for both providers, ai_tokens_total (input, output,
// cache_read, cache_write, reasoning) and ai_cost_total (non-zero) for
// models of both providers, every series with environment, project and
// service; and the time-to-first-chunk histogram
// (gen_ai_client_operation_time_to_first_chunk_seconds) with observations
// for both providers' streams.
func (s *suite) aiMetricsInPrometheus(ctx context.Context, r *envRun) error {
	sel := fmt.Sprintf(`environment=%q,instance=~%q`, r.env, r.instanceRE())
	by := "environment, project, service"
	query := func(q string) ([]stackquery.Sample, error) {
		var v []stackquery.Sample
		err := poll(ctx, 30*time.Second, func() (bool, error) {
			var err error
			v, err = s.st.Query(ctx, q)
			return err == nil && len(v) > 0, err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
		for _, sm := range v {
			for _, k := range []string{"environment", "project", "service"} {
				if sm.Labels[k] == "" {
					return nil, fmt.Errorf("%s: a series without %s: %v", q, k, sm.Labels)
				}
			}
		}
		return v, nil
	}
	var errs []error
	reqs, err := query(fmt.Sprintf(`sum by (provider, %s) (%s{%s})`, by, metrics.AIRequestsName, sel))
	if err != nil {
		return err
	}
	seen := map[string]float64{}
	for _, sm := range reqs {
		seen[sm.Labels["provider"]] += sm.Value
	}
	for _, p := range []string{ailabels.ProviderOpenAI, ailabels.ProviderAnthropic} {
		if seen[p] <= 0 {
			errs = append(errs, fmt.Errorf("%s has no series for provider %s (%v)", metrics.AIRequestsName, p, seen))
		}
	}

	cost, err := query(fmt.Sprintf(`sum by (model, %s) (%s{%s})`, by, metrics.AICostName, sel))
	if err != nil {
		return err
	}
	costBy := map[string]float64{}
	for _, sm := range cost {
		costBy[providerOf(sm.Labels["model"])] += sm.Value
	}
	for _, p := range []string{ailabels.ProviderOpenAI, ailabels.ProviderAnthropic} {
		if !(costBy[p] > 0) {
			errs = append(errs, fmt.Errorf("%s of %s's models is %v", metrics.AICostName, p, costBy[p]))
		}
	}

	tokens, err := query(fmt.Sprintf(`sum by (model, token_type, %s) (%s{%s})`, by, metrics.AITokensName, sel))
	if err != nil {
		return err
	}
	types := map[string]map[string]bool{} // provider -> token types
	for _, sm := range tokens {
		p := providerOf(sm.Labels["model"])
		if types[p] == nil {
			types[p] = map[string]bool{}
		}
		if sm.Value > 0 {
			types[p][sm.Labels["token_type"]] = true
		}
	}
	for _, p := range []string{ailabels.ProviderOpenAI, ailabels.ProviderAnthropic} {
		for _, tt := range []string{"input", "output", "cache_read", "cache_write", "reasoning"} {
			if !types[p][tt] {
				errs = append(errs, fmt.Errorf("%s has no %s tokens for %s's models (types %v)", metrics.AITokensName, tt, p, slices.Sorted(maps.Keys(types[p]))))
			}
		}
	}

	ttfc := promSeconds(metrics.GenAITimeToFirstChunkName)
	hist, err := query(fmt.Sprintf(`sum by (gen_ai_provider_name, %s) (%s_count{%s})`, by, ttfc, sel))
	if err != nil {
		errs = append(errs, err)
	} else {
		streamed := map[string]float64{}
		for _, sm := range hist {
			streamed[sm.Labels["gen_ai_provider_name"]] += sm.Value
		}
		for _, p := range []string{ailabels.ProviderOpenAI, ailabels.ProviderAnthropic} {
			if streamed[p] <= 0 {
				errs = append(errs, fmt.Errorf("%s_count has no observation for %s (%v)", ttfc, p, streamed))
			}
		}
		if len(errs) == 0 {
			fmt.Printf("     requests %v, cost %v USD by provider, %s observations %v\n", seen, roundMap(costBy), ttfc, streamed)
		}
	}
	return errors.Join(errs...)
}

// promSeconds is the Prometheus name of an OTLP histogram in seconds:
// dots become underscores, the unit adds _seconds.
func promSeconds(name string) string { return strings.ReplaceAll(name, ".", "_") + "_seconds" }

func roundMap(m map[string]float64) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = strconv.FormatFloat(v, 'f', 4, 64)
	}
	return out
}
