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
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrInvalidPricing is matched (errors.Is) by every error of the pricing
// loaders (LoadPricing, LoadLiteLLM, LoadGenAIPrices, PricingFromFile,
// PricingFromEnv) and of Pricing.With, WithProvider and WithDeployments.
var ErrInvalidPricing = errors.New("ailabels: invalid pricing")

// PricingError is one bad piece of a price table: the file it is in, the
// entry and the field, and what is wrong. It matches ErrInvalidPricing.
type PricingError struct {
	File   string // the file the table came from; "" for a reader or code
	Entry  string // the entry: "provider/model", a LiteLLM key or a genai-prices model; "" for the table as a whole
	Field  string // the field, e.g. "input" or "input_cost_per_token"
	Reason string // what is wrong, with the rejected value
	Err    error  // the underlying error (I/O, JSON syntax), if any
}

// Error implements error.
func (e *PricingError) Error() string {
	var b strings.Builder
	b.WriteString("ailabels: invalid pricing")
	if e.File != "" {
		b.WriteString(": ")
		b.WriteString(e.File)
	}
	if e.Entry != "" {
		fmt.Fprintf(&b, ": entry %q", e.Entry)
	}
	for _, s := range [...]string{e.Field, e.Reason} {
		if s != "" {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidPricing) true.
func (e *PricingError) Is(target error) bool { return target == ErrInvalidPricing }

// Unwrap returns the underlying error.
func (e *PricingError) Unwrap() error { return e.Err }

// annotate sets the file and entry of the PricingErrors in err (those not
// set yet), and turns other errors into PricingErrors.
func annotate(err error, file, entry string) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = annotate(e, file, entry)
		}
		return errors.Join(out...)
	}
	var pe *PricingError
	if !errors.As(err, &pe) {
		return &PricingError{File: file, Entry: entry, Err: err}
	}
	c := *pe
	if c.File == "" {
		c.File = file
	}
	if c.Entry == "" {
		c.Entry = entry
	}
	return &c
}

// maxErrors bounds the errors a loader reports for one file.
const maxErrors = 20

type errList struct {
	errs []error
	more int
}

func (l *errList) add(err error) {
	if err == nil {
		return
	}
	if len(l.errs) < maxErrors {
		l.errs = append(l.errs, err)
		return
	}
	l.more++
}

func (l *errList) err() error {
	if l.more > 0 {
		l.errs = append(l.errs, &PricingError{Reason: fmt.Sprintf("and %d more errors", l.more)})
	}
	return errors.Join(l.errs...)
}

// Source names one of the price lists a table was built from.
type Source struct {
	Name   string `json:"name"`             // e.g. "litellm"
	File   string `json:"file,omitempty"`   // the file, as copied into the repository
	Commit string `json:"commit,omitempty"` // the upstream commit of the snapshot
	Date   string `json:"date,omitempty"`   // the snapshot's date, YYYY-MM-DD
}

// DatedPrice is a price and the date it takes effect (zero From: the
// first price, in force before every later one).
type DatedPrice struct {
	From  time.Time
	Price Price
}

// Entry is one entry of a Pricing: a model's prices on one provider's
// price list, over time. It is immutable; Cost does not allocate, so a
// caller pricing many calls of one model keeps the Entry
// (Pricing.Entry) and calls its Cost.
type Entry struct {
	provider string // canonical provider; "" for any
	model    string // price key, or the rule's name
	match    *matcher
	matchRaw json.RawMessage
	source   string
	asOf     string
	retired  bool
	retires  time.Time
	periods  []period
}

type period struct {
	from  int64 // Unix seconds; math.MinInt64 for the first
	date  time.Time
	price Price
	sched [numServiceTiers]schedule
}

// newEntry validates prices (the first undated, later ones in increasing
// date order) and builds an entry.
func newEntry(provider, model string, prices []DatedPrice) (*Entry, error) {
	if len(prices) == 0 {
		return nil, &PricingError{Reason: "no price"}
	}
	e := &Entry{provider: provider, model: model, periods: make([]period, len(prices))}
	for i, dp := range prices {
		field := ""
		if i > 0 {
			field = fmt.Sprintf("changes[%d].", i-1)
		}
		switch {
		case i == 0 && !dp.From.IsZero():
			return nil, &PricingError{Field: "from", Reason: "the first price has no date"}
		case i > 0 && dp.From.IsZero():
			return nil, &PricingError{Field: field + "from", Reason: "a later price needs its date"}
		case i > 1 && !dp.From.After(prices[i-1].From):
			return nil, &PricingError{Field: field + "from", Reason: fmt.Sprintf("%s: dates must increase", dp.From.Format(time.DateOnly))}
		}
		s, err := dp.Price.schedules()
		if err != nil {
			var pe *PricingError
			if errors.As(err, &pe) {
				c := *pe
				c.Field = field + c.Field
				return nil, &c
			}
			return nil, err
		}
		from := int64(math.MinInt64)
		if i > 0 {
			from = dp.From.Unix()
		}
		e.periods[i] = period{from: from, date: dp.From, price: dp.Price.clone(), sched: s}
	}
	return e, nil
}

// Provider returns the provider whose price list the entry is in ("" for
// an entry that applies to every provider).
func (e *Entry) Provider() string { return e.provider }

// Model returns the model id the entry lists, or the name of its rule.
func (e *Entry) Model() string { return e.model }

// Rule reports whether the entry matches model ids by a rule (loaded from
// genai-prices) rather than by one exact id.
func (e *Entry) Rule() bool { return e.match != nil }

// Matches reports whether the entry lists model itself: its exact id, or
// an id its rule matches (model lower-cased and trimmed, as Pricing.Entry
// reads it; without Entry's variants and fallbacks).
func (e *Entry) Matches(model string) bool {
	key := priceKey(model)
	if e.match != nil {
		return e.match.match(key)
	}
	return key == e.model
}

// Source returns where the entry's prices come from, e.g.
// "litellm:azure/eu/gpt-4o-2024-08-06" ("" if not recorded).
func (e *Entry) Source() string { return e.source }

// AsOf returns the date (YYYY-MM-DD) of the table the entry came from.
func (e *Entry) AsOf() string { return e.asOf }

// Retired reports whether the references mark the model retired at t (a
// zero t is now). A retired model stays priced.
func (e *Entry) Retired(t time.Time) bool {
	if e.retired {
		return true
	}
	if e.retires.IsZero() {
		return false
	}
	if t.IsZero() {
		t = time.Now()
	}
	return !t.Before(e.retires)
}

// Retires returns the date the references give for the model's
// retirement (zero if none).
func (e *Entry) Retires() time.Time { return e.retires }

// Prices returns the entry's prices, the first undated and the others
// from their dates on.
func (e *Entry) Prices() []DatedPrice {
	out := make([]DatedPrice, len(e.periods))
	for i, p := range e.periods {
		out[i] = DatedPrice{From: p.date, Price: p.price.clone()}
	}
	return out
}

// Price returns the price in force at t (a zero t is now).
func (e *Entry) Price(t time.Time) Price { return e.at(t).price.clone() }

func (e *Entry) at(t time.Time) *period {
	if len(e.periods) == 1 {
		return &e.periods[0]
	}
	if t.IsZero() {
		t = time.Now()
	}
	at := t.Unix()
	for i := len(e.periods) - 1; i > 0; i-- {
		if at >= e.periods[i].from {
			return &e.periods[i]
		}
	}
	return &e.periods[0]
}

// Cost prices u at the price in force at u.Time (zero: now) on u's service
// tier. A nil Entry gives an unpriced Cost (UnpricedModel); so does a
// service tier the entry has no price for (UnpricedServiceTier). u must be
// valid (Usage.Validate). Cost does not allocate.
func (e *Entry) Cost(u Usage) Cost {
	if e == nil {
		return Cost{Unpriced: UnpricedModel}
	}
	p, retired := &e.periods[0], e.retired
	if len(e.periods) > 1 || !e.retires.IsZero() {
		// Only a dated entry reads the clock.
		t := u.Time
		if t.IsZero() {
			t = time.Now()
		}
		p = e.at(t)
		retired = retired || (!e.retires.IsZero() && !t.Before(e.retires))
	}
	sc := &p.sched[serviceIndex(u.ServiceTier)]
	if !sc.ok {
		return Cost{PricedAs: e.model, PriceList: e.provider, AsOf: e.asOf, Retired: retired, Unpriced: UnpricedServiceTier}
	}
	return Cost{USD: sc.cost(&u), Priced: true, PricedAs: e.model, PriceList: e.provider, AsOf: e.asOf, Retired: retired}
}

// Pricing is a table of prices by provider and model id. It is immutable:
// With, WithProvider, WithDeployments and Merge return new tables, so one
// Pricing may be shared freely.
//
// A table has entries for one provider's price list (openai, anthropic,
// aws.bedrock, azure.ai.openai, ...: the gen_ai.provider.name values) and
// entries for every provider (With, and the "models" of a pricing file).
// See Entry for how a call finds its price.
type Pricing struct {
	asOf, source string
	sources      []Source
	layers       []*layer // newest first
	fallbacks    map[string][]string
	order        []string // providers tried, in this order, for a call without one
}

// layer is one table's entries, before it was merged with others.
type layer struct {
	exact       map[string]map[string]*Entry // provider ("" any) -> price key -> entry
	rules       map[string][]*Entry          // provider -> rules in match order
	deployments map[string]map[string]string // provider -> deployment -> model id
}

func newLayer() *layer {
	return &layer{exact: map[string]map[string]*Entry{}, rules: map[string][]*Entry{}, deployments: map[string]map[string]string{}}
}

func (l *layer) put(e *Entry) {
	m := l.exact[e.provider]
	if m == nil {
		m = map[string]*Entry{}
		l.exact[e.provider] = m
	}
	m[e.model] = e
}

func (l *layer) rule(provider, key string) *Entry {
	for _, e := range l.rules[provider] {
		if e.match.match(key) {
			return e
		}
	}
	return nil
}

// numMakers is how many of firstParty are the model makers' own lists.
const numMakers = 6

// firstParty is the order in which a call without a provider looks for its
// model: the model makers' own price lists first, then the clouds, then any
// other list in name order.
var firstParty = [...]string{
	ProviderOpenAI, ProviderAnthropic, ProviderGCPGemini, ProviderMistralAI, ProviderDeepseek, ProviderXAI,
	ProviderGCPVertexAI, ProviderAWSBedrock, ProviderAzureOpenAI, ProviderAzureAIInference,
}

// finish computes what lookups need once the layers are set.
func (p *Pricing) finish() *Pricing {
	seen := map[string]bool{"": true}
	p.order = p.order[:0]
	for _, pr := range firstParty {
		seen[pr] = true
		p.order = append(p.order, pr)
	}
	var rest []string
	for _, l := range p.layers {
		for pr := range l.exact {
			if !seen[pr] {
				seen[pr] = true
				rest = append(rest, pr)
			}
		}
		for pr := range l.rules {
			if !seen[pr] {
				seen[pr] = true
				rest = append(rest, pr)
			}
		}
	}
	slices.Sort(rest)
	p.order = append(p.order, rest...)
	return p
}

// providerAliases map the provider names of LiteLLM and others to the
// gen_ai.provider.name values the table is keyed by. They only choose the
// price list: the provider label keeps the value the caller gave.
var providerAliases = map[string]string{
	"azure":        ProviderAzureOpenAI,
	"azure_openai": ProviderAzureOpenAI,
	"azure_ai":     ProviderAzureAIInference,
	"bedrock":      ProviderAWSBedrock,
	"aws":          ProviderAWSBedrock,
	"vertex_ai":    ProviderGCPVertexAI,
	"vertex":       ProviderGCPVertexAI,
	"gemini":       ProviderGCPGemini,
	"google":       ProviderGCPGenAI,
	"mistral":      ProviderMistralAI,
	"xai":          ProviderXAI,
	"x-ai":         ProviderXAI,
}

// pricingProvider returns the provider name whose price list prices a
// call of provider: provider lower-cased and trimmed, with the aliases
// azure (azure.ai.openai), azure_ai (azure.ai.inference), bedrock and aws
// (aws.bedrock), vertex_ai (gcp.vertex_ai), gemini (gcp.gemini), google
// (gcp.gen_ai), mistral (mistral_ai) and xai (x_ai) resolved.
func pricingProvider(provider string) string {
	p := asciiLower(strings.TrimSpace(provider))
	if a, ok := providerAliases[p]; ok {
		return a
	}
	return p
}

// priceKey is the form of a model id used to look up prices: trimmed and
// lower-cased, without the models/ prefix of Gemini resource names. It is
// idempotent.
func priceKey(model string) string {
	s := asciiLower(strings.TrimSpace(model))
	for {
		t, ok := strings.CutPrefix(s, "models/")
		if !ok {
			return s
		}
		s = strings.TrimSpace(t)
	}
}

// keyVariants are the other ids a key is priced as when the table does
// not list it: a fine-tuned OpenAI model (ft:BASE:org:name:id) as its
// base's fine-tuning price (ft:BASE), and on Bedrock a region-qualified
// id (eu-west-3/mistral...) as the id alone. (A -latest alias is not its
// base: gemini-pro-latest is not gemini-pro, mistral-large-latest not
// the first mistral-large; the references list the aliases they price.)
func keyVariants(provider, key string) []string {
	v := []string{key}
	if rest, ok := strings.CutPrefix(key, "ft:"); ok {
		if base, _, found := strings.Cut(rest, ":"); found && base != "" {
			v = append(v, "ft:"+base)
		}
	}
	if provider == ProviderAWSBedrock {
		if i := strings.IndexByte(key, '/'); i > 0 && i < len(key)-1 {
			v = append(v, key[i+1:])
		}
	}
	return v
}

// Entry returns the entry that prices model on provider, or nil. The
// model id is matched lower-cased and trimmed (and without Gemini's
// models/ prefix); provider goes through pricingProvider. The search,
// newest merged table first:
//
//  1. an Azure deployment (or other name) given by WithDeployments is
//     replaced by the model id it names;
//  2. the exact id, on the provider's own price list or in the entries for
//     every provider (With, a file's "models"), then the id's variants:
//     ft:BASE:org:name:id as ft:BASE (OpenAI's fine-tuning price of the
//     base), on Bedrock region/id as id (the references list a region
//     only where its price differs);
//  3. the provider's rules (genai-prices'), for the id and its variants;
//  4. the providers the table says charge the same where their own list
//     is silent (Azure OpenAI and Azure AI Foundry: OpenAI's and
//     Anthropic's prices; Vertex AI: Anthropic's), as genai-prices records.
//
// A call without a provider looks in every provider's list: the model
// makers' own (openai, anthropic, gcp.gemini, mistral_ai, deepseek, x_ai),
// exact ids then rules, then the others (the clouds first), exact ids then
// rules. A provider the table
// does not know (a self-hosted vLLM, say) is priced only by the entries
// for every provider: never by guess.
func (p *Pricing) Entry(provider, model string) *Entry {
	if p == nil {
		return nil
	}
	key := priceKey(model)
	if key == "" {
		return nil
	}
	prov := pricingProvider(provider)
	if prov == "" {
		return p.findAny(key)
	}
	for _, l := range p.layers {
		if t, ok := l.deployments[prov][key]; ok {
			key = t
			break
		}
	}
	if e := p.find(prov, key); e != nil {
		return e
	}
	for _, fb := range p.fallbacks[prov] {
		if e := p.find(fb, key); e != nil {
			return e
		}
	}
	return nil
}

// find looks for key on prov's list and in the entries for every provider,
// newest table first: exact ids (the key, then its variants) before rules.
func (p *Pricing) find(prov, key string) *Entry {
	variants := keyVariants(prov, key)
	for _, l := range p.layers {
		for _, k := range variants {
			if e := l.exact[prov][k]; e != nil {
				return e
			}
			if e := l.exact[""][k]; e != nil {
				return e
			}
		}
		for _, k := range variants {
			if e := l.rule(prov, k); e != nil {
				return e
			}
		}
	}
	return nil
}

func (p *Pricing) findAny(key string) *Entry {
	makers, others := p.order[:numMakers], p.order[numMakers:]
	variants := keyVariants("", key)
	for _, l := range p.layers {
		for _, k := range variants {
			if e := l.exact[""][k]; e != nil {
				return e
			}
		}
		for _, group := range [...][]string{makers, others} {
			for _, k := range variants {
				for _, pr := range group {
					if e := l.exact[pr][k]; e != nil {
						return e
					}
				}
			}
			for _, k := range variants {
				for _, pr := range group {
					if e := l.rule(pr, k); e != nil {
						return e
					}
				}
			}
		}
	}
	return nil
}

// Lookup returns the price in force now of model for a call that names no
// provider (see Entry), and the id of the entry it came from. A nil
// Pricing prices nothing.
func (p *Pricing) Lookup(model string) (price Price, entry string, ok bool) {
	e := p.Entry("", model)
	if e == nil {
		return Price{}, "", false
	}
	return e.Price(time.Time{}), e.model, true
}

// Cost validates u and prices it: the entry for u.Provider and u.Model
// (see Entry), its price at u.Time (zero: now), on u.ServiceTier. A call
// the table cannot price gives a Cost with Priced false, the reason in
// Unpriced, and no error; invalid usage is an error wrapping
// ErrInvalidUsage and a zero Cost.
func (p *Pricing) Cost(u Usage) (Cost, error) {
	if err := u.Validate(); err != nil {
		return Cost{}, err
	}
	e := p.Entry(u.Provider, u.Model)
	if e == nil {
		return Cost{Unpriced: UnpricedModel, AsOf: p.AsOf()}, nil
	}
	return e.Cost(u), nil
}

// AsOf returns the date the prices were taken (YYYY-MM-DD).
func (p *Pricing) AsOf() string {
	if p == nil {
		return ""
	}
	return p.asOf
}

// AsOfTime returns AsOf as midnight UTC of that date, or the zero time
// when the table has no valid date.
func (p *Pricing) AsOfTime() time.Time {
	t, err := time.Parse(time.DateOnly, p.AsOf())
	if err != nil {
		return time.Time{}
	}
	return t
}

// Source returns the note on where the prices come from.
func (p *Pricing) Source() string {
	if p == nil {
		return ""
	}
	return p.source
}

// Sources returns the price lists the table was built from, with their
// snapshot commits and dates.
func (p *Pricing) Sources() []Source {
	if p == nil {
		return nil
	}
	return slices.Clone(p.sources)
}

// Fallbacks returns the providers whose price lists a call on provider
// falls back to when provider's own list has no entry (see Entry).
func (p *Pricing) Fallbacks(provider string) []string {
	if p == nil {
		return nil
	}
	return slices.Clone(p.fallbacks[pricingProvider(provider)])
}

// Entries returns the entries a lookup can reach, by provider then model
// id (rules in match order, after a provider's exact ids).
func (p *Pricing) Entries() []*Entry {
	if p == nil {
		return nil
	}
	type pk struct{ provider, key string }
	seen := map[pk]bool{}
	var exact, rules []*Entry
	for _, l := range p.layers {
		for pr, m := range l.exact {
			for k, e := range m {
				if !seen[pk{pr, k}] {
					seen[pk{pr, k}] = true
					exact = append(exact, e)
				}
			}
		}
		for _, pr := range slices.Sorted(maps.Keys(l.rules)) {
			rules = append(rules, l.rules[pr]...)
		}
	}
	slices.SortFunc(exact, func(a, b *Entry) int {
		return cmpPair(a.provider, b.provider, a.model, b.model)
	})
	slices.SortStableFunc(rules, func(a, b *Entry) int { return strings.Compare(a.provider, b.provider) })
	return append(exact, rules...)
}

func cmpPair(a1, b1, a2, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// Models returns the model ids the table lists exactly (on any provider's
// list), sorted and without repeats. Rules are not included.
func (p *Pricing) Models() []string {
	set := map[string]bool{}
	for _, e := range p.Entries() {
		if e.match == nil {
			set[e.model] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func (p *Pricing) clone() *Pricing {
	if p == nil {
		return (&Pricing{fallbacks: map[string][]string{}}).finish()
	}
	q := &Pricing{asOf: p.asOf, source: p.source, sources: slices.Clone(p.sources),
		layers: slices.Clone(p.layers), fallbacks: maps.Clone(p.fallbacks)}
	if q.fallbacks == nil {
		q.fallbacks = map[string][]string{}
	}
	return q
}

// with returns a copy of p with one more layer holding e.
func (p *Pricing) with(e *Entry) *Pricing {
	q := p.clone()
	l := newLayer()
	l.put(e)
	q.layers = append([]*layer{l}, q.layers...)
	return q.finish()
}

// With returns a copy of p in which model costs price on every provider
// (an entry for every provider: it wins over what p had for that id on
// any provider's list). It fails, leaving p as it was, when a price is
// negative, not finite or above 1e6 (a *PricingError naming the field).
func (p *Pricing) With(model string, price Price) (*Pricing, error) {
	return p.withProvider("", model, price)
}

// WithProvider returns a copy of p in which model costs price on
// provider's price list only (provider goes through pricingProvider):
// a negotiated Bedrock price, a model the table lacks.
func (p *Pricing) WithProvider(provider, model string, price Price) (*Pricing, error) {
	prov := pricingProvider(provider)
	if prov == "" {
		return nil, &PricingError{Entry: model, Field: "provider", Reason: "empty: use With for a price on every provider"}
	}
	return p.withProvider(prov, model, price)
}

func (p *Pricing) withProvider(prov, model string, price Price) (*Pricing, error) {
	key := priceKey(model)
	name := entryName(prov, model)
	if key == "" {
		return nil, &PricingError{Entry: name, Reason: "empty model id"}
	}
	e, err := newEntry(prov, key, []DatedPrice{{Price: price}})
	if err != nil {
		return nil, annotate(err, "", name)
	}
	e.source, e.asOf = "code", p.AsOf()
	return p.with(e), nil
}

// WithDeployments returns a copy of p in which each deployment name of
// deployments is priced, on provider, as the model id it maps to. Azure
// OpenAI reports the deployment's name, chosen by its owner, not the
// model: map it to the id the table lists, the deployment type included
// ("us/" or "eu/" for a Data Zone deployment, which costs 10 % more;
// nothing for a Global Standard one):
//
//	p, err := ailabels.DefaultPricing().WithDeployments(ailabels.ProviderAzureOpenAI,
//		map[string]string{"chat-prod": "eu/gpt-5.4-2026-03-05", "chat-dev": "gpt-5.4-mini"})
//
// Each target must be priced on provider (or where it falls back to): an
// unknown target is an error naming the deployment.
func (p *Pricing) WithDeployments(provider string, deployments map[string]string) (*Pricing, error) {
	prov := pricingProvider(provider)
	if prov == "" {
		return nil, &PricingError{Field: "provider", Reason: "empty"}
	}
	l := newLayer()
	m := map[string]string{}
	var errs errList
	for _, name := range slices.Sorted(maps.Keys(deployments)) {
		k, target := priceKey(name), priceKey(deployments[name])
		switch {
		case k == "":
			errs.add(&PricingError{Entry: entryName(prov, name), Reason: "empty deployment name"})
		case p.Entry(prov, target) == nil:
			errs.add(&PricingError{Entry: entryName(prov, name), Field: "model", Reason: fmt.Sprintf("%q is not priced on %s", deployments[name], prov)})
		default:
			m[k] = target
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	l.deployments[prov] = m
	q := p.clone()
	q.layers = append([]*layer{l}, q.layers...)
	return q.finish(), nil
}

// WithAsOf returns a copy of p dated date (YYYY-MM-DD): for a table loaded
// from a reference file that carries no date of its own.
func (p *Pricing) WithAsOf(date string) (*Pricing, error) {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, &PricingError{Field: "as_of", Reason: fmt.Sprintf("%q: want YYYY-MM-DD", date)}
	}
	q := p.clone()
	q.asOf = date
	for i, l := range q.layers {
		nl := &layer{exact: map[string]map[string]*Entry{}, rules: map[string][]*Entry{}, deployments: l.deployments}
		dated := func(e *Entry) *Entry {
			if e.asOf != "" {
				return e
			}
			c := *e
			c.asOf = date
			return &c
		}
		for prov, m := range l.exact {
			nm := make(map[string]*Entry, len(m))
			for k, e := range m {
				nm[k] = dated(e)
			}
			nl.exact[prov] = nm
		}
		for prov, rs := range l.rules {
			nrs := make([]*Entry, len(rs))
			for j, e := range rs {
				nrs[j] = dated(e)
			}
			nl.rules[prov] = nrs
		}
		q.layers[i] = nl
	}
	return q.finish(), nil
}

// Merge returns a table with the entries of p and of q; q's win where both
// price a call (an entry of q for every provider wins over p's entries for
// that id on any provider's list). AsOf and Source are q's when q has them;
// q's fallbacks replace p's for the providers q names.
func (p *Pricing) Merge(q *Pricing) *Pricing {
	r := p.clone()
	if q == nil {
		return r.finish()
	}
	r.layers = append(slices.Clone(q.layers), r.layers...)
	maps.Copy(r.fallbacks, q.fallbacks)
	if q.asOf != "" {
		r.asOf = q.asOf
	}
	if q.source != "" {
		r.source = q.source
	}
	r.sources = append(slices.Clone(q.sources), r.sources...)
	return r.finish()
}

func entryName(provider, model string) string {
	if provider == "" {
		return model
	}
	return provider + "/" + model
}

//go:embed pricing.json
var defaultPricingJSON []byte

// defaultPricing parses the embedded table once: a Pricing is immutable,
// so every caller can share it.
var defaultPricing = sync.OnceValue(func() *Pricing {
	p, err := LoadPricing(bytes.NewReader(defaultPricingJSON))
	if err != nil {
		// The embedded table is checked by the package tests; a failure
		// here is a build defect, not a run-time condition.
		panic("ailabels: embedded pricing.json: " + err.Error())
	}
	return p
})

// DefaultPricing returns the table shipped with the SDK (pricing.json),
// generated from two maintained public price lists, LiteLLM's and
// genai-prices' (see Sources), by ailabels/internal/pricegen: the chat,
// responses and embedding models of OpenAI, Anthropic, Google (Gemini API
// and Vertex AI), Mistral, DeepSeek, xAI, AWS Bedrock and Azure (OpenAI and
// AI Foundry), per provider, with their cache, input-size, service-tier and
// dated prices. Prices change: check AsOf (exported as
// ai_pricing_as_of_timestamp_seconds by metrics.NewAI), and refresh with a
// newer file in TELEMETRY_PRICING_FILE (PricingFromEnv) or with
// PricingFromFile, LoadPricing, With or Merge.
func DefaultPricing() *Pricing { return defaultPricing() }

// PricingFileEnv names the environment variable PricingFromEnv reads:
// one or more pricing files (separated by the OS's path-list separator,
// ":" on Unix), each in any format PricingFromFile reads, merged in order
// over DefaultPricing.
const PricingFileEnv = "TELEMETRY_PRICING_FILE"

// PricingFromEnv returns DefaultPricing with the files named by
// TELEMETRY_PRICING_FILE merged over it, in order (later files win); with
// the variable unset or empty, DefaultPricing. It never reaches the
// network.
//
// If a file cannot be read or is invalid, PricingFromEnv returns
// DefaultPricing, without any of the files, and the error (a
// *PricingError naming the variable, the file, the entry and the field,
// matching ErrInvalidPricing): the embedded table stays in force and the
// caller decides whether to carry on. metrics.NewAI carries on and reports
// the error through the Telemetry's error handler.
func PricingFromEnv() (*Pricing, error) {
	v := strings.TrimSpace(os.Getenv(PricingFileEnv))
	if v == "" {
		return DefaultPricing(), nil
	}
	p := DefaultPricing()
	for _, path := range filepath.SplitList(v) {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		q, err := PricingFromFile(path)
		if err != nil {
			return DefaultPricing(), fmt.Errorf("%s: %w", PricingFileEnv, err)
		}
		p = p.Merge(q)
	}
	return p, nil
}

// maxFileSize bounds a pricing file (LiteLLM's is about 1.5 MB).
const maxFileSize = 64 << 20

// PricingFromFile reads a table from the file at path, in any of the three
// formats the loaders read, told apart by their content: this package's
// pricing.json (LoadPricing), LiteLLM's model_prices_and_context_window.json
// (LoadLiteLLM) or genai-prices' data.json (LoadGenAIPrices). A reference
// file that carries no date (genai-prices; LiteLLM without last_updated) is
// dated by the file's modification time, so that AsOf tells how fresh a
// refresh is. Errors name the file.
func PricingFromFile(path string) (*Pricing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &PricingError{File: path, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &PricingError{File: path, Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &PricingError{File: path, Reason: fmt.Sprintf("larger than %d MiB", maxFileSize>>20)}
	}
	var p *Pricing
	switch detectFormat(data) {
	case formatGenAIPrices:
		p, err = LoadGenAIPrices(bytes.NewReader(data))
	case formatLiteLLM:
		p, err = LoadLiteLLM(bytes.NewReader(data))
	default:
		p, err = LoadPricing(bytes.NewReader(data))
	}
	if err != nil {
		return nil, annotate(err, path, "")
	}
	if p.asOf == "" {
		if fi, err := f.Stat(); err == nil {
			p.asOf = fi.ModTime().UTC().Format(time.DateOnly)
			p.relabel()
		}
	}
	return p, nil
}

// relabel gives entries without a date the table's.
func (p *Pricing) relabel() {
	for _, l := range p.layers {
		for _, m := range l.exact {
			for _, e := range m {
				if e.asOf == "" {
					e.asOf = p.asOf
				}
			}
		}
		for _, rs := range l.rules {
			for _, e := range rs {
				if e.asOf == "" {
					e.asOf = p.asOf
				}
			}
		}
	}
}

const (
	formatTable = iota
	formatLiteLLM
	formatGenAIPrices
)

func detectFormat(data []byte) int {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) > 0 && t[0] == '[' {
		return formatGenAIPrices
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return formatTable
	}
	for _, k := range [...]string{"schema_version", "models", "providers", "rules", "as_of", "currency"} {
		if _, ok := top[k]; ok {
			return formatTable
		}
	}
	if _, ok := top["sample_spec"]; ok {
		return formatLiteLLM
	}
	for _, v := range top {
		if bytes.Contains(v, []byte(`"litellm_provider"`)) {
			return formatLiteLLM
		}
	}
	return formatTable
}
