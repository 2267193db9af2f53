package metrics_test

import (
	"context"
	"fmt"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The model asked for a tool call (Result.ToolCalls on its span); the
// service runs the tool under an execute_tool span.
func ExampleAI_StartTool() {
	ctx := context.Background()
	kit, ai := newExampleAI(ctx)
	defer kit.Telemetry.Shutdown(ctx)

	ctx, tool := ai.StartTool(ctx, "get_weather", metrics.WithToolCallID("call_VSPygqKTWdrhaFErNvMV18Yl"))
	_ = ctx // the tool's own calls go under ctx
	tool.End(nil)

	_, tool = ai.StartTool(context.Background(), "search_flights")
	tool.End(context.DeadlineExceeded)

	kit.Flush()
	for _, s := range kit.Spans() {
		attrs := map[string]string{}
		for _, kv := range s.Attributes {
			attrs[string(kv.Key)] = kv.Value.String()
		}
		fmt.Printf("%s: tool %s, call id %q, error.type %q\n", s.Name, attrs["gen_ai.tool.name"], attrs["gen_ai.tool.call.id"], attrs["error.type"])
	}
	// Output:
	// execute_tool get_weather: tool get_weather, call id "call_VSPygqKTWdrhaFErNvMV18Yl", error.type ""
	// execute_tool search_flights: tool search_flights, call id "", error.type "timeout"
}

// A client integration's view of one streamed call: StartCall, a Chunk per
// chunk, Finish with what the stream said (here: no usage event).
func ExampleCall_Finish() {
	ctx := context.Background()
	kit, ai := newExampleAI(ctx)
	defer kit.Telemetry.Shutdown(ctx)

	_, call := ai.StartCall(ctx, ailabels.Request{Operation: ailabels.OperationChat,
		Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}, metrics.WithStream(true))
	call.SetResponseModel("gpt-4o-2024-08-06")
	call.Chunk(time.Time{})
	call.Chunk(time.Time{})
	_, err := call.Finish(metrics.Result{UsageMissing: true, FinishReasons: []string{"stop"}})
	fmt.Println(err)

	_, call = ai.StartCall(ctx, ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"})
	_, _ = call.Finish(metrics.Result{ErrorType: "rate_limit_exceeded", UsageMissing: true})

	kit.Flush()
	requests, _ := kit.Sum(metrics.AIRequestsName)
	missing, _ := kit.Sum(metrics.AIUsageMissingName)
	_, tokens := kit.Metric(metrics.AITokensName)
	fmt.Println(requests, missing, tokens)
	for _, s := range kit.Spans() {
		for _, kv := range s.Attributes {
			if kv.Key == ailabels.UsageMissingKey || kv.Key == ailabels.ErrorTypeKey || kv.Key == ailabels.StreamChunksKey {
				fmt.Println(s.Name, kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// <nil>
	// 2 2 false
	// chat gpt-4o ai.stream.chunks 2
	// chat gpt-4o ai.usage.missing true
	// chat gpt-4o ai.usage.missing true
	// chat gpt-4o error.type rate_limit_exceeded
}

// newExampleAI returns a kit that records into memory (in a service, the
// *telemetry.Telemetry comes from telemetry.Init) and an AI on it, as
// ExampleNewAI makes one.
func newExampleAI(ctx context.Context) (*telemetrytest.Kit, *metrics.AI) {
	kit, err := telemetrytest.NewKit(ctx)
	if err != nil {
		panic(err)
	}
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		panic(err)
	}
	return kit, ai
}
