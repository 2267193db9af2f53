package ailabels

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// TestCostHandComputed checks every token type against figures worked out
// by hand from pricing.json (US dollars per million tokens).
func TestCostHandComputed(t *testing.T) {
	p := DefaultPricing()
	tests := []struct {
		name  string
		u     Usage
		want  float64
		entry string
	}{
		{
			// 200 uncached x 2.50 + 1000 cached x 1.25 + 300 output x 10
			// = 500 + 1250 + 3000 = 4750 per million.
			name:  "openai cached input, dated snapshot",
			u:     Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300},
			want:  0.00475,
			entry: "gpt-4o-2024-08-06",
		},
		{
			// The example on the alias: same price.
			name:  "openai alias",
			u:     Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300},
			want:  0.00475,
			entry: "gpt-4o",
		},
		{
			// An older snapshot with its own price and no cache price:
			// 1200 x 5 + 300 x 15 = 6000 + 4500 = 10500 per million.
			name:  "snapshot keeps its own price, cache read at input price",
			u:     Usage{Model: "gpt-4o-2024-05-13", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300},
			want:  0.0105,
			entry: "gpt-4o-2024-05-13",
		},
		{
			// Anthropic: input_tokens 500 + cache read 2000 + cache write 1000.
			// 500 x 3 + 2000 x 0.30 + 1000 x 3.75 + 400 x 15
			// = 1500 + 600 + 3750 + 6000 = 11850 per million.
			name:  "anthropic cache read and write",
			u:     Usage{Model: "claude-sonnet-4-20250514", InputTokens: 3500, CachedInputTokens: 2000, CacheWriteInputTokens: 1000, OutputTokens: 400},
			want:  0.01185,
			entry: "claude-sonnet-4-20250514",
		},
		{
			// Reasoning is part of the output and billed once:
			// 1000 x 2 + 5000 x 8 = 42000 per million (not 74000).
			name:  "reasoning billed as output, once",
			u:     Usage{Model: "o3", InputTokens: 1000, OutputTokens: 5000, ReasoningTokens: 4000},
			want:  0.042,
			entry: "o3",
		},
		{
			// OpenAI has no cache-write price: billed as input.
			// 1000 x 2.50 = 2500 per million.
			name:  "cache write without a price is input",
			u:     Usage{Model: "gpt-4o", InputTokens: 1000, CacheWriteInputTokens: 400},
			want:  0.0025,
			entry: "gpt-4o",
		},
		{
			// Bedrock id of Claude 3.5 Haiku: 2000 x 0.80 + 8000 x 0.08 + 100 x 4
			// = 1600 + 640 + 400 = 2640 per million.
			name:  "bedrock id",
			u:     Usage{Model: "us.anthropic.claude-3-5-haiku-20241022-v1:0", InputTokens: 10000, CachedInputTokens: 8000, OutputTokens: 100},
			want:  0.00264,
			entry: "claude-3-5-haiku-20241022",
		},
		{
			// Gemini 2.5 Pro at the threshold: 200000 x 1.25 + 1000 x 10
			// = 250000 + 10000 = 260000 per million.
			name:  "long context threshold not passed",
			u:     Usage{Model: "models/gemini-2.5-pro", InputTokens: 200000, OutputTokens: 1000},
			want:  0.26,
			entry: "gemini-2.5-pro",
		},
		{
			// Above it the whole call is at the long-context price:
			// 240000 x 2.50 + 10000 x 0.625 + 1000 x 15 = 600000 + 6250 + 15000.
			name:  "long context",
			u:     Usage{Model: "gemini-2.5-pro", InputTokens: 250000, CachedInputTokens: 10000, OutputTokens: 1000},
			want:  0.62125,
			entry: "gemini-2.5-pro",
		},
		{
			// Gemini thinking: output 1500 incl. 1000 thoughts.
			// 2000 x 0.30 + 1500 x 2.50 = 600 + 3750 = 4350 per million.
			name:  "gemini thinking",
			u:     Usage{Model: "gemini-2.5-flash", InputTokens: 2000, OutputTokens: 1500, ReasoningTokens: 1000},
			want:  0.00435,
			entry: "gemini-2.5-flash",
		},
		{
			name:  "zero tokens",
			u:     Usage{Model: "gpt-4o-mini"},
			want:  0,
			entry: "gpt-4o-mini",
		},
		{
			name:  "-latest is the base model",
			u:     Usage{Model: "claude-3-5-haiku-latest", InputTokens: 1000000},
			want:  0.8,
			entry: "claude-3-5-haiku",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := p.Cost(tt.u)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Priced || c.PricedAs != tt.entry || !near(c.USD, tt.want) {
				t.Errorf("Cost = %+v, want USD %v priced as %q", c, tt.want, tt.entry)
			}
		})
	}
}

func TestCostUnknownModelIsUnpriced(t *testing.T) {
	p := DefaultPricing()
	for _, m := range []string{"gpt-4o-2099-01-01", "my-local-llama", "ft:gpt-4o-mini-2024-07-18:org::x", ""} {
		c, err := p.Cost(Usage{Model: m, InputTokens: 100, OutputTokens: 10})
		if err != nil || c != (Cost{}) {
			t.Errorf("Cost(%q) = %+v, %v; want a zero, unpriced Cost", m, c, err)
		}
	}
	var nilPricing *Pricing
	if c, err := nilPricing.Cost(Usage{Model: "gpt-4o", InputTokens: 1}); err != nil || c.Priced {
		t.Errorf("nil Pricing: %+v, %v", c, err)
	}
}

func TestUsageValidate(t *testing.T) {
	bad := []Usage{
		{InputTokens: -1},
		{OutputTokens: -1},
		{InputTokens: 10, CachedInputTokens: -1},
		{InputTokens: 10, CacheWriteInputTokens: -1},
		{OutputTokens: 10, ReasoningTokens: -1},
		{InputTokens: 10, CachedInputTokens: 11},
		{InputTokens: 10, CacheWriteInputTokens: 11},
		{InputTokens: 10, CachedInputTokens: 6, CacheWriteInputTokens: 5},
		{OutputTokens: 10, ReasoningTokens: 11},
		{InputTokens: math.MaxInt64, CachedInputTokens: math.MaxInt64, CacheWriteInputTokens: 1},
	}
	p := DefaultPricing()
	for _, u := range bad {
		u.Model = "gpt-4o"
		if err := u.Validate(); !errors.Is(err, ErrInvalidUsage) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidUsage", u, err)
		}
		if _, err := p.Cost(u); !errors.Is(err, ErrInvalidUsage) {
			t.Errorf("Cost(%+v) error = %v, want ErrInvalidUsage", u, err)
		}
	}
	ok := Usage{InputTokens: 10, CachedInputTokens: 5, CacheWriteInputTokens: 5, OutputTokens: 3, ReasoningTokens: 3}
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

func TestDefaultPricingCoversTheMainModels(t *testing.T) {
	p := DefaultPricing()
	if p.AsOf() == "" || p.Source() == "" {
		t.Errorf("as_of %q, source %q: both must be set", p.AsOf(), p.Source())
	}
	for _, m := range []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3", "o4-mini", "claude-sonnet-4", "claude-3-5-haiku", "gemini-2.5-pro", "gemini-2.5-flash"} {
		pr, _, ok := p.Lookup(m)
		if !ok || pr.Input <= 0 || pr.Output < pr.Input {
			t.Errorf("Lookup(%q) = %+v, %v", m, pr, ok)
		}
	}
	// Every entry's key is already in price-key form, so it can be found.
	for _, m := range p.Models() {
		if _, e, ok := p.Lookup(m); !ok || e != m {
			t.Errorf("entry %q not found by its own id", m)
		}
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
	c, err := q.Cost(Usage{Model: "my-model", InputTokens: 1e6, OutputTokens: 1e6})
	if err != nil || !c.Priced || !near(c.USD, 3) {
		t.Errorf("Cost = %+v, %v; want 3 USD", c, err)
	}
	// Override of a shipped price.
	q2, err := base.With("gpt-4o", Price{Input: 1, Output: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := q2.Cost(Usage{Model: "gpt-4o", InputTokens: 1e6}); !near(c.USD, 1) {
		t.Errorf("overridden gpt-4o cost = %v, want 1", c.USD)
	}
	for _, bad := range []Price{
		{Input: -1}, {Output: math.NaN()}, {CacheRead: math.Inf(1)}, {CacheWrite: 2e6},
		{Input: 1, LongContext: &Price{Input: 2}},                            // no threshold
		{Input: 1, LongContextThreshold: 10, LongContext: &Price{Input: -2}}, // bad tier
	} {
		if _, err := base.With("x", bad); !errors.Is(err, ErrInvalidPricing) {
			t.Errorf("With(%+v) error = %v, want ErrInvalidPricing", bad, err)
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
}

func TestLoadPricing(t *testing.T) {
	good := `{"as_of":"2026-01-01","source":"ours","currency":"USD","models":{
		"Local-Llama":{"input":0.1,"output":0.2},
		"gpt-4o":{"input":2,"cache_read":1,"output":8}}}`
	p, err := LoadPricing(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if p.AsOf() != "2026-01-01" || p.Source() != "ours" || len(p.Models()) != 2 {
		t.Errorf("loaded %q %q %v", p.AsOf(), p.Source(), p.Models())
	}
	if c, _ := p.Cost(Usage{Model: "local-llama", InputTokens: 1e6, OutputTokens: 1e6}); !near(c.USD, 0.3) {
		t.Errorf("local-llama cost = %v", c.USD)
	}
	for name, bad := range map[string]string{
		"not json":       `{`,
		"unknown field":  `{"models":{"x":{"input":1,"cached":1}}}`,
		"negative price": `{"models":{"x":{"input":-1}}}`,
		"other currency": `{"currency":"EUR","models":{}}`,
		"empty id":       `{"models":{"":{"input":1}}}`,
		"string price":   `{"models":{"x":{"input":"1"}}}`,
	} {
		if _, err := LoadPricing(strings.NewReader(bad)); !errors.Is(err, ErrInvalidPricing) {
			t.Errorf("%s: error = %v, want ErrInvalidPricing", name, err)
		}
	}

	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := PricingFromFile(path); err != nil || len(p.Models()) != 2 {
		t.Errorf("PricingFromFile: %v, %v", p, err)
	}
	if _, err := PricingFromFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, ErrInvalidPricing) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzLoadPricing(f *testing.F) {
	f.Add(string(defaultPricingJSON))
	f.Add(`{"models":{"x":{"input":1,"output":2,"long_context_threshold":5,"long_context":{"input":3,"output":4}}}}`)
	f.Add(`{"models":{"x":{"input":-1}}}`)
	f.Add(`{"currency":"EUR"}`)
	f.Add(`{"models":{"x":{"input":1e400}}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := LoadPricing(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrInvalidPricing) {
				t.Fatalf("error %v does not wrap ErrInvalidPricing", err)
			}
			return
		}
		u := Usage{InputTokens: math.MaxInt64, CachedInputTokens: 1, CacheWriteInputTokens: 1, OutputTokens: math.MaxInt64, ReasoningTokens: 1}
		for _, m := range p.Models() {
			pr, _, ok := p.Lookup(m)
			if !ok {
				t.Fatalf("model %q listed but not found", m)
			}
			if c := pr.Cost(u); math.IsNaN(c) || math.IsInf(c, 0) || c < 0 {
				t.Fatalf("model %q: cost %v", m, c)
			}
		}
	})
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
