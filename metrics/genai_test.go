package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func genaiAttrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(s.Attributes))
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

func oneSpan(t *testing.T, kit *telemetrytest.Kit) tracetest.SpanStub {
	t.Helper()
	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	return spans[0]
}

func TestGenAISpan(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	temp := 0.2
	ctx, call := ai.Start(context.Background(), ailabels.Request{
		Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o",
		MaxTokens: 512, Temperature: &temp, Prompt: "tell me a secret",
	})
	if !trace.SpanContextFromContext(ctx).IsValid() {
		t.Fatal("Start returned a context without the span")
	}
	call.SetResponse("chatcmpl-123", "stop")
	call.SetCompletion("the secret") // dropped: no content capture
	cost, err := call.End(ailabels.Usage{Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300, ReasoningTokens: 10}, nil)
	if err != nil || round(cost.USD) != 0.00475 {
		t.Fatalf("End = %+v, %v", cost, err)
	}

	s := oneSpan(t, kit)
	if s.Name != "chat gpt-4o" || s.SpanKind != trace.SpanKindClient {
		t.Errorf("span %q kind %v, want \"chat gpt-4o\" client", s.Name, s.SpanKind)
	}
	if s.InstrumentationScope.Name != telemetry.ScopeName || s.InstrumentationScope.SchemaURL != ailabels.SchemaURL {
		t.Errorf("scope %+v, want %s with schema %s", s.InstrumentationScope, telemetry.ScopeName, ailabels.SchemaURL)
	}
	if s.Status.Code != codes.Unset {
		t.Errorf("status %+v, want unset", s.Status)
	}
	a := genaiAttrs(s)
	want := map[attribute.Key]attribute.Value{
		"gen_ai.operation.name":                attribute.StringValue("chat"),
		"gen_ai.provider.name":                 attribute.StringValue("openai"),
		"gen_ai.request.model":                 attribute.StringValue("gpt-4o"),
		"gen_ai.request.max_tokens":            attribute.Int64Value(512),
		"gen_ai.request.temperature":           attribute.Float64Value(0.2),
		"gen_ai.response.model":                attribute.StringValue("gpt-4o-2024-08-06"),
		"gen_ai.response.id":                   attribute.StringValue("chatcmpl-123"),
		"gen_ai.response.finish_reasons":       attribute.StringSliceValue([]string{"stop"}),
		"gen_ai.usage.input_tokens":            attribute.Int64Value(1200),
		"gen_ai.usage.output_tokens":           attribute.Int64Value(300),
		"gen_ai.usage.cache_read.input_tokens": attribute.Int64Value(1000),
		"gen_ai.usage.reasoning.output_tokens": attribute.Int64Value(10),
		"ai.cost.priced":                       attribute.BoolValue(true),
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %v, want %v", k, a[k].String(), v.String())
		}
	}
	if c := a["ai.cost.usd"].AsFloat64(); round(c) != 0.00475 {
		t.Errorf("ai.cost.usd = %v", c)
	}
	for _, k := range []attribute.Key{"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.usage.cache_creation.input_tokens", "error.type"} {
		if _, ok := a[k]; ok {
			t.Errorf("%s set, want absent", k)
		}
	}
	for _, kv := range s.Attributes {
		if strings.Contains(kv.Value.String(), "secret") {
			t.Errorf("prompt or completion text leaked into %s without content capture", kv.Key)
		}
	}
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(1, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
	if _, ok := kit.Metric(metrics.GenAITokenUsageName); ok {
		t.Errorf("%s recorded without WithSemconvHistograms", metrics.GenAITokenUsageName)
	}
}

func TestGenAISpanError(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.Start(context.Background(), ailabels.Request{Provider: "anthropic", Model: "claude-3-5-haiku-latest"})
	callErr := fmt.Errorf("calling anthropic: %w", context.DeadlineExceeded)
	if _, err := call.End(ailabels.Usage{}, callErr); err != nil {
		t.Fatal(err)
	}
	s := oneSpan(t, kit)
	if s.Name != "chat claude-3-5-haiku-latest" {
		t.Errorf("name %q: an empty operation is chat", s.Name)
	}
	if s.Status.Code != codes.Error || !strings.Contains(s.Status.Description, "deadline") {
		t.Errorf("status %+v", s.Status)
	}
	if got := genaiAttrs(s)["error.type"].AsString(); got != "timeout" {
		t.Errorf("error.type = %q, want timeout", got)
	}
	if !slices.ContainsFunc(s.Events, func(e sdktrace.Event) bool { return e.Name == "exception" }) {
		t.Errorf("no exception event: %+v", s.Events)
	}
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(1, "model", "claude-3-5-haiku", "provider", "anthropic", "outcome", "error"))

	// Any other error is _OTHER, never a Go type name; one with an
	// ErrorType method names its own.
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("calling openai: %w", &json.SyntaxError{}), ailabels.ErrorTypeOther},
		{fmt.Errorf("calling openai: %w", typedError("rate_limit_error")), "rate_limit_error"},
	} {
		kit.Reset()
		_, call = ai.Start(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
		_, _ = call.End(ailabels.Usage{}, tc.err)
		if got := genaiAttrs(oneSpan(t, kit))["error.type"].AsString(); got != tc.want {
			t.Errorf("End(%v): error.type = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// typedError is an error that names its error.type.
type typedError string

func (e typedError) Error() string     { return "provider error: " + string(e) }
func (e typedError) ErrorType() string { return string(e) }

func TestGenAIContentCapture(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithContentCapture())
	_, call := ai.Start(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o", Prompt: "Hi \"there\""})
	call.SetCompletion("Hello!")
	if _, err := call.End(ailabels.Usage{InputTokens: 3, OutputTokens: 2}, nil); err != nil {
		t.Fatal(err)
	}
	a := genaiAttrs(oneSpan(t, kit))
	type msg struct {
		Role  string `json:"role"`
		Parts []struct {
			Type, Content string
		} `json:"parts"`
		FinishReason string `json:"finish_reason"`
	}
	for _, c := range []struct {
		key            attribute.Key
		role, text, fr string
	}{
		{"gen_ai.input.messages", "user", "Hi \"there\"", ""},
		{"gen_ai.output.messages", "assistant", "Hello!", "stop"},
	} {
		var ms []msg
		if err := json.Unmarshal([]byte(a[c.key].AsString()), &ms); err != nil {
			t.Fatalf("%s = %q: %v", c.key, a[c.key].AsString(), err)
		}
		if len(ms) != 1 || ms[0].Role != c.role || len(ms[0].Parts) != 1 || ms[0].Parts[0].Content != c.text || ms[0].FinishReason != c.fr {
			t.Errorf("%s = %+v", c.key, ms)
		}
	}
}

func TestGenAISemconvHistograms(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms())
	_, call := ai.Start(context.Background(), ailabels.Request{Operation: "chat", Provider: "openai", Model: "gpt-4o"})
	if _, err := call.End(ailabels.Usage{Model: "gpt-4o-2024-08-06", InputTokens: 100, OutputTokens: 20}, nil); err != nil {
		t.Fatal(err)
	}
	_, call = ai.Start(context.Background(), ailabels.Request{Operation: "my-own-op", Provider: "openai", Model: "gpt-4o"})
	_, _ = call.End(ailabels.Usage{}, errors.New("boom"))

	base := []string{"gen_ai.operation.name", "chat", "gen_ai.provider.name", "openai", "gen_ai.request.model", "gpt-4o", "gen_ai.response.model", "gpt-4o"}
	aiWantPoints(t, kit, metrics.GenAITokenUsageName,
		pt(1, append(base, "gen_ai.token.type", "input")...),
		pt(1, append(base, "gen_ai.token.type", "output")...),
	)
	aiWantPoints(t, kit, metrics.GenAIOperationDurationName,
		pt(1, base...),
		pt(1, "gen_ai.operation.name", "_OTHER", "gen_ai.provider.name", "openai", "gen_ai.request.model", "gpt-4o",
			"gen_ai.response.model", "gpt-4o", "error.type", "_OTHER"),
	)
	m, _ := aiMetric(t, kit, metrics.GenAIOperationDurationName)
	if m.Unit != "s" {
		t.Errorf("duration unit %q", m.Unit)
	}
	h := m.Data.(metricdata.Histogram[float64])
	// The semantic conventions' advice, not the SDK's HTTP-shaped default.
	if b := h.DataPoints[0].Bounds; len(b) != 14 || b[0] != 0.01 || b[13] != 81.92 {
		t.Errorf("duration buckets %v, want the semconv advice 0.01 .. 81.92", b)
	}
	m, _ = aiMetric(t, kit, metrics.GenAITokenUsageName)
	if m.Unit != "{token}" {
		t.Errorf("token usage unit %q", m.Unit)
	}
	if b := m.Data.(metricdata.Histogram[int64]).DataPoints[0].Bounds; len(b) == 0 || b[len(b)-1] != 67108864 {
		t.Errorf("token usage buckets %v, want the semantic conventions' advice", b)
	}
}

func TestGenAIInvalidUsage(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.Start(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	_, err := call.End(ailabels.Usage{InputTokens: -3}, nil)
	if !errors.Is(err, ailabels.ErrInvalidUsage) {
		t.Fatalf("End error = %v", err)
	}
	s := oneSpan(t, kit)
	if len(s.Events) != 1 || !strings.Contains(s.Events[0].Name, "not recorded") {
		t.Errorf("events %+v, want one saying the usage was not recorded", s.Events)
	}
	if _, ok := genaiAttrs(s)["gen_ai.usage.input_tokens"]; ok {
		t.Error("invalid usage on the span")
	}
	if _, ok := kit.Metric(metrics.AIRequestsName); ok {
		t.Error("invalid usage recorded")
	}
}

func TestGenAIEndOnce(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.Start(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	u := ailabels.Usage{InputTokens: 1}
	if c, _ := call.End(u, nil); !c.Priced {
		t.Error("first End not priced")
	}
	if c, err := call.End(u, nil); c.Priced || err != nil {
		t.Errorf("second End = %+v, %v; want nothing", c, err)
	}
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(1, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
	if n := len(kit.Spans()); n != 1 {
		t.Errorf("%d spans", n)
	}

	var nilCall *metrics.Call
	nilCall.SetCompletion("x")
	nilCall.SetResponse("id")
	if c, err := nilCall.End(u, nil); c.Priced || err != nil {
		t.Error("nil Call End did something")
	}
	_ = nilCall.Span()
	var nilAI *metrics.AI
	if _, c := nilAI.Start(context.Background(), ailabels.Request{}); c != nil {
		t.Error("nil AI Start returned a Call")
	}
}

// The span says which price priced the call, or why none did.
func TestGenAISpanSaysWhichPrice(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	ctx := context.Background()
	end := func(r ailabels.Request, u ailabels.Usage) map[attribute.Key]attribute.Value {
		t.Helper()
		kit.Reset()
		_, call := ai.Start(ctx, r)
		if _, err := call.End(u, nil); err != nil {
			t.Fatal(err)
		}
		return genaiAttrs(oneSpan(t, kit))
	}
	check := func(name string, a map[attribute.Key]attribute.Value, want map[attribute.Key]attribute.Value, absent ...attribute.Key) {
		t.Helper()
		for k, v := range want {
			if a[k] != v {
				t.Errorf("%s: %s = %s, want %s", name, k, a[k].String(), v.String())
			}
		}
		for _, k := range absent {
			if _, ok := a[k]; ok {
				t.Errorf("%s: %s = %s, want absent", name, k, a[k].String())
			}
		}
	}

	a := end(ailabels.Request{Provider: "openai", Model: "gpt-5.4"}, ailabels.Usage{InputTokens: 100000, OutputTokens: 10000, ServiceTier: "priority"})
	check("priority", a, map[attribute.Key]attribute.Value{
		"ai.cost.usd": attribute.Float64Value(0.8), "ai.cost.priced": attribute.BoolValue(true),
		"ai.pricing.as_of": attribute.StringValue("2026-07-24"), "ai.pricing.entry": attribute.StringValue("gpt-5.4"),
		"ai.pricing.price_list": attribute.StringValue("openai"), "ai.pricing.service_tier": attribute.StringValue("priority"),
	}, "ai.pricing.unpriced", "ai.pricing.retired")

	a = end(ailabels.Request{Provider: "vllm", Model: "my-llama"}, ailabels.Usage{InputTokens: 10, OutputTokens: 5})
	check("unpriced", a, map[attribute.Key]attribute.Value{
		"ai.cost.usd": attribute.Float64Value(0), "ai.cost.priced": attribute.BoolValue(false),
		"ai.pricing.as_of": attribute.StringValue("2026-07-24"), "ai.pricing.unpriced": attribute.StringValue(ailabels.UnpricedModel),
	}, "ai.pricing.entry", "ai.pricing.price_list")

	// Azure's own entry for a snapshot retired on 2026-02-27: marked.
	a = end(ailabels.Request{Provider: "azure.ai.openai", Model: "gpt-4o-2024-08-06"}, ailabels.Usage{InputTokens: 10})
	check("retired", a, map[attribute.Key]attribute.Value{
		"ai.pricing.retired": attribute.BoolValue(true), "ai.pricing.price_list": attribute.StringValue("azure.ai.openai"),
	}, "ai.pricing.service_tier")

	// One-hour cache writes: 500 x 3 + 300 x 3.75 + 200 x 6 = 3825 per million.
	a = end(ailabels.Request{Provider: "anthropic", Model: "claude-sonnet-4-5"}, ailabels.Usage{InputTokens: 1000, CacheWriteInputTokens: 500, CacheWrite1hInputTokens: 200})
	check("1h cache", a, map[attribute.Key]attribute.Value{
		"gen_ai.usage.cache_creation.input_tokens": attribute.Int64Value(500),
		"ai.usage.cache_creation_1h.input_tokens":  attribute.Int64Value(200),
	})
	if c := a["ai.cost.usd"].AsFloat64(); round(c) != 0.003825 {
		t.Errorf("1h cache: ai.cost.usd = %v, want 0.003825", c)
	}

	// Without u.Time, the price in force when the call began (Sonnet 5's
	// standard $3 since 2026-09-01, for a call made now); with it, the
	// price of that day.
	a = end(ailabels.Request{Provider: "anthropic", Model: "claude-sonnet-5"}, ailabels.Usage{InputTokens: 1e6})
	if c := a["ai.cost.usd"].AsFloat64(); c != 3 {
		t.Errorf("claude-sonnet-5 now: %v, want 3", c)
	}
	a = end(ailabels.Request{Provider: "anthropic", Model: "claude-sonnet-5"}, ailabels.Usage{InputTokens: 1e6, Time: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)})
	if c := a["ai.cost.usd"].AsFloat64(); c != 2 {
		t.Errorf("claude-sonnet-5 in August: %v, want 2", c)
	}
}
