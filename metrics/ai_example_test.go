package metrics_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
)

func ExampleNewAI() {
	ctx := context.Background()
	// In a service: tel, err := telemetry.Init(ctx, telemetry.WithService("workflow-agent"))
	tel, err := telemetry.Init(ctx, telemetry.WithService("workflow-agent"), telemetry.WithDisabled(true))
	if err != nil {
		panic(err)
	}
	defer tel.Shutdown(ctx)

	ai, err := metrics.NewAI(tel) // once, at start-up
	if err != nil {
		panic(err)
	}

	// After each call to a model, with the usage the provider reported.
	cost, err := ai.Record(ctx, ailabels.Usage{
		Provider:          ailabels.ProviderOpenAI,
		Model:             "gpt-4o-2024-08-06",
		InputTokens:       1200, // prompt_tokens, cached ones included
		CachedInputTokens: 1000, // prompt_tokens_details.cached_tokens
		OutputTokens:      300,  // completion_tokens
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("$%.5f priced as %s\n", cost.USD, cost.PricedAs)

	// Bad input is an error, and nothing is recorded.
	_, err = ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: -1})
	fmt.Println(errors.Is(err, ailabels.ErrInvalidUsage))
	// Output:
	// $0.00475 priced as gpt-4o-2024-08-06
	// true
}

func ExampleAI_Record() {
	ctx := context.Background()
	kit, ai := newExampleAI(ctx) // in-memory exporters
	defer kit.Telemetry.Shutdown(ctx)

	// Anthropic reports input_tokens without the cache: add the cache counts.
	_, _ = ai.Record(ctx, ailabels.Usage{
		Provider: ailabels.ProviderAnthropic, Model: "claude-sonnet-4-20250514",
		InputTokens: 500 + 2000 + 1000, CachedInputTokens: 2000, CacheWriteInputTokens: 1000,
		OutputTokens: 400,
	})
	// A model without a price: tokens are counted, the cost is not guessed.
	c, _ := ai.Record(ctx, ailabels.Usage{Provider: "vllm", Model: "my-llama", InputTokens: 10, OutputTokens: 5})
	fmt.Println("my-llama priced:", c.Priced)

	cost, _ := kit.Value(metrics.AICostName, ailabels.ModelKey.String("claude-sonnet-4"))
	reqs, _ := kit.Value(metrics.AIRequestsName, ailabels.ModelKey.String("claude-sonnet-4"),
		ailabels.ProviderKey.String("anthropic"), ailabels.OutcomeKey.String(ailabels.OutcomeOK))
	cached, _ := kit.Value(metrics.AITokensName, ailabels.ModelKey.String("claude-sonnet-4"),
		ailabels.TokenTypeKey.String(string(ailabels.TokenCacheRead)))
	unpriced, _ := kit.Value(metrics.AIUnpricedRequestsName, ailabels.ModelKey.String("my-llama"))
	fmt.Printf("ai_cost_total{model=\"claude-sonnet-4\"} %.5f\n", cost)
	fmt.Printf("ai_requests_total{model=\"claude-sonnet-4\",provider=\"anthropic\",outcome=\"ok\"} %v\n", reqs)
	fmt.Printf("ai_tokens_total{model=\"claude-sonnet-4\",token_type=\"cache_read\"} %v\n", cached)
	fmt.Printf("ai_unpriced_requests_total{model=\"my-llama\"} %v\n", unpriced)
	// Output:
	// my-llama priced: false
	// ai_cost_total{model="claude-sonnet-4"} 0.01185
	// ai_requests_total{model="claude-sonnet-4",provider="anthropic",outcome="ok"} 1
	// ai_tokens_total{model="claude-sonnet-4",token_type="cache_read"} 2000
	// ai_unpriced_requests_total{model="my-llama"} 1
}

// fakeChat stands for a provider client.
func fakeChat(ctx context.Context, prompt string) (text string, in, out int64, err error) {
	return "Paris.", 12, 3, nil
}

func ExampleAI_Start() {
	ctx := context.Background()
	kit, ai := newExampleAI(ctx)
	defer kit.Telemetry.Shutdown(ctx)

	ctx, call := ai.Start(ctx, ailabels.Request{
		Operation: ailabels.OperationChat,
		Provider:  ailabels.ProviderOpenAI,
		Model:     "gpt-4o-mini",
		Prompt:    "Capital of France?", // kept off the span unless WithContentCapture
	})
	text, in, out, err := fakeChat(ctx, "Capital of France?")
	call.SetCompletion(text)
	cost, err := call.End(ailabels.Usage{Model: "gpt-4o-mini-2024-07-18", InputTokens: in, OutputTokens: out}, err)
	if err != nil {
		panic(err)
	}

	span := kit.Spans()[0]
	fmt.Println(span.Name, span.SpanKind)
	for _, kv := range span.Attributes {
		fmt.Printf("%s=%s\n", kv.Key, kv.Value.String())
	}
	fmt.Printf("cost $%.7f\n", cost.USD)
	// Output:
	// chat gpt-4o-mini client
	// gen_ai.operation.name=chat
	// gen_ai.provider.name=openai
	// gen_ai.request.model=gpt-4o-mini
	// gen_ai.response.model=gpt-4o-mini-2024-07-18
	// gen_ai.usage.input_tokens=12
	// gen_ai.usage.output_tokens=3
	// ai.cost.usd=3.6e-06
	// ai.cost.priced=true
	// ai.pricing.as_of=2026-07-24
	// ai.pricing.entry=gpt-4o-mini-2024-07-18
	// ai.pricing.price_list=openai
	// cost $0.0000036
}
