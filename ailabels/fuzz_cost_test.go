package ailabels_test

import (
	"errors"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// FuzzPricingCost prices arbitrary providers, model ids, token counts (one-
// hour cache writes included), service tiers and call times with the
// default table. Cost must not panic, must refuse invalid usage with
// ErrInvalidUsage, must be finite and non-negative, zero and with a reason
// when unpriced, and must not decrease when output tokens are added; the
// entry and price list it names must be valid UTF-8 (they become span
// attributes); and the model label derived from the same id must be a
// valid, bounded label.
func FuzzPricingCost(f *testing.F) {
	f.Add("openai", "gpt-4o-2024-08-06", int64(1200), int64(1000), int64(0), int64(0), int64(300), int64(0), "", int64(0))
	f.Add("anthropic", "claude-sonnet-4-20250514", int64(10), int64(2), int64(3), int64(2), int64(9), int64(4), "standard", int64(1785000000))
	f.Add("anthropic", "claude-sonnet-5", int64(300000), int64(2), int64(3), int64(3), int64(9), int64(4), "priority", int64(1788000000))
	f.Add("aws.bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0", int64(math.MaxInt64), int64(0), int64(0), int64(0), int64(math.MaxInt64), int64(0), "", int64(-1))
	f.Add("azure", "eu/gpt-5.4", int64(300000), int64(1000), int64(0), int64(0), int64(9), int64(0), "Flex", int64(math.MaxInt64))
	f.Add("", "", int64(-1), int64(0), int64(0), int64(0), int64(0), int64(0), "scale", int64(math.MinInt64))
	f.Add("x\xff", "GPT-4O\xff", int64(1), int64(2), int64(0), int64(0), int64(1), int64(2), "batch\x00", int64(0))
	p := ailabels.DefaultPricing()
	f.Fuzz(func(t *testing.T, provider, model string, in, cached, cacheWrite, cacheWrite1h, out, reasoning int64, tier string, unix int64) {
		u := ailabels.Usage{Provider: provider, Model: model, InputTokens: in, CachedInputTokens: cached,
			CacheWriteInputTokens: cacheWrite, CacheWrite1hInputTokens: cacheWrite1h, OutputTokens: out, ReasoningTokens: reasoning,
			ServiceTier: ailabels.ServiceTier(tier), Time: time.Unix(unix, 0)}
		c, err := p.Cost(u)
		if err != nil {
			if !errors.Is(err, ailabels.ErrInvalidUsage) {
				t.Fatalf("Cost(%+v) error %v does not wrap ErrInvalidUsage", u, err)
			}
			return
		}
		if math.IsNaN(c.USD) || math.IsInf(c.USD, 0) || c.USD < 0 || (!c.Priced && (c.USD != 0 || c.Unpriced == "")) {
			t.Fatalf("Cost(%+v) = %+v", u, c)
		}
		if !utf8.ValidString(c.PricedAs) || !utf8.ValidString(c.PriceList) {
			t.Fatalf("PricedAs %q, PriceList %q: not valid UTF-8", c.PricedAs, c.PriceList)
		}
		if u.OutputTokens < math.MaxInt64 {
			more := u
			more.OutputTokens++
			if c2, err := p.Cost(more); err != nil || c2.USD < c.USD {
				t.Fatalf("one more output token: %+v, %v; was %+v", c2, err, c)
			}
		}
		if l, err := ailabels.NormalizeModel(model); err == nil {
			if v, err := ailabels.ValidateLabel(l); err != nil || v != l || len(l) > ailabels.MaxLabelLength {
				t.Fatalf("NormalizeModel(%q) = %q: not a bounded label (%v)", model, l, err)
			}
		}
	})
}
