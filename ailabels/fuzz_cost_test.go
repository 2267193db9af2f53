package ailabels_test

import (
	"errors"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// FuzzPricingCost prices arbitrary model ids and token counts with the
// default table. Cost must not panic, must refuse invalid usage with
// ErrInvalidUsage, must be finite and non-negative, zero when unpriced,
// and must not decrease when output tokens are added; the table entry it
// names must be valid UTF-8 (it becomes a span attribute); and the model
// label derived from the same id must be a valid, bounded label.
func FuzzPricingCost(f *testing.F) {
	f.Add("gpt-4o-2024-08-06", int64(1200), int64(1000), int64(0), int64(300), int64(0))
	f.Add("claude-sonnet-4-20250514", int64(10), int64(2), int64(3), int64(9), int64(4))
	f.Add("us.anthropic.claude-3-5-haiku-20241022-v1:0", int64(math.MaxInt64), int64(0), int64(0), int64(math.MaxInt64), int64(0))
	f.Add("", int64(-1), int64(0), int64(0), int64(0), int64(0))
	f.Add("GPT-4O\xff", int64(1), int64(2), int64(0), int64(1), int64(2))
	p := ailabels.DefaultPricing()
	f.Fuzz(func(t *testing.T, model string, in, cached, cacheWrite, out, reasoning int64) {
		u := ailabels.Usage{Model: model, InputTokens: in, CachedInputTokens: cached,
			CacheWriteInputTokens: cacheWrite, OutputTokens: out, ReasoningTokens: reasoning}
		c, err := p.Cost(u)
		if err != nil {
			if !errors.Is(err, ailabels.ErrInvalidUsage) {
				t.Fatalf("Cost(%+v) error %v does not wrap ErrInvalidUsage", u, err)
			}
			return
		}
		if math.IsNaN(c.USD) || math.IsInf(c.USD, 0) || c.USD < 0 || (!c.Priced && c.USD != 0) {
			t.Fatalf("Cost(%+v) = %+v", u, c)
		}
		if !utf8.ValidString(c.PricedAs) {
			t.Fatalf("PricedAs %q is not valid UTF-8", c.PricedAs)
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
