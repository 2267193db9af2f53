package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

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

	// A non-context error is typed by its Go type.
	kit.Reset()
	_, call = ai.Start(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	_, _ = call.End(ailabels.Usage{}, fmt.Errorf("calling openai: %w", &json.SyntaxError{}))
	if got := genaiAttrs(oneSpan(t, kit))["error.type"].AsString(); got != "*json.SyntaxError" {
		t.Errorf("error.type = %q", got)
	}
}

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
		pt(1, "gen_ai.operation.name", "other", "gen_ai.provider.name", "openai", "gen_ai.request.model", "gpt-4o",
			"gen_ai.response.model", "gpt-4o", "error.type", "*errors.errorString"),
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
