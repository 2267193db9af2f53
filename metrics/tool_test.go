package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestStartTool(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms(), metrics.WithContentCapture())
	parent, call := ai.StartCall(context.Background(), ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	ctx, tool := ai.StartTool(parent, "get_weather", metrics.WithToolCallID("call_1"),
		metrics.WithToolDescription("Weather by city"), metrics.WithToolArguments(`{"city":"Paris"}`))
	if !trace.SpanContextFromContext(ctx).IsValid() {
		t.Fatal("no span in the tool's context")
	}
	tool.SetResult(`{"temp":12}`)
	tool.End(nil)
	tool.End(errors.New("ignored: second End"))
	_, _ = call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 1}})

	spans := kit.Spans()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	if s.Name != "execute_tool get_weather" || s.SpanKind != trace.SpanKindInternal || s.Parent.SpanID() != spans[1].SpanContext.SpanID() {
		t.Errorf("span %q kind %v parent %v", s.Name, s.SpanKind, s.Parent.SpanID())
	}
	a := genaiAttrs(s)
	for k, want := range map[string]string{
		"gen_ai.operation.name":      "execute_tool",
		"gen_ai.tool.name":           "get_weather",
		"gen_ai.tool.call.id":        "call_1",
		"gen_ai.tool.type":           "function",
		"gen_ai.tool.description":    "Weather by city",
		"gen_ai.tool.call.arguments": `{"city":"Paris"}`,
		"gen_ai.tool.call.result":    `{"temp":12}`,
	} {
		if got := a[attributeKey(k)].String(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if s.Status.Code == codes.Error {
		t.Error("tool failed")
	}
	aiWantPoints(t, kit, metrics.GenAIExecuteToolDurationName, pt(1, "gen_ai.operation.name", "execute_tool", "gen_ai.tool.name", "get_weather"))
}

type toolErr struct{}

func (toolErr) Error() string     { return "not found" }
func (toolErr) ErrorType() string { return "city_not_found" }

func TestToolErrorAndBounds(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithSemconvHistograms(), metrics.WithMaxModels(2))
	for i := 0; i < 4; i++ {
		_, tool := ai.StartTool(context.Background(), fmt.Sprintf("tool_%d", i))
		tool.End(fmt.Errorf("wrapped: %w", toolErr{}))
	}
	s := kit.Spans()[0]
	if genaiAttrs(s)["error.type"].AsString() != "city_not_found" || s.Status.Code != codes.Error {
		t.Errorf("error.type %v", genaiAttrs(s)["error.type"])
	}
	_, pts := aiMetric(t, kit, metrics.GenAIExecuteToolDurationName)
	names := map[string]float64{}
	for _, p := range pts {
		names[p.labels["gen_ai.tool.name"]] += p.value
	}
	if len(names) != 3 || names["_OTHER"] == 0 {
		t.Errorf("tool names %v, want 2 and other", names)
	}
	var nilTool *metrics.ToolCall
	nilTool.End(nil)
	nilTool.SetResult("x")
	_ = nilTool.Span()
	var nilAI *metrics.AI
	if _, tc := nilAI.StartTool(context.Background(), "x"); tc != nil {
		t.Error("nil AI gave a tool call")
	}
}
