package ailabels

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
)

// ErrInvalidPricing is matched (errors.Is) by the errors of LoadPricing,
// PricingFromFile and Pricing.With.
var ErrInvalidPricing = errors.New("ailabels: invalid pricing")

// maxPrice bounds a price: no model costs a dollar a token. It keeps every
// cost finite.
const maxPrice = 1e6

// Price is what a model charges, in US dollars per million tokens of each
// token type. A zero CacheRead or CacheWrite means those tokens are billed
// at the Input price (OpenAI bills cache writes as plain input; a model
// without caching has no cache price).
type Price struct {
	Input      float64 `json:"input"`
	Output     float64 `json:"output"`
	CacheRead  float64 `json:"cache_read,omitempty"`
	CacheWrite float64 `json:"cache_write,omitempty"`

	// LongContext, when set, replaces the prices above for a whole call
	// whose InputTokens exceed LongContextThreshold (Gemini 2.5 Pro and
	// Claude Sonnet 4 charge more above 200k input tokens). Its own
	// LongContext is ignored.
	LongContextThreshold int64  `json:"long_context_threshold,omitempty"`
	LongContext          *Price `json:"long_context,omitempty"`
}

// Cost returns what u costs at p, in US dollars:
//
//	(input - cache_read - cache_write) x Input + cache_read x CacheRead
//	  + cache_write x CacheWrite + output x Output
//
// all divided by one million. Reasoning tokens are part of the output and
// billed as output. u must be valid (Usage.Validate).
func (p Price) Cost(u Usage) float64 {
	if p.LongContext != nil && p.LongContextThreshold > 0 && u.InputTokens > p.LongContextThreshold {
		lc := *p.LongContext
		lc.LongContext = nil
		return lc.Cost(u)
	}
	cr, cw := p.CacheRead, p.CacheWrite
	if cr == 0 {
		cr = p.Input
	}
	if cw == 0 {
		cw = p.Input
	}
	uncached := u.InputTokens - u.CachedInputTokens - u.CacheWriteInputTokens
	return (float64(uncached)*p.Input +
		float64(u.CachedInputTokens)*cr +
		float64(u.CacheWriteInputTokens)*cw +
		float64(u.OutputTokens)*p.Output) / 1e6
}

// validate checks that every price is a finite number from 0 to 1e6.
func (p Price) validate(model string) error {
	check := func(name string, v float64) error {
		if math.IsNaN(v) || v < 0 || v > maxPrice {
			return fmt.Errorf("%w: model %q: %s price %v: want a number from 0 to 1e6 (US dollars per million tokens)", ErrInvalidPricing, model, name, v)
		}
		return nil
	}
	err := errors.Join(check("input", p.Input), check("output", p.Output),
		check("cache_read", p.CacheRead), check("cache_write", p.CacheWrite))
	if err != nil {
		return err
	}
	if p.LongContext != nil {
		if p.LongContextThreshold <= 0 {
			return fmt.Errorf("%w: model %q: long_context needs a positive long_context_threshold", ErrInvalidPricing, model)
		}
		lc := *p.LongContext
		lc.LongContext = nil
		return lc.validate(model + " (long context)")
	}
	return nil
}

// Pricing is a table of prices by model id. It is immutable: With and
// Merge return new tables, so one Pricing may be shared freely.
type Pricing struct {
	asOf   string
	source string
	models map[string]Price
}

// pricingFile is the JSON form of a Pricing (see pricing.json).
type pricingFile struct {
	AsOf     string           `json:"as_of"`
	Source   string           `json:"source"`
	Currency string           `json:"currency"`
	Unit     string           `json:"unit"`
	Models   map[string]Price `json:"models"`
}

//go:embed pricing.json
var defaultPricingJSON []byte

// DefaultPricing returns the table shipped with the SDK (pricing.json: list
// prices of the main OpenAI, Anthropic and Google models, standard tier,
// dated by AsOf). Prices change: check AsOf, and override with
// PricingFromFile, LoadPricing, With or Merge.
func DefaultPricing() *Pricing {
	p, err := LoadPricing(bytes.NewReader(defaultPricingJSON))
	if err != nil {
		// The embedded table is checked by the package tests; a failure
		// here is a build defect, not a run-time condition.
		panic("ailabels: embedded pricing.json: " + err.Error())
	}
	return p
}

// LoadPricing reads a table in the JSON form of pricing.json:
//
//	{"as_of": "2025-10-15", "source": "...", "currency": "USD",
//	 "unit": "per 1M tokens",
//	 "models": {"gpt-4o": {"input": 2.5, "cache_read": 1.25, "output": 10}}}
//
// Unknown fields, a currency other than USD, and prices that are negative,
// not finite or above 1e6 are errors wrapping ErrInvalidPricing. Model ids
// are matched as described at Lookup.
func LoadPricing(r io.Reader) (*Pricing, error) {
	dec := json.NewDecoder(io.LimitReader(r, 8<<20))
	dec.DisallowUnknownFields()
	var f pricingFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPricing, err)
	}
	if f.Currency != "" && f.Currency != "USD" {
		return nil, fmt.Errorf("%w: currency %q: only USD is supported", ErrInvalidPricing, f.Currency)
	}
	p := &Pricing{asOf: f.AsOf, source: f.Source, models: make(map[string]Price, len(f.Models))}
	var errs []error
	for _, m := range slices.Sorted(maps.Keys(f.Models)) {
		key := priceKey(m)
		if key == "" {
			errs = append(errs, fmt.Errorf("%w: empty model id", ErrInvalidPricing))
			continue
		}
		pr := f.Models[m]
		if err := pr.validate(m); err != nil {
			errs = append(errs, err)
			continue
		}
		p.models[key] = pr
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// PricingFromFile reads a table from the JSON file at path (see
// LoadPricing).
func PricingFromFile(path string) (*Pricing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPricing, err)
	}
	defer f.Close()
	p, err := LoadPricing(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// With returns a copy of p in which model costs price. It fails, leaving p
// as it was, when a price is negative, not finite or above 1e6.
func (p *Pricing) With(model string, price Price) (*Pricing, error) {
	key := priceKey(model)
	if key == "" {
		return nil, fmt.Errorf("%w: empty model id", ErrInvalidPricing)
	}
	if err := price.validate(model); err != nil {
		return nil, err
	}
	q := p.clone()
	q.models[key] = price
	return q, nil
}

// Merge returns a table with the entries of p and of q; q's win where both
// price a model. AsOf and Source are q's when q has them.
func (p *Pricing) Merge(q *Pricing) *Pricing {
	r := p.clone()
	if q == nil {
		return r
	}
	maps.Copy(r.models, q.models)
	if q.asOf != "" {
		r.asOf = q.asOf
	}
	if q.source != "" {
		r.source = q.source
	}
	return r
}

func (p *Pricing) clone() *Pricing {
	if p == nil {
		return &Pricing{models: make(map[string]Price)}
	}
	return &Pricing{asOf: p.asOf, source: p.source, models: maps.Clone(p.models)}
}

// Lookup returns the price of model and the table entry it came from. The
// id is matched exactly after lower-casing and removing what is not the
// model's name (a path such as models/ or openai/, a Bedrock region and
// vendor prefix and -vN:M suffix, a -latest suffix; Vertex's
// claude-x@20241022 is read as claude-x-20241022). A dated snapshot is
// priced only if the table lists it or its price is the base model's by
// definition (-latest): an unlisted snapshot is unpriced, never guessed.
// A nil Pricing prices nothing.
func (p *Pricing) Lookup(model string) (price Price, entry string, ok bool) {
	if p == nil {
		return Price{}, "", false
	}
	key := priceKey(model)
	price, ok = p.models[key]
	if !ok {
		return Price{}, "", false
	}
	return price, key, true
}

// Cost validates u and prices it. An unknown model gives a zero Cost with
// Priced false and no error.
func (p *Pricing) Cost(u Usage) (Cost, error) {
	if err := u.Validate(); err != nil {
		return Cost{}, err
	}
	price, entry, ok := p.Lookup(u.Model)
	if !ok {
		return Cost{}, nil
	}
	return Cost{USD: price.Cost(u), Priced: true, PricedAs: entry}, nil
}

// AsOf returns the date the prices were taken (YYYY-MM-DD).
func (p *Pricing) AsOf() string {
	if p == nil {
		return ""
	}
	return p.asOf
}

// Source returns the note on where the prices come from.
func (p *Pricing) Source() string {
	if p == nil {
		return ""
	}
	return p.source
}

// Models returns the model ids the table prices, sorted.
func (p *Pricing) Models() []string {
	if p == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(p.models))
}

// priceKey is the form of a model id used to look up prices. It is
// idempotent, so a table's keys find themselves.
func priceKey(model string) string {
	s := asciiLower(strings.TrimSpace(model))
	if strings.HasPrefix(s, "ft:") {
		return s // fine-tuned models are priced by their full id
	}
	for {
		t := modelID(s)
		t = strings.ReplaceAll(t, "@", "-")
		t, _ = strings.CutSuffix(t, "-latest")
		t = strings.TrimSpace(t)
		if t == s || strings.HasPrefix(t, "ft:") {
			return t
		}
		s = t
	}
}
