package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestFinishSuccess(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms(), metrics.WithLatestSemconv(false))
	start := time.Now().Add(-2 * time.Second)
	_, call := ai.StartCall(context.Background(),
		ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderAnthropic, Model: "claude-sonnet-4-5"},
		metrics.WithStartTime(start), metrics.WithStream(true), metrics.WithServer("api.anthropic.com", 443))
	call.SetResponseModel("claude-sonnet-4-5-20250929")
	call.Chunk(start.Add(500 * time.Millisecond))
	call.Chunk(start.Add(700 * time.Millisecond))
	end := start.Add(time.Second)
	cost, err := call.Finish(metrics.Result{
		Usage:      ailabels.Usage{InputTokens: 1000, CachedInputTokens: 800, CacheWriteInputTokens: 100, OutputTokens: 50},
		ResponseID: "msg_1", FinishReasons: []string{"tool_use"},
		ToolCalls: []metrics.ToolCallRequest{{ID: "toolu_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}},
		End:       end,
	})
	if err != nil || !cost.Priced || cost.USD <= 0 {
		t.Fatalf("Finish = %+v, %v", cost, err)
	}
	s := oneSpan(t, kit)
	a := genaiAttrs(s)
	if !s.StartTime.Equal(start) || !s.EndTime.Equal(end) {
		t.Errorf("span %v .. %v, want %v .. %v", s.StartTime, s.EndTime, start, end)
	}
	for k, want := range map[string]string{
		"gen_ai.response.model":                    "claude-sonnet-4-5-20250929",
		"gen_ai.response.id":                       "msg_1",
		"gen_ai.response.finish_reasons":           `["tool_use"]`,
		"gen_ai.usage.cache_creation.input_tokens": "100",
		"gen_ai.request.stream":                    "true",
		"gen_ai.response.time_to_first_chunk":      "0.5",
		"ai.stream.chunks":                         "2",
		"ai.response.tool_calls":                   `["get_weather"]`,
		"ai.response.tool_call_ids":                `["toolu_1"]`,
		"server.address":                           "api.anthropic.com",
		"server.port":                              "443",
	} {
		if got := a[ailabelsKey(k)].String(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := a["gen_ai.output.messages"]; ok {
		t.Error("tool call arguments without content capture")
	}
	base := []string{"gen_ai.operation.name", "chat", "gen_ai.provider.name", "anthropic",
		"gen_ai.request.model", "claude-sonnet-4-5", "gen_ai.response.model", "claude-sonnet-4-5"}
	aiWantPoints(t, kit, metrics.GenAITimeToFirstChunkName, pt(1, base...))
	aiWantPoints(t, kit, metrics.GenAITimePerOutputChunkName, pt(1, base...))
	m, _ := kit.Metric(metrics.GenAITimePerOutputChunkName)
	if h := m.Data.(metricdata.Histogram[float64]).DataPoints[0]; h.Sum < 0.19 || h.Sum > 0.21 {
		t.Errorf("time per output chunk %v, want 0.2", h.Sum)
	}
	aiWantPoints(t, kit, metrics.GenAIOperationDurationName, pt(1, base...))
}

type attributeKey = attribute.Key

func ailabelsKey(k string) attributeKey { return attributeKey(k) }

func TestFinishUsageMissing(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	if _, err := call.Finish(metrics.Result{UsageMissing: true}); err != nil {
		t.Fatal(err)
	}
	a := genaiAttrs(oneSpan(t, kit))
	if !a["ai.usage.missing"].AsBool() {
		t.Error("no ai.usage.missing")
	}
	for _, k := range []attributeKey{"gen_ai.usage.input_tokens", "ai.cost.usd"} {
		if _, ok := a[k]; ok {
			t.Errorf("%s on a call without usage", k)
		}
	}
	aiWantPoints(t, kit, metrics.AIUsageMissingName, pt(1, "model", "gpt-4o", "provider", "openai"))
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(1, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
	if _, ok := kit.Metric(metrics.AITokensName); ok {
		t.Error("tokens counted for a call without usage")
	}
}

type quotaErr struct{}

func (quotaErr) Error() string     { return "You exceeded your current quota" }
func (quotaErr) ErrorType() string { return "insufficient_quota" }

func TestFinishErrorTypes(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms())
	cases := []struct {
		res  metrics.Result
		want string
	}{
		{metrics.Result{ErrorType: "429", UsageMissing: true}, "429"},
		{metrics.Result{Err: fmt.Errorf("calling: %w", quotaErr{}), UsageMissing: true}, "insufficient_quota"},
		{metrics.Result{Err: context.Canceled, UsageMissing: true}, "canceled"},
		{metrics.Result{Err: errors.New("opaque"), UsageMissing: true}, "_OTHER"},
	}
	for _, c := range cases {
		kit.Reset()
		_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
		_, _ = call.Finish(c.res)
		s := oneSpan(t, kit)
		if got := genaiAttrs(s)["error.type"].AsString(); got != c.want || s.Status.Code != codes.Error {
			t.Errorf("%+v: error.type %q status %v, want %q", c.res, got, s.Status, c.want)
		}
		_, pts := aiMetric(t, kit, metrics.GenAIOperationDurationName)
		found := false
		for _, p := range pts {
			found = found || p.labels["error.type"] == c.want
		}
		if !found {
			t.Errorf("no duration point with error.type %q: %v", c.want, pts)
		}
	}
}

func TestFinishOnce(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	_, _ = call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 1}})
	_, _ = call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 1}})
	_, _ = call.End(ailabels.Usage{InputTokens: 1}, nil)
	call.Chunk(time.Time{})
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(1, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
	var nilCall *metrics.Call
	nilCall.Chunk(time.Time{})
	nilCall.SetResponseModel("x")
	if _, err := nilCall.Finish(metrics.Result{}); err != nil {
		t.Error(err)
	}
	var nilAI *metrics.AI
	if _, c := nilAI.StartCall(context.Background(), ailabels.Request{}); c != nil {
		t.Error("nil AI gave a call")
	}
}

// The histograms carry gen_ai.request.model as requested, not the
// shortened label of the ai_* counters.
func TestHistogramsCarryRequestedModel(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms(), metrics.WithLatestSemconv(false))
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: ailabels.ProviderGCPVertexAI, Model: "claude-sonnet-4-5@20250929"})
	_, _ = call.Finish(metrics.Result{Usage: ailabels.Usage{Model: "claude-sonnet-4-5@20250929", InputTokens: 3, OutputTokens: 1}})
	_, got := aiMetric(t, kit, metrics.GenAIOperationDurationName)
	if len(got) != 1 || got[0].labels["gen_ai.request.model"] != "claude-sonnet-4-5@20250929" {
		t.Errorf("points %v", got)
	}
	_, got = aiMetric(t, kit, metrics.AIRequestsName)
	if len(got) != 1 || got[0].labels["model"] == "claude-sonnet-4-5@20250929" {
		t.Errorf("ai_requests_total should keep the normalised label: %v", got)
	}
}

func TestLatestSemconv(t *testing.T) {
	t.Setenv(ailabels.SemconvStabilityOptInEnv, "http, gen_ai_latest_experimental")
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms())
	if !ai.LatestSemconv() {
		t.Fatal("OTEL_SEMCONV_STABILITY_OPT_IN ignored")
	}
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"}, metrics.WithStream(true))
	call.Chunk(time.Time{})
	call.Chunk(time.Time{})
	_, _ = call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 10, CacheWriteInputTokens: 5, OutputTokens: 2}})
	s := oneSpan(t, kit)
	if s.InstrumentationScope.SchemaURL != ailabels.LatestSchemaURL {
		t.Errorf("schema %q", s.InstrumentationScope.SchemaURL)
	}
	a := genaiAttrs(s)
	if a["gen_ai.usage.cache_write.input_tokens"].AsInt64() != 5 {
		t.Error("no gen_ai.usage.cache_write.input_tokens")
	}
	if _, ok := a["gen_ai.usage.cache_creation.input_tokens"]; ok {
		t.Error("the old name is emitted too")
	}
	kit.Flush()
	for _, name := range []string{metrics.LatestGenAIInferenceDurationName, metrics.LatestGenAITimeToFirstChunkName,
		metrics.LatestGenAITimePerOutputChunkName, metrics.LatestGenAIInputTokensName, metrics.LatestGenAIOutputTokensName} {
		if _, ok := kit.Metric(name); !ok {
			t.Errorf("%s not recorded", name)
		}
	}
	for _, name := range []string{metrics.GenAIOperationDurationName, metrics.GenAITokenUsageName, metrics.GenAITimeToFirstChunkName} {
		if _, ok := kit.Metric(name); ok {
			t.Errorf("%s recorded with the latest conventions", name)
		}
	}
	// The option wins over the environment.
	off := newAI(t, kit, metrics.WithLatestSemconv(false))
	if off.LatestSemconv() {
		t.Error("WithLatestSemconv(false) lost to the environment")
	}
}

func TestFinishContentCapture(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithContentCapture())
	if !ai.ContentCapture() {
		t.Fatal("ContentCapture false")
	}
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o", Prompt: "weather?"})
	_, _ = call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 1}, Completion: "Let me check.",
		ToolCalls: []metrics.ToolCallRequest{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}})
	out := genaiAttrs(oneSpan(t, kit))["gen_ai.output.messages"].AsString()
	for _, want := range []string{`"type":"tool_call"`, `"name":"get_weather"`, `"arguments":{"city":"Paris"}`, `"content":"Let me check."`} {
		if !strings.Contains(out, want) {
			t.Errorf("output messages %s lack %s", out, want)
		}
	}
}
