package ailabels_test

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

func ExampleNormalizeModel() {
	for _, id := range []string{"gpt-4o-2024-08-06", "claude-sonnet-4-20250514", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "models/gemini-2.5-flash"} {
		label, _ := ailabels.NormalizeModel(id)
		fmt.Println(label)
	}
	// Output:
	// gpt-4o
	// claude-sonnet-4
	// claude-3-5-haiku
	// gemini-2.5-flash
}

func ExamplePricing_Cost() {
	p := ailabels.DefaultPricing()
	aug := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	for _, u := range []ailabels.Usage{
		// o3: reasoning is part of the output and billed once, as output.
		{Provider: ailabels.ProviderOpenAI, Model: "o3-2025-04-16", InputTokens: 1000, OutputTokens: 5000, ReasoningTokens: 4000, Time: aug},
		// The same model on Bedrock's global profile and on its US profile (+10 %).
		{Provider: ailabels.ProviderAWSBedrock, Model: "global.anthropic.claude-sonnet-4-6", InputTokens: 1_000_000, Time: aug},
		{Provider: ailabels.ProviderAWSBedrock, Model: "us.anthropic.claude-sonnet-4-6", InputTokens: 1_000_000, Time: aug},
		// Batch: half price.
		{Provider: ailabels.ProviderOpenAI, Model: "gpt-5.4", InputTokens: 1_000_000, ServiceTier: ailabels.ServiceTierBatch, Time: aug},
		// Claude Sonnet 5's introductory price ends on 2026-08-31.
		{Provider: ailabels.ProviderAnthropic, Model: "claude-sonnet-5", InputTokens: 1_000_000, Time: aug},
		{Provider: ailabels.ProviderAnthropic, Model: "claude-sonnet-5", InputTokens: 1_000_000, Time: aug.AddDate(0, 1, 0)},
		// A model of one's own: no guess.
		{Provider: "vllm", Model: "my-llama", InputTokens: 1000},
	} {
		c, err := p.Cost(u)
		fmt.Printf("%-18s %-38s $%.3f priced=%v %s %v\n", u.Provider, u.Model, c.USD, c.Priced, c.Unpriced, err)
	}
	// Output:
	// openai             o3-2025-04-16                          $0.042 priced=true  <nil>
	// aws.bedrock        global.anthropic.claude-sonnet-4-6     $3.000 priced=true  <nil>
	// aws.bedrock        us.anthropic.claude-sonnet-4-6         $3.300 priced=true  <nil>
	// openai             gpt-5.4                                $1.250 priced=true  <nil>
	// anthropic          claude-sonnet-5                        $2.000 priced=true  <nil>
	// anthropic          claude-sonnet-5                        $3.000 priced=true  <nil>
	// vllm               my-llama                               $0.000 priced=false unknown_model <nil>
}

func ExamplePricing_With() {
	p, err := ailabels.DefaultPricing().With("my-llama", ailabels.Price{Input: 0.2, Output: 0.6})
	if err != nil {
		panic(err)
	}
	c, _ := p.Cost(ailabels.Usage{Provider: "vllm", Model: "my-llama", InputTokens: 2_000_000, OutputTokens: 1_000_000})
	fmt.Printf("$%.2f\n", c.USD)
	// Output: $1.00
}

// Azure OpenAI reports the deployment's name: say which model, and which
// deployment type, each one is.
func ExamplePricing_WithDeployments() {
	p, err := ailabels.DefaultPricing().WithDeployments(ailabels.ProviderAzureOpenAI, map[string]string{
		"chat-prod": "eu/gpt-5.4",   // an EU Data Zone deployment: 10 % more
		"chat-dev":  "gpt-5.4-mini", // a Global Standard one
	})
	if err != nil {
		panic(err)
	}
	for _, d := range []string{"chat-prod", "chat-dev"} {
		c, _ := p.Cost(ailabels.Usage{Provider: ailabels.ProviderAzureOpenAI, Model: d, InputTokens: 1_000_000})
		fmt.Printf("%s: $%.2f as %s\n", d, c.USD, c.PricedAs)
	}
	// Output:
	// chat-prod: $2.75 as eu/gpt-5.4
	// chat-dev: $0.75 as gpt-5.4-mini
}

func ExampleLoadPricing() {
	// A company price list (negotiated prices), merged over the shipped table.
	own, err := ailabels.LoadPricing(strings.NewReader(`{
		"schema_version": 2, "as_of": "2026-11-01", "source": "our contract", "currency": "USD",
		"providers": {"openai": {"gpt-4o": {"input": 2.0, "cache_read": 1.0, "output": 8.0}}}}`))
	if err != nil {
		panic(err)
	}
	p := ailabels.DefaultPricing().Merge(own)
	c, _ := p.Cost(ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1_000_000, OutputTokens: 1_000_000})
	fmt.Println(c.USD, c.PricedAs, c.AsOf)
	// Output: 10 gpt-4o 2026-11-01
}

// A newer LiteLLM price list, read as it is published.
func ExampleLoadLiteLLM() {
	p, err := ailabels.LoadLiteLLM(strings.NewReader(`{
		"gpt-9": {"litellm_provider": "openai", "mode": "chat",
		          "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
		          "input_cost_per_token_batches": 1e-06, "output_cost_per_token_batches": 4e-06},
		"bedrock/us-gov-west-1/anthropic.claude-9-v1:0": {"litellm_provider": "bedrock", "mode": "chat",
		          "input_cost_per_token": 3.6e-06, "output_cost_per_token": 1.8e-05}}`))
	if err != nil {
		panic(err)
	}
	for _, e := range p.Entries() {
		fmt.Println(e.Provider(), e.Model(), e.Price(time.Time{}).Input)
	}
	c, _ := p.Cost(ailabels.Usage{Provider: "openai", Model: "gpt-9", InputTokens: 1_000_000, ServiceTier: ailabels.ServiceTierBatch})
	fmt.Printf("batch: $%.2f\n", c.USD)
	// Output:
	// aws.bedrock us-gov-west-1/anthropic.claude-9-v1:0 3.6
	// openai gpt-9 2
	// batch: $1.00
}

// TELEMETRY_PRICING_FILE names files to merge over the embedded table;
// metrics.NewAI reads it. A bad file leaves the embedded table in force.
func ExamplePricingFromEnv() {
	dir, _ := os.MkdirTemp("", "prices")
	defer os.RemoveAll(dir)
	good := filepath.Join(dir, "prices.json")
	_ = os.WriteFile(good, []byte(`{"as_of": "2026-11-01", "models": {"my-llama": {"input": 0.2, "output": 0.6}}}`), 0o600)
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"models": {"my-llama": {"input": -1, "output": 0.6}}}`), 0o600)

	os.Setenv(ailabels.PricingFileEnv, good)
	p, err := ailabels.PricingFromEnv()
	fmt.Println(p.AsOf(), err)

	os.Setenv(ailabels.PricingFileEnv, bad)
	p, err = ailabels.PricingFromEnv()
	fmt.Println(p.AsOf(), strings.ReplaceAll(err.Error(), dir, "DIR"))
	os.Unsetenv(ailabels.PricingFileEnv)
	// Output:
	// 2026-11-01 <nil>
	// 2026-07-24 TELEMETRY_PRICING_FILE: ailabels: invalid pricing: DIR/bad.json: entry "my-llama": input: -1: want a number from 0 to 1e6 (US dollars per million tokens)
}

// An Entry prices many calls of one model without a lookup or an
// allocation per call.
func ExampleEntry_Cost() {
	e := ailabels.DefaultPricing().Entry(ailabels.ProviderAnthropic, "claude-sonnet-4-5")
	for _, in := range []int64{100_000, 300_000} { // above 200k input tokens: the long-context prices
		c := e.Cost(ailabels.Usage{InputTokens: in, CacheWriteInputTokens: 10_000, CacheWrite1hInputTokens: 10_000, OutputTokens: 1000})
		fmt.Printf("%d input tokens: $%.4f\n", in, c.USD)
	}
	// Output:
	// 100000 input tokens: $0.3450
	// 300000 input tokens: $1.8825
}

// A Cost logs which price gave the figure.
func ExampleCost_LogValue() {
	c, _ := ailabels.DefaultPricing().Cost(ailabels.Usage{Provider: "openai", Model: "gpt-4o-mini", InputTokens: 10_000, OutputTokens: 500})
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	logger.Info("model call done", "cost", c)
	// Output: level=INFO msg="model call done" cost.usd=0.0018 cost.priced=true cost.priced_as=gpt-4o-mini cost.price_list=openai cost.as_of=2026-07-24
}
