package ailabels_test

import (
	"fmt"
	"strings"

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
	// o3: reasoning is part of the output and billed once, as output.
	c, err := p.Cost(ailabels.Usage{Model: "o3-2025-04-16", InputTokens: 1000, OutputTokens: 5000, ReasoningTokens: 4000})
	fmt.Printf("$%.3f %v %v\n", c.USD, c.Priced, err)
	// Unknown model: no guess.
	c, err = p.Cost(ailabels.Usage{Model: "my-llama", InputTokens: 1000})
	fmt.Printf("$%.3f %v %v\n", c.USD, c.Priced, err)
	// Output:
	// $0.042 true <nil>
	// $0.000 false <nil>
}

func ExamplePricing_With() {
	p, err := ailabels.DefaultPricing().With("my-llama", ailabels.Price{Input: 0.2, Output: 0.6})
	if err != nil {
		panic(err)
	}
	c, _ := p.Cost(ailabels.Usage{Model: "my-llama", InputTokens: 2_000_000, OutputTokens: 1_000_000})
	fmt.Printf("$%.2f\n", c.USD)
	// Output: $1.00
}

func ExampleLoadPricing() {
	// A company price list (negotiated prices), merged over the shipped table.
	own, err := ailabels.LoadPricing(strings.NewReader(`{
		"as_of": "2026-11-01", "source": "our contract", "currency": "USD",
		"models": {"gpt-4o": {"input": 2.0, "cache_read": 1.0, "output": 8.0}}}`))
	if err != nil {
		panic(err)
	}
	p := ailabels.DefaultPricing().Merge(own)
	price, entry, _ := p.Lookup("gpt-4o")
	fmt.Println(entry, price.Input, price.Output, p.AsOf())
	// Output: gpt-4o 2 8 2026-11-01
}
