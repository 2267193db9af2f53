package ailabels

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// genaiProviders maps genai-prices' provider ids to the price lists the
// table is keyed by: google's list covers the Gemini API and Vertex AI,
// azure's Azure OpenAI and AI Foundry. Providers not listed keep their id.
var genaiProviders = map[string][]string{
	"openai":    {ProviderOpenAI},
	"anthropic": {ProviderAnthropic},
	"google":    {ProviderGCPGemini, ProviderGCPVertexAI},
	"aws":       {ProviderAWSBedrock},
	"azure":     {ProviderAzureOpenAI, ProviderAzureAIInference},
	"mistral":   {ProviderMistralAI},
	"deepseek":  {ProviderDeepseek},
	"x-ai":      {ProviderXAI},
	"groq":      {ProviderGroq},
	"cohere":    {ProviderCohere},
}

// genAIPricesProviders returns the price lists a genai-prices provider id
// goes to: google to gcp.gemini and gcp.vertex_ai, azure to
// azure.ai.openai and azure.ai.inference, aws to aws.bedrock, x-ai to
// x_ai, mistral to mistral_ai; openai, anthropic, deepseek, groq, cohere
// and any other id keep their name.
func genAIPricesProviders(id string) []string {
	id = asciiLower(strings.TrimSpace(id))
	if ps, ok := genaiProviders[id]; ok {
		return slices.Clone(ps)
	}
	return []string{id}
}

type gpProvider struct {
	ID        string    `json:"id"`
	Models    []gpModel `json:"models"`
	Fallbacks []string  `json:"fallback_model_providers"`
}

type gpModel struct {
	ID         string          `json:"id"`
	Match      json.RawMessage `json:"match"`
	Prices     json.RawMessage `json:"prices"`
	Deprecated bool            `json:"deprecated"`
}

type gpConstrained struct {
	Constraint *struct {
		StartDate string `json:"start_date"`
		StartTime string `json:"start_time"`
		EndTime   string `json:"end_time"`
	} `json:"constraint"`
	Prices map[string]json.RawMessage `json:"prices"`
}

type gpTiered struct {
	Base  *float64 `json:"base"`
	Tiers []struct {
		Start int64   `json:"start"`
		Price float64 `json:"price"`
	} `json:"tiers"`
}

// gpField is one genai-prices price: a number, or a base and tiers.
type gpField struct {
	base  float64
	tiers []struct {
		start int64
		price float64
	}
}

func parseGPField(name string, raw json.RawMessage) (*gpField, error) {
	var v float64
	if err := json.Unmarshal(raw, &v); err == nil {
		if err := checkRate(name, v); err != nil {
			return nil, err
		}
		return &gpField{base: v}, nil
	}
	var t gpTiered
	if err := json.Unmarshal(raw, &t); err != nil || t.Base == nil {
		return nil, &PricingError{Field: name, Reason: fmt.Sprintf("%s: want a number or {\"base\": ..., \"tiers\": [...]}", compact(raw))}
	}
	if err := checkRate(name, *t.Base); err != nil {
		return nil, err
	}
	f := &gpField{base: *t.Base}
	for i, tier := range t.Tiers {
		if err := checkRate(fmt.Sprintf("%s.tiers[%d].price", name, i), tier.Price); err != nil {
			return nil, err
		}
		if tier.Start <= 0 || tier.Start > MaxTokens {
			return nil, &PricingError{Field: fmt.Sprintf("%s.tiers[%d].start", name, i), Reason: fmt.Sprintf("%d: want 1 to %d", tier.Start, MaxTokens)}
		}
		f.tiers = append(f.tiers, struct {
			start int64
			price float64
		}{tier.Start, tier.Price})
	}
	slices.SortFunc(f.tiers, func(a, b struct {
		start int64
		price float64
	}) int {
		return cmp.Compare(a.start, b.start)
	})
	return f, nil
}

// at returns the field's price for a call above start tokens, and whether
// a tier (not the base) gave it.
func (f *gpField) at(start int64) (float64, bool) {
	v, tiered := f.base, false
	for _, t := range f.tiers {
		if t.start <= start {
			v, tiered = t.price, true
		}
	}
	return v, tiered
}

// gpPrice turns one genai-prices price object (per million tokens) into a
// Price; the token prices other than text (audio, images, requests, web
// searches) are not read.
func gpPrice(fields map[string]json.RawMessage) (Price, error) {
	var fs [5]*gpField
	for i, name := range [...]string{"input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok"} {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			continue
		}
		f, err := parseGPField(name, raw)
		if err != nil {
			return Price{}, err
		}
		fs[i] = f
	}
	opt := func(f *gpField) *float64 {
		if f == nil {
			return nil
		}
		return USD(f.base)
	}
	var p Price
	if fs[0] != nil {
		p.Input = fs[0].base
	}
	if fs[1] != nil {
		p.Output = fs[1].base
	}
	p.CacheRead, p.CacheWrite, p.CacheWrite1h = opt(fs[2]), opt(fs[3]), opt(fs[4])
	starts := map[int64]bool{}
	for _, f := range fs {
		if f != nil {
			for _, t := range f.tiers {
				starts[t.start] = true
			}
		}
	}
	for _, s := range slices.Sorted(maps.Keys(starts)) {
		t := Tier{AboveInputTokens: s}
		for i, dst := range [...]**float64{&t.Input, &t.Output, &t.CacheRead, &t.CacheWrite, &t.CacheWrite1h} {
			if fs[i] == nil {
				continue
			}
			if v, tiered := fs[i].at(s); tiered {
				*dst = USD(v)
			}
		}
		p.Tiers = append(p.Tiers, t)
	}
	return p, nil
}

// gpPrices reads a model's prices: one object, or a list of them with
// start_date constraints (later prices from their date on). Prices under a
// time-of-day constraint (start_time, end_time: DeepSeek's off-peak hours)
// cannot be expressed and are skipped: the unconstrained price applies all
// day.
func gpPrices(raw json.RawMessage) ([]DatedPrice, error) {
	var single map[string]json.RawMessage
	if err := json.Unmarshal(raw, &single); err == nil {
		p, err := gpPrice(single)
		if err != nil {
			return nil, err
		}
		return []DatedPrice{{Price: p}}, nil
	}
	var list []gpConstrained
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, &PricingError{Field: "prices", Reason: "want an object or a list of {constraint, prices}", Err: err}
	}
	var out []DatedPrice
	for i, c := range list {
		p, err := gpPrice(c.Prices)
		if err != nil {
			return nil, annotate(err, "", "")
		}
		var from time.Time
		if c.Constraint != nil {
			if c.Constraint.StartTime != "" || c.Constraint.EndTime != "" {
				continue
			}
			if c.Constraint.StartDate != "" {
				d, err := time.Parse(time.DateOnly, c.Constraint.StartDate)
				if err != nil {
					return nil, &PricingError{Field: fmt.Sprintf("prices[%d].constraint.start_date", i), Reason: fmt.Sprintf("%q: want YYYY-MM-DD", c.Constraint.StartDate)}
				}
				from = d
			}
		}
		out = append(out, DatedPrice{From: from, Price: p})
	}
	if len(out) == 0 {
		return nil, &PricingError{Field: "prices", Reason: "no price without a time-of-day constraint"}
	}
	slices.SortStableFunc(out, func(a, b DatedPrice) int { return a.From.Compare(b.From) })
	if !out[0].From.IsZero() {
		out[0].From = time.Time{} // the earliest price is in force before its date too
	}
	return out, nil
}

// LoadGenAIPrices reads genai-prices' data.json (version 2: a list of
// providers, each with models matched by rules) and returns its models as
// rule entries, in the file's order, on the price lists of
// genAIPricesProviders(provider id). Prices are per million tokens:
// input_mtok, output_mtok, cache_read_mtok, cache_write_mtok (the
// 5-minute write) and cache_write_1h_mtok, each a number or a base with
// input-size tiers; a list of prices with start_date constraints becomes
// dated prices; "deprecated" marks the model retired; a provider's
// fallback_model_providers become the table's fallbacks (Azure charges
// what OpenAI and Anthropic charge for the models Azure's list does not
// name). Prices under a time-of-day constraint are skipped. An empty
// price object is a free model.
//
// The file carries no date: the table's AsOf is "" (PricingFromFile uses
// the file's modification time; WithAsOf sets it). A bad price or rule is
// a *PricingError naming the provider, the model and the field.
func LoadGenAIPrices(r io.Reader) (*Pricing, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxFileSize))
	var provs []gpProvider
	if err := dec.Decode(&provs); err != nil {
		return nil, &PricingError{Reason: "not a genai-prices data.json (a JSON list of providers)", Err: err}
	}
	l := newLayer()
	fallbacks := map[string][]string{}
	var errs errList
	for _, pv := range provs {
		platforms := genAIPricesProviders(pv.ID)
		if platforms[0] == "" {
			errs.add(&PricingError{Entry: pv.ID, Field: "id", Reason: "empty provider id"})
			continue
		}
		for _, fb := range pv.Fallbacks {
			for _, pl := range platforms {
				for _, fbp := range genAIPricesProviders(fb) {
					if fbp != pl && fbp != "" {
						fallbacks[pl] = append(fallbacks[pl], fbp)
					}
				}
			}
		}
		for _, m := range pv.Models {
			name := pv.ID + "/" + m.ID
			if strings.TrimSpace(m.ID) == "" {
				errs.add(&PricingError{Entry: name, Field: "id", Reason: "empty model id"})
				continue
			}
			match, err := parseMatch(m.Match)
			if err != nil {
				errs.add(&PricingError{Entry: name, Field: "match", Err: err})
				continue
			}
			prices, err := gpPrices(m.Prices)
			if err != nil {
				errs.add(annotate(err, "", name))
				continue
			}
			for _, pl := range platforms {
				e, err := newEntry(pl, m.ID, prices)
				if err != nil {
					errs.add(annotate(err, "", name))
					break
				}
				e.match, e.matchRaw = match, slices.Clip(compactJSON(m.Match))
				e.retired, e.source = m.Deprecated, "genai-prices:"+name
				l.rules[pl] = append(l.rules[pl], e)
			}
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	p := &Pricing{source: "genai-prices data.json", layers: []*layer{l}, fallbacks: fallbacks}
	return p.finish(), nil
}
