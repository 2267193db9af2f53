package ailabels

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// maxPrice bounds a price: no model costs a dollar a token. It keeps every
// cost finite.
const maxPrice = 1e6

// USD returns a pointer to v, for the optional prices of Price,
// ServicePrice and Tier:
//
//	ailabels.Price{Input: 3, Output: 15, CacheRead: ailabels.USD(0.3), CacheWrite: ailabels.USD(3.75)}
//
// A price given as USD(0) is an explicit zero (free tokens); a nil price
// follows the defaults its field documents.
func USD(v float64) *float64 { return &v }

// Price is what a model charges, in US dollars per million tokens of each
// token type, on the standard service tier, with the input-size tiers and
// the other service tiers it offers.
//
// Input and Output are always stated (0 is free). The cache prices are
// optional: a nil CacheRead or CacheWrite bills those tokens at Input (a
// model without caching; OpenAI bills cache writes as plain input), a nil
// CacheWrite1h bills one-hour cache writes at CacheWrite's price. USD(0)
// states a free token type.
type Price struct {
	// Input is the price of input tokens neither read from nor written to
	// a cache.
	Input float64 `json:"input"`
	// Output is the price of output tokens, reasoning included.
	Output float64 `json:"output"`
	// CacheRead is the price of input tokens read from a cache.
	CacheRead *float64 `json:"cache_read,omitempty"`
	// CacheWrite is the price of input tokens written to a cache with the
	// default lifetime (Anthropic's 5 minutes).
	CacheWrite *float64 `json:"cache_write,omitempty"`
	// CacheWrite1h is the price of input tokens written to a cache for one
	// hour (Anthropic: twice Input).
	CacheWrite1h *float64 `json:"cache_write_1h,omitempty"`

	// Tiers are the prices of a whole call whose input tokens (cached ones
	// included) exceed a threshold: Gemini 2.5 Pro and Claude Sonnet 4.5
	// above 200k, GPT-5.4 above 272k. The highest threshold passed applies.
	Tiers []Tier `json:"tiers,omitempty"`

	// Batch, Flex and Priority are the prices of the other service tiers
	// (Usage.ServiceTier). nil: the references give no price for that
	// tier, and such a call is unpriced rather than guessed.
	Batch    *ServicePrice `json:"batch,omitempty"`
	Flex     *ServicePrice `json:"flex,omitempty"`
	Priority *ServicePrice `json:"priority,omitempty"`
}

// ServicePrice is a model's price on a service tier other than standard
// (batch, flex, priority): a price list of its own, with the same fields
// and defaults as Price (a nil cache price bills at this tier's Input).
type ServicePrice struct {
	Input        float64  `json:"input"`
	Output       float64  `json:"output"`
	CacheRead    *float64 `json:"cache_read,omitempty"`
	CacheWrite   *float64 `json:"cache_write,omitempty"`
	CacheWrite1h *float64 `json:"cache_write_1h,omitempty"`
	Tiers        []Tier   `json:"tiers,omitempty"`
}

// Tier holds the prices of a call whose input tokens exceed
// AboveInputTokens. The prices it states replace those of the price it
// belongs to, for the whole call; a nil field keeps that price's.
type Tier struct {
	AboveInputTokens int64    `json:"above_input_tokens"`
	Input            *float64 `json:"input,omitempty"`
	Output           *float64 `json:"output,omitempty"`
	CacheRead        *float64 `json:"cache_read,omitempty"`
	CacheWrite       *float64 `json:"cache_write,omitempty"`
	CacheWrite1h     *float64 `json:"cache_write_1h,omitempty"`
}

// Cost returns what u costs at p, in US dollars, on u's service tier:
//
//	(input - cache_read - cache_write) x Input + cache_read x CacheRead
//	  + (cache_write - cache_write_1h) x CacheWrite
//	  + cache_write_1h x CacheWrite1h + output x Output
//
// all divided by one million, at the prices of the highest input-size tier
// u passes. Reasoning tokens are part of the output and billed as output.
// ok is false when p has no price for u's service tier. u must be valid
// (Usage.Validate).
func (p Price) Cost(u Usage) (usd float64, ok bool) {
	s, err := p.schedules()
	if err != nil {
		return 0, false
	}
	sc := &s[serviceIndex(u.ServiceTier)]
	if !sc.ok {
		return 0, false
	}
	return sc.cost(&u), true
}

// rates are the resolved prices of one schedule: no field is optional.
type rates struct{ in, out, cr, cw, cw1 float64 }

type sizeTier struct {
	above int64
	r     rates
}

// schedule is one service tier's prices, resolved, tiers ascending.
type schedule struct {
	ok    bool
	base  rates
	tiers []sizeTier
}

// Service-tier indexes of a schedule array.
const (
	svcStandard = iota
	svcBatch
	svcFlex
	svcPriority
	numServiceTiers
)

func resolve(in, out float64, cr, cw, cw1 *float64) rates {
	r := rates{in: in, out: out, cr: in, cw: in}
	if cr != nil {
		r.cr = *cr
	}
	if cw != nil {
		r.cw = *cw
	}
	r.cw1 = r.cw
	if cw1 != nil {
		r.cw1 = *cw1
	}
	return r
}

func (t Tier) over(b rates) rates {
	r := b
	for _, f := range [...]struct {
		v   *float64
		dst *float64
	}{{t.Input, &r.in}, {t.Output, &r.out}, {t.CacheRead, &r.cr}, {t.CacheWrite, &r.cw}, {t.CacheWrite1h, &r.cw1}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return r
}

func newSchedule(in, out float64, cr, cw, cw1 *float64, tiers []Tier) schedule {
	s := schedule{ok: true, base: resolve(in, out, cr, cw, cw1)}
	if len(tiers) > 0 {
		sorted := slices.SortedFunc(slices.Values(tiers), func(a, b Tier) int { return cmp.Compare(a.AboveInputTokens, b.AboveInputTokens) })
		s.tiers = make([]sizeTier, len(sorted))
		for i, t := range sorted {
			s.tiers[i] = sizeTier{above: t.AboveInputTokens, r: t.over(s.base)}
		}
	}
	return s
}

// schedules resolves p into one schedule per service tier, after
// validating it.
func (p Price) schedules() ([numServiceTiers]schedule, error) {
	var s [numServiceTiers]schedule
	if err := p.validate(); err != nil {
		return s, err
	}
	s[svcStandard] = newSchedule(p.Input, p.Output, p.CacheRead, p.CacheWrite, p.CacheWrite1h, p.Tiers)
	for i, sp := range [...]*ServicePrice{svcBatch: p.Batch, svcFlex: p.Flex, svcPriority: p.Priority} {
		if i == svcStandard || sp == nil {
			continue
		}
		s[i] = newSchedule(sp.Input, sp.Output, sp.CacheRead, sp.CacheWrite, sp.CacheWrite1h, sp.Tiers)
	}
	return s, nil
}

// cost prices u (valid) at the schedule, in US dollars.
func (s *schedule) cost(u *Usage) float64 {
	r := &s.base
	for i := len(s.tiers) - 1; i >= 0; i-- {
		if u.InputTokens > s.tiers[i].above {
			r = &s.tiers[i].r
			break
		}
	}
	uncached := u.InputTokens - u.CachedInputTokens - u.CacheWriteInputTokens
	write5m := u.CacheWriteInputTokens - u.CacheWrite1hInputTokens
	return (float64(uncached)*r.in +
		float64(u.CachedInputTokens)*r.cr +
		float64(write5m)*r.cw +
		float64(u.CacheWrite1hInputTokens)*r.cw1 +
		float64(u.OutputTokens)*r.out) / 1e6
}

// priceError is the error of one bad price field.
func priceError(field string, v float64) error {
	return &PricingError{Field: field, Reason: fmt.Sprintf("%v: want a number from 0 to 1e6 (US dollars per million tokens)", v)}
}

func checkRate(field string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > maxPrice {
		return priceError(field, v)
	}
	return nil
}

func checkOpt(field string, v *float64) error {
	if v == nil {
		return nil
	}
	return checkRate(field, *v)
}

func validateFields(prefix string, in, out float64, cr, cw, cw1 *float64, tiers []Tier) error {
	for _, err := range [...]error{
		checkRate(prefix+"input", in), checkRate(prefix+"output", out),
		checkOpt(prefix+"cache_read", cr), checkOpt(prefix+"cache_write", cw), checkOpt(prefix+"cache_write_1h", cw1),
	} {
		if err != nil {
			return err
		}
	}
	seen := make(map[int64]bool, len(tiers))
	for i, t := range tiers {
		f := fmt.Sprintf("%stiers[%d].", prefix, i)
		if t.AboveInputTokens <= 0 || t.AboveInputTokens > MaxTokens {
			return &PricingError{Field: f + "above_input_tokens", Reason: fmt.Sprintf("%d: want 1 to %d", t.AboveInputTokens, MaxTokens)}
		}
		if seen[t.AboveInputTokens] {
			return &PricingError{Field: f + "above_input_tokens", Reason: fmt.Sprintf("%d: two tiers with this threshold", t.AboveInputTokens)}
		}
		seen[t.AboveInputTokens] = true
		for _, err := range [...]error{
			checkOpt(f+"input", t.Input), checkOpt(f+"output", t.Output), checkOpt(f+"cache_read", t.CacheRead),
			checkOpt(f+"cache_write", t.CacheWrite), checkOpt(f+"cache_write_1h", t.CacheWrite1h),
		} {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// validate checks that every price is a finite number from 0 to 1e6 and
// that tier thresholds are positive and distinct. Its errors are
// *PricingError naming the field.
func (p Price) validate() error {
	if err := validateFields("", p.Input, p.Output, p.CacheRead, p.CacheWrite, p.CacheWrite1h, p.Tiers); err != nil {
		return err
	}
	for _, s := range [...]struct {
		name string
		p    *ServicePrice
	}{{"batch.", p.Batch}, {"flex.", p.Flex}, {"priority.", p.Priority}} {
		if s.p == nil {
			continue
		}
		if err := validateFields(s.name, s.p.Input, s.p.Output, s.p.CacheRead, s.p.CacheWrite, s.p.CacheWrite1h, s.p.Tiers); err != nil {
			return err
		}
	}
	return nil
}

func cloneOpt(v *float64) *float64 {
	if v == nil {
		return nil
	}
	return USD(*v)
}

func cloneTiers(ts []Tier) []Tier {
	if ts == nil {
		return nil
	}
	out := make([]Tier, len(ts))
	for i, t := range ts {
		out[i] = Tier{AboveInputTokens: t.AboveInputTokens, Input: cloneOpt(t.Input), Output: cloneOpt(t.Output),
			CacheRead: cloneOpt(t.CacheRead), CacheWrite: cloneOpt(t.CacheWrite), CacheWrite1h: cloneOpt(t.CacheWrite1h)}
	}
	return out
}

func (s *ServicePrice) clone() *ServicePrice {
	if s == nil {
		return nil
	}
	return &ServicePrice{Input: s.Input, Output: s.Output, CacheRead: cloneOpt(s.CacheRead), CacheWrite: cloneOpt(s.CacheWrite),
		CacheWrite1h: cloneOpt(s.CacheWrite1h), Tiers: cloneTiers(s.Tiers)}
}

// clone returns a deep copy of p, so that a table's prices cannot be
// changed through a Price it handed out.
func (p Price) clone() Price {
	return Price{Input: p.Input, Output: p.Output, CacheRead: cloneOpt(p.CacheRead), CacheWrite: cloneOpt(p.CacheWrite),
		CacheWrite1h: cloneOpt(p.CacheWrite1h), Tiers: cloneTiers(p.Tiers),
		Batch: p.Batch.clone(), Flex: p.Flex.clone(), Priority: p.Priority.clone()}
}
