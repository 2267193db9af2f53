package ailabels

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCostHandComputed checks the embedded table against figures worked
// out by hand from its entries (US dollars per million tokens), for the
// providers, tiers, service tiers, dates and cache types it expresses.
func TestCostHandComputed(t *testing.T) {
	p := DefaultPricing()
	at := day("2026-07-24") // the table's as_of
	tests := []struct {
		name     string
		u        Usage
		want     float64
		entry    string
		list     string
		retired  bool
		unpriced string
	}{
		{
			// 200 uncached x 2.50 + 1000 cached x 1.25 + 300 output x 10
			// = 500 + 1250 + 3000 = 4750 per million.
			name:  "openai cached input, dated snapshot",
			u:     Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300},
			want:  0.00475,
			entry: "gpt-4o-2024-08-06", list: "openai",
		},
		{
			name:  "no provider: the model maker's list",
			u:     Usage{Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300},
			want:  0.00475,
			entry: "gpt-4o-2024-08-06", list: "openai",
		},
		{
			// The May 2024 snapshot keeps its own price ($5/$15, a
			// decision in overrides.json), no cache price: cached at input.
			// 1200 x 5 + 300 x 15 = 10500 per million.
			name:  "snapshot with its own price, cache read at the input price",
			u:     Usage{Provider: "openai", Model: "gpt-4o-2024-05-13", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300},
			want:  0.0105,
			entry: "gpt-4o-2024-05-13", list: "openai",
		},
		{
			// Anthropic: input_tokens 500 + cache read 2000 + cache write 1000.
			// 500 x 3 + 2000 x 0.30 + 1000 x 3.75 + 400 x 15
			// = 1500 + 600 + 3750 + 6000 = 11850 per million.
			name:  "anthropic cache read and 5-minute write",
			u:     Usage{Provider: "anthropic", Model: "claude-sonnet-4-5", InputTokens: 3500, CachedInputTokens: 2000, CacheWriteInputTokens: 1000, OutputTokens: 400},
			want:  0.01185,
			entry: "claude-sonnet-4-5", list: "anthropic",
		},
		{
			// 6000 x 3 + 1000 x 0.30 + (3000 - 2000) x 3.75 + 2000 x 6 (1h: 2x input)
			// + 1000 x 15 = 18000 + 300 + 3750 + 12000 + 15000 = 49050 per million.
			name:  "one-hour cache writes",
			u:     Usage{Provider: "anthropic", Model: "claude-sonnet-4-5", InputTokens: 10000, CachedInputTokens: 1000, CacheWriteInputTokens: 3000, CacheWrite1hInputTokens: 2000, OutputTokens: 1000},
			want:  0.04905,
			entry: "claude-sonnet-4-5", list: "anthropic",
		},
		{
			// Above 200k input the whole call is at the tier's prices:
			// 250000 x 6 + 40000 x 0.60 + 10000 x 7.50 + 2000 x 22.50
			// = 1500000 + 24000 + 75000 + 45000 = 1644000 per million.
			name:  "input-size tier",
			u:     Usage{Provider: "anthropic", Model: "claude-sonnet-4-5", InputTokens: 300000, CachedInputTokens: 40000, CacheWriteInputTokens: 10000, OutputTokens: 2000},
			want:  1.644,
			entry: "claude-sonnet-4-5", list: "anthropic",
		},
		{
			// At the threshold (not above it) the base prices: 200000 x 3.
			name:  "at the threshold",
			u:     Usage{Provider: "anthropic", Model: "claude-sonnet-4-5", InputTokens: 200000},
			want:  0.6,
			entry: "claude-sonnet-4-5", list: "anthropic",
		},
		{
			// GPT-5.4 above 272k: 300000 x 5 + 1000 x 22.50 = 1522500.
			name:  "openai 272k tier",
			u:     Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 300000, OutputTokens: 1000},
			want:  1.5225,
			entry: "gpt-5.4", list: "openai",
		},
		{
			// Batch: 1M x 1.25 + 1M x 7.50 = 8.75.
			name:  "batch service tier",
			u:     Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 1e6, OutputTokens: 1e6, ServiceTier: ServiceTierBatch},
			want:  8.75,
			entry: "gpt-5.4", list: "openai",
		},
		{
			// Flex: 800000 x 1.25 + 200000 cached x 0.13 = 1026000.
			name:  "flex service tier with its own cache price",
			u:     Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 1e6, CachedInputTokens: 200000, ServiceTier: ServiceTierFlex},
			want:  1.026,
			entry: "gpt-5.4", list: "openai",
		},
		{
			// Priority: 100000 x 5 + 10000 x 30 = 800000; OpenAI's
			// "default" is the standard tier.
			name:  "priority service tier",
			u:     Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 100000, OutputTokens: 10000, ServiceTier: "Priority"},
			want:  0.8,
			entry: "gpt-5.4", list: "openai",
		},
		{
			name:  "default is standard",
			u:     Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 100000, OutputTokens: 10000, ServiceTier: "default"},
			want:  0.4, // 100000 x 2.50 + 10000 x 15 = 400000
			entry: "gpt-5.4", list: "openai",
		},
		{
			name:     "a service tier without a price is unpriced, not guessed",
			u:        Usage{Provider: "anthropic", Model: "claude-sonnet-4-5", InputTokens: 1000, ServiceTier: ServiceTierBatch},
			entry:    "claude-sonnet-4-5",
			list:     "anthropic",
			unpriced: UnpricedServiceTier,
		},
		{
			// Claude Sonnet 5's introductory $2/$10 through 2026-08-31:
			// 1M x 2 + 1M x 10 = 12.
			name:  "dated price: before the change",
			u:     Usage{Provider: "anthropic", Model: "claude-sonnet-5", InputTokens: 1e6, OutputTokens: 1e6, Time: day("2026-08-31").Add(23 * time.Hour)},
			want:  12,
			entry: "claude-sonnet-5", list: "anthropic",
		},
		{
			// From 2026-09-01 the standard $3/$15: 18.
			name:  "dated price: from the change on",
			u:     Usage{Provider: "anthropic", Model: "claude-sonnet-5", InputTokens: 1e6, OutputTokens: 1e6, Time: day("2026-09-01")},
			want:  18,
			entry: "claude-sonnet-5", list: "anthropic",
		},
		{
			// o3 cost $10/$40 before OpenAI's cut of 2025-06-10.
			name:  "dated price: an old call",
			u:     Usage{Provider: "openai", Model: "o3", InputTokens: 1e6, Time: day("2025-06-09")},
			want:  10,
			entry: "o3", list: "openai",
		},
		{
			// Reasoning is part of the output and billed once:
			// 1000 x 2 + 5000 x 8 = 42000 per million (not 74000).
			name:  "reasoning billed as output, once",
			u:     Usage{Provider: "openai", Model: "o3", InputTokens: 1000, OutputTokens: 5000, ReasoningTokens: 4000, Time: at},
			want:  0.042,
			entry: "o3", list: "openai",
		},
		{
			name:  "an explicitly free model is priced at 0",
			u:     Usage{Provider: "gcp.gemini", Model: "gemma-3-27b-it", InputTokens: 1e6, CachedInputTokens: 1000, OutputTokens: 1e6},
			want:  0,
			entry: "gemma-3-27b-it", list: "gcp.gemini",
		},
		{
			// Bedrock: the commercial price, GovCloud +20 %, a region the
			// references do not list separately priced as the id alone.
			name:  "bedrock in-region id",
			u:     Usage{Provider: "aws.bedrock", Model: "anthropic.claude-3-7-sonnet-20250219-v1:0", InputTokens: 1e6},
			want:  3,
			entry: "anthropic.claude-3-7-sonnet-20250219-v1:0", list: "aws.bedrock",
		},
		{
			name:  "bedrock GovCloud",
			u:     Usage{Provider: "aws.bedrock", Model: "us-gov-west-1/anthropic.claude-3-7-sonnet-20250219-v1:0", InputTokens: 1e6},
			want:  3.6,
			entry: "us-gov-west-1/anthropic.claude-3-7-sonnet-20250219-v1:0", list: "aws.bedrock",
		},
		{
			name:  "bedrock region priced like the id alone",
			u:     Usage{Provider: "aws.bedrock", Model: "eu-central-1/anthropic.claude-3-7-sonnet-20250219-v1:0", InputTokens: 1e6},
			want:  3,
			entry: "anthropic.claude-3-7-sonnet-20250219-v1:0", list: "aws.bedrock",
		},
		{
			name:  "bedrock regional profile +10 %",
			u:     Usage{Provider: "aws.bedrock", Model: "us.anthropic.claude-sonnet-4-6", InputTokens: 1e6},
			want:  3.3,
			entry: "us.anthropic.claude-sonnet-4-6", list: "aws.bedrock",
		},
		{
			name:  "bedrock global profile",
			u:     Usage{Provider: "bedrock", Model: "global.anthropic.claude-sonnet-4-6", InputTokens: 1e6},
			want:  3,
			entry: "global.anthropic.claude-sonnet-4-6", list: "aws.bedrock",
		},
		{
			name:  "azure data zone deployment +10 %",
			u:     Usage{Provider: "azure.ai.openai", Model: "eu/gpt-5.4", InputTokens: 1e6},
			want:  2.75,
			entry: "eu/gpt-5.4", list: "azure.ai.openai",
		},
		{
			// Azure's list does not name it; genai-prices says Azure
			// charges OpenAI's price for the models it does not list.
			name:  "azure falls back to the first-party list",
			u:     Usage{Provider: "azure.ai.openai", Model: "chatgpt-4o-latest", InputTokens: 1e6},
			want:  5,
			entry: "chatgpt-4o-latest", list: "openai",
		},
		{
			// Vertex AI's lists have no Claude 2; Anthropic's does ($8).
			name:  "vertex falls back to anthropic",
			u:     Usage{Provider: "gcp.vertex_ai", Model: "claude-2.1", InputTokens: 1e6},
			want:  8,
			entry: "claude-2", list: "anthropic",
		},
		{
			name:  "vertex id with @",
			u:     Usage{Provider: "gcp.vertex_ai", Model: "claude-sonnet-4-5@20250929", InputTokens: 100000},
			want:  0.3,
			entry: "claude-sonnet-4-5@20250929", list: "gcp.vertex_ai",
		},
		{
			name:  "google, API not known: the Gemini API's list",
			u:     Usage{Provider: "gcp.gen_ai", Model: "models/gemini-2.5-pro", InputTokens: 100000},
			want:  0.125,
			entry: "gemini-2.5-pro", list: "gcp.gemini",
		},
		{
			name:     "bedrock does not fall back",
			u:        Usage{Provider: "aws.bedrock", Model: "gpt-4o", InputTokens: 1e6},
			unpriced: UnpricedModel,
		},
		{
			name:     "an unknown provider is not priced by guess",
			u:        Usage{Provider: "vllm", Model: "gpt-4o", InputTokens: 1e6},
			unpriced: UnpricedModel,
		},
		{
			// A fine-tuned model is priced at its base's fine-tuning price.
			name:  "fine-tuned model",
			u:     Usage{Provider: "openai", Model: "ft:gpt-4o-mini-2024-07-18:my-org:custom:abc123", InputTokens: 1e6},
			want:  0.3,
			entry: "ft:gpt-4o-mini-2024-07-18", list: "openai",
		},
		{
			name:  "retired after its retirement date, still priced",
			u:     Usage{Provider: "azure.ai.openai", Model: "gpt-4o-2024-08-06", InputTokens: 1e6, Time: day("2026-03-01")},
			want:  2.5,
			entry: "gpt-4o-2024-08-06", list: "azure.ai.openai", retired: true,
		},
		{
			name:  "not retired before it",
			u:     Usage{Provider: "azure.ai.openai", Model: "gpt-4o-2024-08-06", InputTokens: 1e6, Time: day("2026-01-01")},
			want:  2.5,
			entry: "gpt-4o-2024-08-06", list: "azure.ai.openai",
		},
		{
			// Old traffic: an alias only genai-prices' rules price.
			name:  "alias priced by a rule",
			u:     Usage{Provider: "anthropic", Model: "claude-3-5-haiku-latest", InputTokens: 1e6},
			want:  0.8,
			entry: "claude-3-5-haiku-latest", list: "anthropic",
		},
		{
			name:  "zero tokens",
			u:     Usage{Provider: "openai", Model: "gpt-4o-mini"},
			entry: "gpt-4o-mini", list: "openai",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.u.Time.IsZero() {
				tt.u.Time = at
			}
			c, err := p.Cost(tt.u)
			if err != nil {
				t.Fatal(err)
			}
			want := Cost{USD: tt.want, Priced: tt.unpriced == "", PricedAs: tt.entry, PriceList: tt.list, AsOf: "2026-07-24", Retired: tt.retired, Unpriced: tt.unpriced}
			if !near(c.USD, want.USD) {
				t.Errorf("USD = %v, want %v (%+v)", c.USD, want.USD, c)
			}
			c.USD = want.USD
			if c != want {
				t.Errorf("Cost = %+v\n want %+v", c, want)
			}
		})
	}
}

// A table of one's own, with every feature, worked out by hand.
const handTable = `{"schema_version": 2, "as_of": "2026-01-02", "currency": "USD", "unit": "per 1M tokens",
 "models": {"free-llm": {"input": 0, "output": 0, "cache_read": 0}},
 "providers": {
  "openai": {
   "m": {"input": 1, "output": 4, "cache_read": 0.1,
         "tiers": [{"above_input_tokens": 500000, "input": 3, "output": 6},
                   {"above_input_tokens": 100000, "input": 2, "cache_read": 0.2}],
         "batch": {"input": 0.5, "output": 2},
         "priority": {"input": 2, "output": 8, "cache_read": 0.3, "tiers": [{"above_input_tokens": 100000, "input": 4}]},
         "changes": [{"from": "2026-03-01", "input": 1.5, "output": 5},
                     {"from": "2026-06-01", "input": 0.5, "output": 2, "cache_read": 0}]},
   "zero-cache": {"input": 2, "output": 3, "cache_read": 0, "cache_write": 0}
  },
  "anthropic": {"c": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}}
 },
 "rules": {"anthropic": [{"name": "c-family", "match": {"or": [{"starts_with": "c-"}, {"regex": "^c[0-9]+$"}]}, "input": 1, "output": 1}]},
 "deployments": {"azure.ai.openai": {"prod": "m"}},
 "fallbacks": {"azure.ai.openai": ["openai"]}}`

func TestCostOfOwnTable(t *testing.T) {
	p, err := LoadPricing(strings.NewReader(handTable))
	if err != nil {
		t.Fatal(err)
	}
	jan, mar, jun := day("2026-01-15"), day("2026-03-01"), day("2026-06-01")
	tests := []struct {
		name string
		u    Usage
		want float64
		ok   bool
	}{
		// Base: 50000 x 1 + 50000 x 0.1 (cached) + 1000 x 4 = 50000 + 5000 + 4000.
		{"base", Usage{Provider: "openai", Model: "m", InputTokens: 100000, CachedInputTokens: 50000, OutputTokens: 1000, Time: jan}, 0.059, true},
		// Above 100k: the tier states input and cache read, output is the base's:
		// 100001 x 2 ... use 150000: 100000 x 2 + 50000 x 0.2 + 1000 x 4 = 200000 + 10000 + 4000.
		{"first tier", Usage{Provider: "openai", Model: "m", InputTokens: 150000, CachedInputTokens: 50000, OutputTokens: 1000, Time: jan}, 0.214, true},
		// Above 500k (tiers sorted): input 3, output 6, cache read the base's 0.1:
		// 550000 x 3 + 50000 x 0.1 + 1000 x 6 = 1650000 + 5000 + 6000.
		{"second tier keeps the base's cache price", Usage{Provider: "openai", Model: "m", InputTokens: 600000, CachedInputTokens: 50000, OutputTokens: 1000, Time: jan}, 1.661, true},
		// Cache writes without a price are input: 1000 x 1 (500 written).
		{"cache write at input", Usage{Provider: "openai", Model: "m", InputTokens: 1000, CacheWriteInputTokens: 500, Time: jan}, 0.001, true},
		// One-hour writes without their price are at the cache-write price
		// (here input): 1000 x 1.
		{"1h write at the cache-write price", Usage{Provider: "openai", Model: "m", InputTokens: 1000, CacheWriteInputTokens: 500, CacheWrite1hInputTokens: 500, Time: jan}, 0.001, true},
		// Batch: 1000 x 0.5 (its cache read defaults to its input) + 1000 x 2.
		{"batch, cache at its own input", Usage{Provider: "openai", Model: "m", InputTokens: 1000, CachedInputTokens: 500, OutputTokens: 1000, ServiceTier: "batch", Time: jan}, 0.0025, true},
		// Priority above 100k: input 4, cache read 0.3, output 8:
		// 100000 x 4 + 100000 x 0.3 + 1000 x 8 = 400000 + 30000 + 8000.
		{"priority with a tier", Usage{Provider: "openai", Model: "m", InputTokens: 200000, CachedInputTokens: 100000, OutputTokens: 1000, ServiceTier: "priority", Time: jan}, 0.438, true},
		{"flex not offered", Usage{Provider: "openai", Model: "m", InputTokens: 1000, ServiceTier: "flex", Time: jan}, 0, false},
		// From 2026-03-01: 1.5 / 5, no cache price: cached at input.
		// 1000 x 1.5 + 1000 x 5.
		{"changed price", Usage{Provider: "openai", Model: "m", InputTokens: 1000, CachedInputTokens: 500, OutputTokens: 1000, Time: mar}, 0.0065, true},
		// A change has its own service tiers: none here.
		{"changed price has no batch", Usage{Provider: "openai", Model: "m", InputTokens: 1000, ServiceTier: "batch", Time: mar}, 0, false},
		// From 2026-06-01: cache reads free: 500 x 0.5 + 500 x 0 + 1000 x 2.
		{"explicit zero cache price", Usage{Provider: "openai", Model: "m", InputTokens: 1000, CachedInputTokens: 500, OutputTokens: 1000, Time: jun}, 0.00225, true},
		{"zero cache and write prices", Usage{Provider: "openai", Model: "zero-cache", InputTokens: 1000, CachedInputTokens: 300, CacheWriteInputTokens: 200, Time: jan}, 0.001, true},
		{"free for every provider", Usage{Provider: "vllm", Model: "free-llm", InputTokens: 1e6, CachedInputTokens: 1e5, OutputTokens: 1e6}, 0, true},
		{"rule", Usage{Provider: "anthropic", Model: "c-9", InputTokens: 1e6}, 1, true},
		{"regex rule", Usage{Provider: "anthropic", Model: "C42", InputTokens: 1e6}, 1, true},
		{"exact beats rule", Usage{Provider: "anthropic", Model: "c", InputTokens: 1e6}, 3, true},
		{"deployment", Usage{Provider: "azure.ai.openai", Model: "prod", InputTokens: 1000, Time: jan}, 0.001, true},
		{"fallback", Usage{Provider: "azure.ai.openai", Model: "m", InputTokens: 1000, Time: jan}, 0.001, true},
		{"no fallback for anthropic", Usage{Provider: "anthropic", Model: "m", InputTokens: 1000, Time: jan}, 0, false},
	}
	for _, tt := range tests {
		c, err := p.Cost(tt.u)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.Priced != tt.ok || !near(c.USD, tt.want) {
			t.Errorf("%s: %+v, want %v priced %v", tt.name, c, tt.want, tt.ok)
		}
	}
	// The price in force, and Entry's view of it.
	e := p.Entry("openai", "M")
	if e == nil || e.Provider() != "openai" || e.Model() != "m" || e.Rule() || len(e.Prices()) != 3 || e.AsOf() != "2026-01-02" {
		t.Fatalf("Entry = %+v", e)
	}
	if pr := e.Price(mar.Add(time.Hour)); pr.Input != 1.5 || pr.CacheRead != nil {
		t.Errorf("price in March: %+v", pr)
	}
	e.Prices()[0].Price.Tiers[0].Input = USD(99) // a copy: the table is not changed
	if c, _ := p.Cost(Usage{Provider: "openai", Model: "m", InputTokens: 150000, Time: jan}); !near(c.USD, 0.3) {
		t.Errorf("the table changed through Prices: %+v", c)
	}
	if r := p.Entry("anthropic", "c-1"); r == nil || !r.Rule() || r.Model() != "c-family" || !r.Matches("c-77") || r.Matches("d") {
		t.Errorf("rule entry %+v", r)
	}
}

func TestUsageValidate(t *testing.T) {
	bad := []Usage{
		{InputTokens: -1},
		{OutputTokens: -1},
		{InputTokens: 10, CachedInputTokens: -1},
		{InputTokens: 10, CacheWriteInputTokens: -1},
		{InputTokens: 10, CacheWriteInputTokens: 5, CacheWrite1hInputTokens: -1},
		{InputTokens: 10, CacheWriteInputTokens: 5, CacheWrite1hInputTokens: 6},
		{OutputTokens: 10, ReasoningTokens: -1},
		{InputTokens: 10, CachedInputTokens: 11},
		{InputTokens: 10, CacheWriteInputTokens: 11},
		{InputTokens: 10, CachedInputTokens: 6, CacheWriteInputTokens: 5},
		{OutputTokens: 10, ReasoningTokens: 11},
		{InputTokens: math.MaxInt64, CachedInputTokens: math.MaxInt64, CacheWriteInputTokens: 1},
		{InputTokens: 1, ServiceTier: "scale"},
		{InputTokens: 1, ServiceTier: "auto"},
	}
	p := DefaultPricing()
	for _, u := range bad {
		u.Model = "gpt-4o"
		if err := u.Validate(); !errors.Is(err, ErrInvalidUsage) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidUsage", u, err)
		}
		if c, err := p.Cost(u); !errors.Is(err, ErrInvalidUsage) || c != (Cost{}) {
			t.Errorf("Cost(%+v) = %+v, %v; want ErrInvalidUsage and a zero Cost", u, c, err)
		}
	}
	if err := (Usage{ServiceTier: ServiceTier(strings.Repeat("x", 200))}).Validate(); err == nil || len(err.Error()) > 200 {
		t.Errorf("a long service tier: %v", err)
	}
	ok := Usage{InputTokens: 10, CachedInputTokens: 5, CacheWriteInputTokens: 5, CacheWrite1hInputTokens: 5, OutputTokens: 3, ReasoningTokens: 3, ServiceTier: "Flex"}
	if err := ok.Validate(); err != nil {
		t.Errorf("Validate(%+v) = %v", ok, err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = ok.Validate() }); n != 0 {
		t.Errorf("Validate allocates %v times", n)
	}
	huge := Usage{Model: "gpt-4o", InputTokens: MaxTokens, OutputTokens: MaxTokens}
	c, err := p.Cost(huge)
	if err != nil || math.IsInf(c.USD, 0) || math.IsNaN(c.USD) {
		t.Errorf("usage at the bound: %+v, %v; want a finite cost", c, err)
	}
}

func TestUsageValidateBoundsTokens(t *testing.T) {
	for _, u := range []Usage{
		{InputTokens: MaxTokens + 1},
		{OutputTokens: math.MaxInt64},
	} {
		if err := u.Validate(); !errors.Is(err, ErrInvalidUsage) {
			t.Errorf("Validate(%+v) = %v; want ErrInvalidUsage", u, err)
		}
	}
	if err := (Usage{InputTokens: MaxTokens, CachedInputTokens: MaxTokens, OutputTokens: MaxTokens, ReasoningTokens: MaxTokens}).Validate(); err != nil {
		t.Errorf("counts at the bound: %v", err)
	}
}

// Entry.Cost is what metrics.AI.Record calls per event: no allocation,
// dated entries (which read the clock) included.
func TestEntryCostDoesNotAllocate(t *testing.T) {
	p := DefaultPricing()
	for _, c := range []struct{ provider, model string }{{"openai", "gpt-4o-2024-08-06"}, {"anthropic", "claude-sonnet-5"}, {"openai", "gpt-5.4"}} {
		e := p.Entry(c.provider, c.model)
		if e == nil {
			t.Fatalf("%s/%s not priced", c.provider, c.model)
		}
		u := Usage{InputTokens: 300000, CachedInputTokens: 1000, CacheWriteInputTokens: 100, CacheWrite1hInputTokens: 50, OutputTokens: 30, ServiceTier: "priority"}
		if n := testing.AllocsPerRun(100, func() { _ = e.Cost(u) }); n != 0 {
			t.Errorf("%s: Entry.Cost allocates %v times", c.model, n)
		}
	}
	var nilEntry *Entry
	if c := nilEntry.Cost(Usage{InputTokens: 1}); c.Priced || c.Unpriced != UnpricedModel {
		t.Errorf("nil Entry: %+v", c)
	}
}

func TestDefaultPricingIsStampedAndShared(t *testing.T) {
	p := DefaultPricing()
	if p != DefaultPricing() {
		t.Error("DefaultPricing parses the table on every call")
	}
	if p.AsOf() != "2026-07-24" || p.Source() == "" || len(p.Sources()) != 2 {
		t.Errorf("as_of %q, source %q, sources %v", p.AsOf(), p.Source(), p.Sources())
	}
	if got := p.AsOfTime(); !got.Equal(day("2026-07-24")) {
		t.Errorf("AsOfTime = %v", got)
	}
	for _, e := range p.Entries() {
		if e.Rule() {
			continue
		}
		if got := p.Entry(e.Provider(), e.Model()); got != e {
			t.Errorf("entry %s/%s not found by its own id (found %v)", e.Provider(), e.Model(), got)
		}
	}
	if n := len(p.Models()); n < 800 {
		t.Errorf("%d model ids, want the whole generated table", n)
	}
	if fb := p.Fallbacks("azure"); len(fb) != 2 || fb[0] != ProviderOpenAI {
		t.Errorf("Fallbacks(azure) = %v", fb)
	}
	var nilP *Pricing
	if nilP.Entry("openai", "gpt-4o") != nil || nilP.AsOf() != "" || nilP.Entries() != nil {
		t.Error("a nil Pricing priced something")
	}
	if c, err := nilP.Cost(Usage{Model: "gpt-4o", InputTokens: 1}); err != nil || c.Priced {
		t.Errorf("nil Pricing: %+v, %v", c, err)
	}
}

func TestPricingWithAndMerge(t *testing.T) {
	base := DefaultPricing()
	q, err := base.With("My-Model", Price{Input: 1, Output: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := base.Lookup("my-model"); ok {
		t.Error("With changed the original table")
	}
	// An entry for every provider: an unknown one too.
	c, err := q.Cost(Usage{Provider: "vllm", Model: "my-model", InputTokens: 1e6, OutputTokens: 1e6})
	if err != nil || !c.Priced || !near(c.USD, 3) || c.PriceList != "" {
		t.Errorf("Cost = %+v, %v; want 3 USD on any provider", c, err)
	}
	// With wins over every provider's entry for that id.
	q2, err := base.With("gpt-4o", Price{Input: 1, Output: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, prov := range []string{"openai", "azure.ai.openai", ""} {
		if c, _ := q2.Cost(Usage{Provider: prov, Model: "gpt-4o", InputTokens: 1e6}); !near(c.USD, 1) {
			t.Errorf("%q: overridden gpt-4o cost = %v, want 1", prov, c.USD)
		}
	}
	// WithProvider: that provider only.
	q3, err := base.WithProvider("bedrock", "anthropic.claude-3-7-sonnet-20250219-v1:0", Price{Input: 2, Output: 10})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := q3.Cost(Usage{Provider: "aws.bedrock", Model: "anthropic.claude-3-7-sonnet-20250219-v1:0", InputTokens: 1e6}); !near(c.USD, 2) {
		t.Errorf("WithProvider: %+v", c)
	}
	if c, _ := q3.Cost(Usage{Provider: "anthropic", Model: "claude-3-7-sonnet-20250219", InputTokens: 1e6}); !near(c.USD, 3) {
		t.Errorf("WithProvider changed another provider: %+v", c)
	}
	if _, err := base.WithProvider("", "x", Price{}); !errors.Is(err, ErrInvalidPricing) {
		t.Errorf("WithProvider(empty provider) = %v", err)
	}
	for _, bad := range []Price{
		{Input: -1}, {Output: math.NaN()}, {CacheRead: USD(math.Inf(1))}, {CacheWrite: USD(2e6)}, {CacheWrite1h: USD(-1)},
		{Input: 1, Tiers: []Tier{{AboveInputTokens: 0, Input: USD(2)}}},
		{Input: 1, Tiers: []Tier{{AboveInputTokens: 10, Input: USD(2)}, {AboveInputTokens: 10, Input: USD(3)}}},
		{Input: 1, Tiers: []Tier{{AboveInputTokens: 10, Output: USD(-2)}}},
		{Input: 1, Batch: &ServicePrice{Input: -1}},
		{Input: 1, Priority: &ServicePrice{Input: 1, Tiers: []Tier{{AboveInputTokens: 5, CacheRead: USD(math.NaN())}}}},
	} {
		_, err := base.With("x", bad)
		var pe *PricingError
		if !errors.Is(err, ErrInvalidPricing) || !errors.As(err, &pe) || pe.Entry != "x" || pe.Field == "" {
			t.Errorf("With(%+v) error = %v, want a PricingError naming the entry and field", bad, err)
		}
	}
	if _, err := base.With("  ", Price{}); !errors.Is(err, ErrInvalidPricing) {
		t.Errorf("With(empty id) error = %v", err)
	}
	m := base.Merge(q2)
	if pr, _, _ := m.Lookup("gpt-4o"); pr.Input != 1 {
		t.Errorf("Merge: gpt-4o input = %v, want 1 (the second table wins)", pr.Input)
	}
	if pr, _, _ := m.Lookup("o3"); pr.Input != 2 {
		t.Errorf("Merge lost o3: %+v", pr)
	}
	if base.Merge(nil).AsOf() != base.AsOf() {
		t.Error("Merge(nil) lost the date")
	}
	dated, err := base.WithAsOf("2027-01-02")
	if err != nil || dated.AsOf() != "2027-01-02" || base.AsOf() != "2026-07-24" {
		t.Errorf("WithAsOf: %v, %v", dated.AsOf(), err)
	}
	if _, err := base.WithAsOf("yesterday"); !errors.Is(err, ErrInvalidPricing) {
		t.Errorf("WithAsOf(bad) = %v", err)
	}
}

func TestWithDeployments(t *testing.T) {
	base := DefaultPricing()
	p, err := base.WithDeployments(ProviderAzureOpenAI, map[string]string{"Chat-Prod": "eu/gpt-5.4", "chat-dev": "gpt-5.4-mini"})
	if err != nil {
		t.Fatal(err)
	}
	// eu/gpt-5.4: 1M x 2.75; gpt-5.4-mini: 1M x 0.75.
	for _, c := range []struct {
		model string
		want  float64
		entry string
	}{{"chat-prod", 2.75, "eu/gpt-5.4"}, {"chat-dev", 0.75, "gpt-5.4-mini"}} {
		got, _ := p.Cost(Usage{Provider: "azure", Model: c.model, InputTokens: 1e6})
		if !got.Priced || !near(got.USD, c.want) || got.PricedAs != c.entry {
			t.Errorf("%s: %+v, want %v as %s", c.model, got, c.want, c.entry)
		}
	}
	if c, _ := p.Cost(Usage{Provider: "openai", Model: "chat-prod", InputTokens: 1}); c.Priced {
		t.Error("a deployment name priced on another provider")
	}
	_, err = base.WithDeployments(ProviderAzureOpenAI, map[string]string{"x": "no-such-model"})
	var pe *PricingError
	if !errors.As(err, &pe) || pe.Entry != "azure.ai.openai/x" || !strings.Contains(err.Error(), "no-such-model") {
		t.Errorf("unknown target: %v", err)
	}
}

func TestLoadPricingFormats(t *testing.T) {
	// Version 1, the 2025 table's format: a zero cache price meant the
	// input price; long_context replaced every price above the threshold.
	v1 := `{"as_of":"2025-10-15","source":"ours","currency":"USD","unit":"per 1M tokens","models":{
		"Local-Llama":{"input":0.1,"output":0.2,"cache_read":0},
		"g":{"input":1,"output":10,"cache_read":0.25,"long_context_threshold":200000,"long_context":{"input":2,"output":15}}}}`
	p, err := LoadPricing(strings.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if p.AsOf() != "2025-10-15" || p.Source() != "ours" || len(p.Models()) != 2 {
		t.Errorf("loaded %q %q %v", p.AsOf(), p.Source(), p.Models())
	}
	// 1M x 0.1 (the cached half at input: v1's zero) + 1M x 0.2.
	if c, _ := p.Cost(Usage{Model: "local-llama", InputTokens: 1e6, CachedInputTokens: 5e5, OutputTokens: 1e6}); !near(c.USD, 0.3) {
		t.Errorf("v1 zero cache price: %v", c.USD)
	}
	// Long context: 240000 x 2 + 10000 x 2 (its cache at its input) + 1000 x 15.
	if c, _ := p.Cost(Usage{Model: "g", InputTokens: 250000, CachedInputTokens: 10000, OutputTokens: 1000}); !near(c.USD, 0.515) {
		t.Errorf("v1 long context: %v", c.USD)
	}

	for name, bad := range map[string]string{
		"not json":         `{`,
		"unknown field":    `{"models":{"x":{"input":1,"cached":1}}}`,
		"negative price":   `{"models":{"x":{"input":-1}}}`,
		"other currency":   `{"currency":"EUR","models":{}}`,
		"per token":        `{"unit":"per token","models":{}}`,
		"newer schema":     `{"schema_version":3}`,
		"bad date":         `{"as_of":"15/10/2025"}`,
		"empty id":         `{"models":{"":{"input":1}}}`,
		"string price":     `{"models":{"x":{"input":"1"}}}`,
		"bad change date":  `{"providers":{"openai":{"x":{"input":1,"changes":[{"from":"soon","input":2}]}}}}`,
		"dates not rising": `{"providers":{"openai":{"x":{"input":1,"changes":[{"from":"2026-02-01","input":2},{"from":"2026-01-01","input":3}]}}}}`,
		"bad rule":         `{"rules":{"openai":[{"name":"r","match":{"like":"x"},"input":1}]}}`,
		"bad regex":        `{"rules":{"openai":[{"name":"r","match":{"regex":"("},"input":1}]}}`,
		"bad retires":      `{"models":{"x":{"input":1,"retires":"never"}}}`,
		"v1 lc no thresh":  `{"models":{"x":{"input":1,"long_context":{"input":2}}}}`,
	} {
		if _, err := LoadPricing(strings.NewReader(bad)); !errors.Is(err, ErrInvalidPricing) {
			t.Errorf("%s: error = %v, want ErrInvalidPricing", name, err)
		}
	}
	// A bad entry is named, with its field.
	_, err = LoadPricing(strings.NewReader(`{"providers":{"anthropic":{"claude-x":{"input":1,"tiers":[{"above_input_tokens":10,"cache_read":-5}]}}}}`))
	var pe *PricingError
	if !errors.As(err, &pe) || pe.Entry != "anthropic/claude-x" || pe.Field != "tiers[0].cache_read" {
		t.Errorf("error %v: want entry anthropic/claude-x, field tiers[0].cache_read", err)
	}
}

// WriteJSON writes what LoadPricing reads back, the same entries and the
// same bytes again.
func TestWriteJSONRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := DefaultPricing().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), defaultPricingJSON) {
		t.Error("WriteJSON of the embedded table differs from pricing.json")
	}
	own, err := LoadPricing(strings.NewReader(handTable))
	if err != nil {
		t.Fatal(err)
	}
	var b1, b2 bytes.Buffer
	if err := own.WriteJSON(&b1); err != nil {
		t.Fatal(err)
	}
	again, err := LoadPricing(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b1.String())
	}
	if err := again.WriteJSON(&b2); err != nil || b1.String() != b2.String() {
		t.Errorf("not stable: %v\n%s\n%s", err, b1.String(), b2.String())
	}
	if len(again.Entries()) != len(own.Entries()) {
		t.Errorf("%d entries, want %d", len(again.Entries()), len(own.Entries()))
	}
	var empty bytes.Buffer
	if err := (&Pricing{}).finish().WriteJSON(&empty); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPricing(&empty); err != nil {
		t.Errorf("an empty table's JSON does not load: %v\n%s", err, empty.String())
	}
}

const liteLLMSample = `{
 "sample_spec": {"input_cost_per_token": 0, "litellm_provider": "one of ...", "mode": "one of ..."},
 "last_updated": "2026-07-24T18:23:43Z",
 "gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
   "cache_read_input_token_cost": 2.5e-07, "input_cost_per_token_above_272k_tokens": 5e-06,
   "output_cost_per_token_above_272k_tokens": 1.5e-05, "cache_read_input_token_cost_above_128k_tokens": 5e-07,
   "input_cost_per_token_batches": 1.25e-06, "output_cost_per_token_batches": 5e-06,
   "input_cost_per_token_priority": 5e-06, "deprecation_date": "2027-01-01"},
 "bedrock/us-gov-west-1/anthropic.claude-y-v1:0": {"litellm_provider": "bedrock", "mode": "chat", "input_cost_per_token": 3.6e-06,
   "output_cost_per_token": 1.8e-05, "cache_creation_input_token_cost": 4.5e-06, "cache_creation_input_token_cost_above_1hr": 7.2e-06},
 "azure/eu/gpt-x": {"litellm_provider": "azure", "mode": "chat", "input_cost_per_token": 2.75e-06, "output_cost_per_token": 1.1e-05},
 "gemini-e": {"litellm_provider": "vertex_ai-embedding-models", "mode": "embedding", "input_cost_per_token": 1.5e-07},
 "gemini/gemini-z": {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 3e-07, "output_cost_per_token": 2.5e-06},
 "gemini-z": {"litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
 "dall-e-9": {"litellm_provider": "openai", "mode": "image_generation", "input_cost_per_token": 1e-06},
 "free-chat": {"litellm_provider": "openrouter", "mode": "chat", "input_cost_per_token": 0, "output_cost_per_token": 0}
}`

func TestLoadLiteLLM(t *testing.T) {
	p, err := LoadLiteLLM(strings.NewReader(liteLLMSample))
	if err != nil {
		t.Fatal(err)
	}
	if p.AsOf() != "2026-07-24" {
		t.Errorf("as_of %q", p.AsOf())
	}
	tests := []struct {
		name string
		u    Usage
		want float64
		ok   bool
	}{
		// 100000 x 2.50 + 100000 x 10.
		{"per-token prices per million", Usage{Provider: "openai", Model: "gpt-x", InputTokens: 1e5, OutputTokens: 1e5}, 1.25, true},
		// Above 272k: input 5, output 15, and the cache read of the 128k
		// threshold carried forward (0.5): 200000 x 5 + 100000 x 0.5 + 1000 x 15.
		{"per-field thresholds", Usage{Provider: "openai", Model: "gpt-x", InputTokens: 300000, CachedInputTokens: 100000, OutputTokens: 1000}, 1.065, true},
		// Above 128k only the cache read changes: 100000 x 2.5 + 100000 x 0.5.
		{"lower threshold", Usage{Provider: "openai", Model: "gpt-x", InputTokens: 200000, CachedInputTokens: 100000}, 0.3, true},
		{"batch", Usage{Provider: "openai", Model: "gpt-x", InputTokens: 1e6, OutputTokens: 1e6, ServiceTier: "batch"}, 6.25, true},
		{"priority without an output price is not offered", Usage{Provider: "openai", Model: "gpt-x", InputTokens: 1, ServiceTier: "priority"}, 0, false},
		// GovCloud: 1000 x 3.6 + 500 x 4.5 + 500 x 7.2 (1h) ... of 2000 input:
		// 1000 uncached x 3.6 + 500 x 4.5 + 500 x 7.2 = 3600 + 2250 + 3600.
		{"bedrock region id", Usage{Provider: "aws.bedrock", Model: "us-gov-west-1/anthropic.claude-y-v1:0", InputTokens: 2000, CacheWriteInputTokens: 1000, CacheWrite1hInputTokens: 500}, 0.00945, true},
		{"azure data zone id", Usage{Provider: "azure.ai.openai", Model: "eu/gpt-x", InputTokens: 1e6}, 2.75, true},
		{"vertex_ai-* providers are vertex", Usage{Provider: "gcp.vertex_ai", Model: "gemini-e", InputTokens: 1e6}, 0.15, true},
		{"the prefixed key wins", Usage{Provider: "gcp.gemini", Model: "gemini-z", InputTokens: 1e6}, 0.3, true},
		{"other modes are not read", Usage{Provider: "openai", Model: "dall-e-9", InputTokens: 1e6}, 0, false},
		{"other providers keep LiteLLM's name", Usage{Provider: "openrouter", Model: "free-chat", InputTokens: 1e6}, 0, true},
	}
	for _, tt := range tests {
		c, err := p.Cost(tt.u)
		if err != nil {
			t.Fatal(err)
		}
		if c.Priced != tt.ok || !near(c.USD, tt.want) {
			t.Errorf("%s: %+v, want %v priced %v", tt.name, c, tt.want, tt.ok)
		}
	}
	e := p.Entry("openai", "gpt-x")
	if !e.Retires().Equal(day("2027-01-01")) || e.Source() != "litellm:gpt-x" {
		t.Errorf("retires %v source %q", e.Retires(), e.Source())
	}

	_, err = LoadLiteLLM(strings.NewReader(`{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "cheap"},
		"n": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": -1}}`))
	var pe *PricingError
	if !errors.As(err, &pe) || pe.Entry != "m" || pe.Field != "input_cost_per_token" || !strings.Contains(err.Error(), `entry "n": output_cost_per_token`) {
		t.Errorf("bad LiteLLM entries: %v", err)
	}
	if _, err := LoadLiteLLM(strings.NewReader(`[1]`)); !errors.Is(err, ErrInvalidPricing) {
		t.Errorf("not an object: %v", err)
	}
}

const genaiSample = `[
 {"id": "anthropic", "models": [
   {"id": "claude-q", "match": {"or": [{"starts_with": "claude-q"}, {"equals": "claude-q-alias"}]},
    "prices": [{"prices": {"input_mtok": {"base": 3, "tiers": [{"start": 200000, "price": 6}]}, "output_mtok": 15,
                           "cache_read_mtok": 0.3, "cache_write_mtok": 3.75, "cache_write_1h_mtok": 6, "web_searches_kcount": 10}},
               {"constraint": {"start_date": "2026-09-01"}, "prices": {"input_mtok": 2, "output_mtok": 10}}]},
   {"id": "claude-old", "match": {"equals": "claude-old"}, "prices": {"input_mtok": 8, "output_mtok": 24}, "deprecated": true}]},
 {"id": "azure", "fallback_model_providers": ["anthropic"], "models": [
   {"id": "free", "match": {"ends_with": ":free"}, "prices": {}}]},
 {"id": "deepseek", "models": [
   {"id": "ds", "match": {"equals": "ds"}, "prices": [{"prices": {"input_mtok": 0.1}},
     {"constraint": {"start_time": "00:30:00Z", "end_time": "16:30:00Z"}, "prices": {"input_mtok": 0.2}}]}]}
]`

func TestLoadGenAIPrices(t *testing.T) {
	p, err := LoadGenAIPrices(strings.NewReader(genaiSample))
	if err != nil {
		t.Fatal(err)
	}
	aug, sep := day("2026-08-01"), day("2026-09-01")
	tests := []struct {
		name string
		u    Usage
		want float64
		ok   bool
	}{
		// 1000 x 3 + 1000 x 15.
		{"rule", Usage{Provider: "anthropic", Model: "claude-q-1", InputTokens: 1000, OutputTokens: 1000, Time: aug}, 0.018, true},
		// 300000 x 6 (the tier) + 1000 x 15.
		{"per-field tier", Usage{Provider: "anthropic", Model: "claude-q-alias", InputTokens: 300000, OutputTokens: 1000, Time: aug}, 1.815, true},
		// 1000 uncached x 3 + 1000 x 6 (1h) of 2000 input.
		{"1h cache write", Usage{Provider: "anthropic", Model: "claude-q", InputTokens: 2000, CacheWriteInputTokens: 1000, CacheWrite1hInputTokens: 1000, Time: aug}, 0.009, true},
		{"dated change", Usage{Provider: "anthropic", Model: "claude-q", InputTokens: 1000, OutputTokens: 1000, Time: sep}, 0.012, true},
		{"fallback", Usage{Provider: "azure.ai.openai", Model: "claude-q", InputTokens: 1000, Time: aug}, 0.003, true},
		{"free", Usage{Provider: "azure.ai.inference", Model: "phi:free", InputTokens: 1e6, OutputTokens: 1e6}, 0, true},
		{"time of day: the unconstrained price", Usage{Provider: "deepseek", Model: "ds", InputTokens: 1e6}, 0.1, true},
		{"no rule", Usage{Provider: "anthropic", Model: "gpt-4o", InputTokens: 1}, 0, false},
	}
	for _, tt := range tests {
		c, err := p.Cost(tt.u)
		if err != nil {
			t.Fatal(err)
		}
		if c.Priced != tt.ok || !near(c.USD, tt.want) {
			t.Errorf("%s: %+v, want %v priced %v", tt.name, c, tt.want, tt.ok)
		}
	}
	if c, _ := p.Cost(Usage{Provider: "anthropic", Model: "claude-old", InputTokens: 1}); !c.Retired {
		t.Errorf("deprecated model not marked retired: %+v", c)
	}
	for name, bad := range map[string]string{
		"bad match": `[{"id":"x","models":[{"id":"m","match":{"near":"m"},"prices":{}}]}]`,
		"bad price": `[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":{"input_mtok":-3}}]}]`,
		"bad tier":  `[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":{"input_mtok":{"base":1,"tiers":[{"start":0,"price":2}]}}}]}]`,
		"bad date":  `[{"id":"x","models":[{"id":"m","match":{"equals":"m"},"prices":[{"prices":{}},{"constraint":{"start_date":"Monday"},"prices":{}}]}]}]`,
		"not list":  `{"models":{}}`,
	} {
		_, err := LoadGenAIPrices(strings.NewReader(bad))
		var pe *PricingError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a PricingError", name, err)
			continue
		}
		if name != "not list" && pe.Entry != "x/m" {
			t.Errorf("%s: entry %q, want x/m (%v)", name, pe.Entry, err)
		}
	}
}

func TestPricingFromFileDetectsTheFormat(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	mod := day("2026-11-30").Add(12 * time.Hour)
	gpPath := write("data.json", genaiSample)
	if err := os.Chtimes(gpPath, mod, mod); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, provider, model, asOf string
	}{
		{write("litellm.json", liteLLMSample), "openai", "gpt-x", "2026-07-24"},
		{gpPath, "anthropic", "claude-q", "2026-11-30"}, // dated by the file's modification time
		{write("ours.json", handTable), "openai", "m", "2026-01-02"},
	} {
		p, err := PricingFromFile(c.path)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if p.Entry(c.provider, c.model) == nil || p.AsOf() != c.asOf {
			t.Errorf("%s: entry %v, as_of %q want %q", c.path, p.Entry(c.provider, c.model), p.AsOf(), c.asOf)
		}
		if c, _ := p.Cost(Usage{Provider: c.provider, Model: c.model, InputTokens: 1, Time: day("2026-08-01")}); c.AsOf != p.AsOf() {
			t.Errorf("%s: Cost.AsOf %q, want the table's %q", c.PricedAs, c.AsOf, p.AsOf())
		}
	}
	bad := write("bad.json", `{"providers":{"openai":{"gpt-4o":{"input":-2}}}}`)
	_, err := PricingFromFile(bad)
	var pe *PricingError
	if !errors.As(err, &pe) || pe.File != bad || pe.Entry != "openai/gpt-4o" || pe.Field != "input" {
		t.Errorf("bad file: %v", err)
	}
	if _, err := PricingFromFile(filepath.Join(dir, "missing.json")); !errors.Is(err, ErrInvalidPricing) || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestPricingFromEnv(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ours.json")
	if err := os.WriteFile(good, []byte(`{"as_of":"2026-11-01","models":{"my-llama":{"input":0.2,"output":0.6}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ll := filepath.Join(dir, "litellm.json")
	if err := os.WriteFile(ll, []byte(liteLLMSample), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"models":{"my-llama":{"input":"free"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Setenv(PricingFileEnv, "")
	if p, err := PricingFromEnv(); err != nil || p != DefaultPricing() {
		t.Errorf("unset: %v, %v", p, err)
	}

	t.Setenv(PricingFileEnv, ll+string(os.PathListSeparator)+good)
	p, err := PricingFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if p.AsOf() != "2026-11-01" || p.Entry("vllm", "my-llama") == nil || p.Entry("openai", "gpt-x") == nil || p.Entry("openai", "gpt-4o") == nil {
		t.Errorf("merged table: as_of %q", p.AsOf())
	}

	t.Setenv(PricingFileEnv, good+string(os.PathListSeparator)+bad)
	p, err = PricingFromEnv()
	var pe *PricingError
	if p != DefaultPricing() || !errors.As(err, &pe) || pe.File != bad || pe.Entry != "my-llama" ||
		!strings.Contains(err.Error(), PricingFileEnv) {
		t.Errorf("bad file: table %v, error %v; want the embedded table and an error naming the variable, file and entry", p.AsOf(), err)
	}
	if p.Entry("", "my-llama") != nil {
		t.Error("a good file before the bad one was merged: the embedded table alone stays in force")
	}
}

func TestPricingErrorMessage(t *testing.T) {
	err := &PricingError{File: "/etc/prices.json", Entry: "openai/gpt-4o", Field: "input", Reason: "-1: want a number from 0 to 1e6"}
	want := `ailabels: invalid pricing: /etc/prices.json: entry "openai/gpt-4o": input: -1: want a number from 0 to 1e6`
	if err.Error() != want || !errors.Is(err, ErrInvalidPricing) {
		t.Errorf("%q", err.Error())
	}
	wrapped := &PricingError{File: "f", Err: os.ErrNotExist}
	if !errors.Is(wrapped, os.ErrNotExist) {
		t.Error("Unwrap")
	}
}

func TestCostLogValue(t *testing.T) {
	var b bytes.Buffer
	l := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	c, _ := DefaultPricing().Cost(Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1e6, Time: day("2026-07-24")})
	l.Info("call", "cost", c)
	u, _ := DefaultPricing().Cost(Usage{Provider: "vllm", Model: "llama", InputTokens: 1})
	l.Info("call", "cost", u)
	want := "level=INFO msg=call cost.usd=2.5 cost.priced=true cost.priced_as=gpt-4o cost.price_list=openai cost.as_of=2026-07-24\n" +
		"level=INFO msg=call cost.usd=0 cost.priced=false cost.as_of=2026-07-24 cost.unpriced=unknown_model\n"
	if b.String() != want {
		t.Errorf("logged\n%s\nwant\n%s", b.String(), want)
	}
}

func TestPriceCost(t *testing.T) {
	p := Price{Input: 1, Output: 2, CacheRead: USD(0.1), Batch: &ServicePrice{Input: 0.5, Output: 1}}
	if usd, ok := p.Cost(Usage{InputTokens: 1e6, CachedInputTokens: 5e5, OutputTokens: 1e6}); !ok || !near(usd, 2.55) {
		t.Errorf("standard: %v %v", usd, ok)
	}
	if usd, ok := p.Cost(Usage{InputTokens: 1e6, ServiceTier: "batch"}); !ok || !near(usd, 0.5) {
		t.Errorf("batch: %v %v", usd, ok)
	}
	if _, ok := p.Cost(Usage{InputTokens: 1, ServiceTier: "flex"}); ok {
		t.Error("flex priced")
	}
	if _, ok := (Price{Input: -1}).Cost(Usage{InputTokens: 1}); ok {
		t.Error("an invalid price priced")
	}
}

func TestPricingProvider(t *testing.T) {
	for in, want := range map[string]string{
		"azure": ProviderAzureOpenAI, " Bedrock ": ProviderAWSBedrock, "vertex_ai": ProviderGCPVertexAI, "gemini": ProviderGCPGemini,
		"google": ProviderGCPGenAI, "mistral": ProviderMistralAI, "xai": ProviderXAI, "azure_ai": ProviderAzureAIInference,
		"openai": ProviderOpenAI, "aws.bedrock": ProviderAWSBedrock, "vllm": "vllm", "": "",
	} {
		if got := pricingProvider(in); got != want {
			t.Errorf("pricingProvider(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range [][3]string{
		{"bedrock_converse", "us.anthropic.claude-x-v1:0", "us.anthropic.claude-x-v1:0"},
		{"bedrock", "bedrock/invoke/anthropic.claude-x", "anthropic.claude-x"},
		{"vertex_ai-anthropic_models", "vertex_ai/claude-x@20250101", "claude-x@20250101"},
		{"azure_ai", "azure_ai/Phi-4", "phi-4"},
		{"azure", "azure/us/gpt-x", "us/gpt-x"},
	} {
		if id, _ := liteLLMModelID(c[0], c[1]); id != c[2] {
			t.Errorf("liteLLMModelID(%q, %q) = %q, want %q", c[0], c[1], id, c[2])
		}
	}
	if got := genAIPricesProviders("google"); len(got) != 2 || got[1] != ProviderGCPVertexAI {
		t.Errorf("genAIPricesProviders(google) = %v", got)
	}
}

func FuzzLoadPricing(f *testing.F) {
	f.Add(string(defaultPricingJSON[:4096]))
	f.Add(handTable)
	f.Add(`{"models":{"x":{"input":1,"output":2,"long_context_threshold":5,"long_context":{"input":3,"output":4}}}}`)
	f.Add(`{"models":{"x":{"input":-1}}}`)
	f.Add(`{"currency":"EUR"}`)
	f.Add(`{"models":{"x":{"input":1e400}}}`)
	f.Add(`{"rules":{"a":[{"name":"r","match":{"or":[{"and":[{"regex":"^a"},{"contains":"b"}]}]},"input":1}]}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := LoadPricing(strings.NewReader(in))
		checkLoaded(t, p, err)
	})
}

func FuzzLoadLiteLLM(f *testing.F) {
	f.Add(liteLLMSample)
	f.Add(`{"m":{"litellm_provider":"azure","mode":"chat","input_cost_per_token":1e-6,"tiered_pricing":[{"range":[0,1000],"input_cost_per_token":1e-6},{"range":[1000,9e9],"input_cost_per_token":2e-6}]}}`)
	f.Add(`{"m":{"litellm_provider":"x","mode":"chat","input_cost_per_token":1e300}}`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := LoadLiteLLM(strings.NewReader(in))
		checkLoaded(t, p, err)
	})
}

func FuzzLoadGenAIPrices(f *testing.F) {
	f.Add(genaiSample)
	f.Add(`[{"id":"x","models":[{"id":"m","match":{"regex":"a{2,}"},"prices":{"input_mtok":{"base":1,"tiers":[{"start":5,"price":2}]}}}]}]`)
	f.Add(`[{"id":"x","models":[{"id":"m","match":{"or":[{"or":[{"or":[]}]}]},"prices":{}}]}]`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := LoadGenAIPrices(strings.NewReader(in))
		checkLoaded(t, p, err)
	})
}

// checkLoaded: an error matches ErrInvalidPricing; a table prices every
// entry it lists with a finite, non-negative cost, on every service tier,
// and writes JSON that loads again.
func checkLoaded(t *testing.T, p *Pricing, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrInvalidPricing) {
			t.Fatalf("error %v does not wrap ErrInvalidPricing", err)
		}
		return
	}
	for _, e := range p.Entries() {
		for _, tier := range []ServiceTier{"", ServiceTierBatch, ServiceTierFlex, ServiceTierPriority} {
			for _, dp := range e.Prices() {
				u := Usage{InputTokens: MaxTokens, CachedInputTokens: 1, CacheWriteInputTokens: 2, CacheWrite1hInputTokens: 1,
					OutputTokens: MaxTokens, ReasoningTokens: 1, ServiceTier: tier, Time: dp.From}
				c := e.Cost(u)
				if math.IsNaN(c.USD) || math.IsInf(c.USD, 0) || c.USD < 0 || (!c.Priced && c.USD != 0) {
					t.Fatalf("%s/%s: cost %+v", e.Provider(), e.Model(), c)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPricing(&b); err != nil {
		t.Fatalf("WriteJSON's output does not load: %v\n%s", err, b.String())
	}
}
