package ailabels

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// SchemaVersion is the version of the pricing-file format that WriteJSON
// writes and LoadPricing reads (it reads version 1 too: the format of the
// 2025 table, one price per model, a zero cache price meaning the input
// price).
const SchemaVersion = 2

// tableFile is the JSON form of a Pricing (see pricing.json and
// LoadPricing).
type tableFile = tableFileOf[fileEntry, fileRule]

// rawTableFile is tableFile with the entries left undecoded, so that an
// error names the entry it is in.
type rawTableFile = tableFileOf[json.RawMessage, json.RawMessage]

// tableFileOf is the JSON form of a Pricing with its entries of type E
// and its rules of type R.
type tableFileOf[E, R any] struct {
	SchemaVersion int                          `json:"schema_version,omitempty"`
	AsOf          string                       `json:"as_of,omitempty"`
	Source        string                       `json:"source,omitempty"`
	Sources       []Source                     `json:"sources,omitempty"`
	Currency      string                       `json:"currency,omitempty"`
	Unit          string                       `json:"unit,omitempty"`
	Fallbacks     map[string][]string          `json:"fallbacks,omitempty"`
	Deployments   map[string]map[string]string `json:"deployments,omitempty"`
	Models        map[string]E                 `json:"models,omitempty"`
	Providers     map[string]map[string]E      `json:"providers,omitempty"`
	Rules         map[string][]R               `json:"rules,omitempty"`
}

// decodeStrict decodes raw into v, refusing unknown fields; its error is a
// PricingError naming the field.
func decodeStrict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if i := strings.LastIndexByte(field, '.'); i >= 0 {
				field = field[i+1:]
			}
			return &PricingError{Field: field, Reason: fmt.Sprintf("a JSON %s: want a %s", te.Value, te.Type)}
		}
		return &PricingError{Err: err}
	}
	return nil
}

type fileEntry struct {
	Price
	// Version 1: one tier, which replaced every price above the threshold.
	LongContextThreshold int64  `json:"long_context_threshold,omitempty"`
	LongContext          *Price `json:"long_context,omitempty"`

	Changes []fileChange `json:"changes,omitempty"`
	Retires string       `json:"retires,omitempty"`
	Retired bool         `json:"retired,omitempty"`
	Source  string       `json:"source,omitempty"`
}

type fileChange struct {
	From string `json:"from"`
	Price
}

type fileRule struct {
	Name  string          `json:"name"`
	Match json.RawMessage `json:"match"`
	fileEntry
}

// LoadPricing reads a table in the JSON form of pricing.json (version 2;
// WriteJSON writes it):
//
//	{"schema_version": 2, "as_of": "2026-07-24", "currency": "USD", "unit": "per 1M tokens",
//	 "models":    {"my-llama": {"input": 0.2, "output": 0.6}},
//	 "providers": {"anthropic": {"claude-sonnet-5": {"input": 2, "output": 10,
//	                  "cache_read": 0.2, "cache_write": 2.5, "cache_write_1h": 4,
//	                  "batch": {"input": 1, "output": 5},
//	                  "changes": [{"from": "2026-09-01", "input": 3, "output": 15, "cache_read": 0.3}]}},
//	               "gcp.gemini": {"gemini-2.5-pro": {"input": 1.25, "output": 10,
//	                  "tiers": [{"above_input_tokens": 200000, "input": 2.5, "output": 15}]}}},
//	 "rules":     {"openai": [{"name": "gpt-5-nano", "match": {"starts_with": "gpt-5-nano-"}, "input": 0.05, "output": 0.4}]},
//	 "deployments": {"azure.ai.openai": {"chat-prod": "eu/gpt-5.4"}},
//	 "fallbacks": {"azure.ai.openai": ["openai"]}}
//
// "models" are entries for every provider; "providers" are per provider's
// price list (gen_ai.provider.name values), exact ids; "rules" match ids
// by genai-prices' clauses (equals, starts_with, ends_with, contains,
// regex, or, and), first match wins; "changes" are later prices from their
// date on; "retires" (YYYY-MM-DD) or "retired" mark retired models. Prices
// are US dollars per million tokens (see Price for the fields and their
// defaults). A version-1 file (the 2025 table: "models" only,
// long_context_threshold and long_context) still loads.
//
// Unknown fields, a currency other than USD, a unit other than per 1M
// tokens and prices that are negative, not finite or above 1e6 are errors:
// *PricingError values naming the entry and the field, joined, matching
// ErrInvalidPricing.
func LoadPricing(r io.Reader) (*Pricing, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxFileSize))
	dec.DisallowUnknownFields()
	var rf rawTableFile
	if err := dec.Decode(&rf); err != nil {
		return nil, &PricingError{Err: err}
	}
	var errs errList
	f := tableFile{SchemaVersion: rf.SchemaVersion, AsOf: rf.AsOf, Source: rf.Source, Sources: rf.Sources, Currency: rf.Currency,
		Unit: rf.Unit, Fallbacks: rf.Fallbacks, Deployments: rf.Deployments,
		Models: map[string]fileEntry{}, Providers: map[string]map[string]fileEntry{}, Rules: map[string][]fileRule{}}
	for id, raw := range rf.Models {
		var fe fileEntry
		if err := decodeStrict(raw, &fe); err != nil {
			errs.add(annotate(err, "", id))
			continue
		}
		f.Models[id] = fe
	}
	for prov, m := range rf.Providers {
		f.Providers[prov] = map[string]fileEntry{}
		for id, raw := range m {
			var fe fileEntry
			if err := decodeStrict(raw, &fe); err != nil {
				errs.add(annotate(err, "", entryName(prov, id)))
				continue
			}
			f.Providers[prov][id] = fe
		}
	}
	for prov, list := range rf.Rules {
		for i, raw := range list {
			var fr fileRule
			if err := decodeStrict(raw, &fr); err != nil {
				errs.add(annotate(err, "", fmt.Sprintf("%s/rule %d", prov, i)))
				continue
			}
			f.Rules[prov] = append(f.Rules[prov], fr)
		}
	}
	if f.SchemaVersion > SchemaVersion {
		errs.add(&PricingError{Field: "schema_version", Reason: fmt.Sprintf("%d: this SDK reads versions 1 and %d", f.SchemaVersion, SchemaVersion)})
	}
	if f.Currency != "" && f.Currency != "USD" {
		errs.add(&PricingError{Field: "currency", Reason: fmt.Sprintf("%q: only USD is supported", f.Currency)})
	}
	if f.Unit != "" && !strings.EqualFold(f.Unit, "per 1M tokens") {
		errs.add(&PricingError{Field: "unit", Reason: fmt.Sprintf("%q: prices must be per 1M tokens", f.Unit)})
	}
	if f.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, f.AsOf); err != nil {
			errs.add(&PricingError{Field: "as_of", Reason: fmt.Sprintf("%q: want YYYY-MM-DD", f.AsOf)})
		}
	}
	v1 := f.SchemaVersion < 2
	l := newLayer()
	add := func(prov, id string, fe fileEntry) *Entry {
		key := priceKey(id)
		name := entryName(prov, id)
		if key == "" {
			errs.add(&PricingError{Entry: name, Reason: "empty model id"})
			return nil
		}
		e, err := fe.entry(prov, key, v1)
		if err != nil {
			errs.add(annotate(err, "", name))
			return nil
		}
		e.asOf = f.AsOf
		return e
	}
	for _, id := range slices.Sorted(maps.Keys(f.Models)) {
		if e := add("", id, f.Models[id]); e != nil {
			l.put(e)
		}
	}
	for _, prov := range slices.Sorted(maps.Keys(f.Providers)) {
		cp := pricingProvider(prov)
		if cp == "" {
			errs.add(&PricingError{Entry: prov, Reason: "empty provider"})
			continue
		}
		for _, id := range slices.Sorted(maps.Keys(f.Providers[prov])) {
			if e := add(cp, id, f.Providers[prov][id]); e != nil {
				l.put(e)
			}
		}
	}
	for _, prov := range slices.Sorted(maps.Keys(f.Rules)) {
		cp := pricingProvider(prov)
		for i, fr := range f.Rules[prov] {
			// A rule's name is a label, not an id.
			name := strings.TrimSpace(fr.Name)
			if name == "" {
				name = fmt.Sprintf("rule %d", i)
			}
			m, err := parseMatch(fr.Match)
			if err != nil {
				errs.add(&PricingError{Entry: entryName(cp, name), Field: "match", Err: err})
				continue
			}
			e, err := fr.entry(cp, name, v1)
			if err != nil {
				errs.add(annotate(err, "", entryName(cp, name)))
				continue
			}
			e.asOf = f.AsOf
			e.match, e.matchRaw = m, slices.Clip(compactJSON(fr.Match))
			l.rules[cp] = append(l.rules[cp], e)
		}
	}
	for _, prov := range slices.Sorted(maps.Keys(f.Deployments)) {
		cp := pricingProvider(prov)
		m := map[string]string{}
		for name, target := range f.Deployments[prov] {
			if priceKey(name) == "" || priceKey(target) == "" {
				errs.add(&PricingError{Entry: entryName(cp, name), Field: "deployments", Reason: "empty deployment or model"})
				continue
			}
			m[priceKey(name)] = priceKey(target)
		}
		l.deployments[cp] = m
	}
	fallbacks := map[string][]string{}
	for prov, fbs := range f.Fallbacks {
		cp := pricingProvider(prov)
		for _, fb := range fbs {
			if fbp := pricingProvider(fb); fbp != "" && fbp != cp {
				fallbacks[cp] = append(fallbacks[cp], fbp)
			}
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	p := &Pricing{asOf: f.AsOf, source: f.Source, sources: f.Sources, layers: []*layer{l}, fallbacks: fallbacks}
	return p.finish(), nil
}

func compactJSON(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// v1Zero turns a version-1 zero cache price (which meant "the input
// price") into an unset one.
func v1Zero(v *float64) *float64 {
	if v != nil && *v == 0 {
		return nil
	}
	return v
}

func (fe fileEntry) entry(prov, key string, v1 bool) (*Entry, error) {
	first := fe.Price
	if v1 {
		first.CacheRead, first.CacheWrite = v1Zero(first.CacheRead), v1Zero(first.CacheWrite)
	}
	if fe.LongContext != nil {
		if fe.LongContextThreshold <= 0 {
			return nil, &PricingError{Field: "long_context", Reason: "needs a positive long_context_threshold"}
		}
		lc := *fe.LongContext
		cr, cw := v1Zero(lc.CacheRead), v1Zero(lc.CacheWrite)
		if cr == nil {
			cr = USD(lc.Input)
		}
		if cw == nil {
			cw = USD(lc.Input)
		}
		first.Tiers = append(slices.Clone(first.Tiers), Tier{AboveInputTokens: fe.LongContextThreshold,
			Input: USD(lc.Input), Output: USD(lc.Output), CacheRead: cr, CacheWrite: cw, CacheWrite1h: lc.CacheWrite1h})
	}
	prices := []DatedPrice{{Price: first}}
	for i, c := range fe.Changes {
		d, err := time.Parse(time.DateOnly, c.From)
		if err != nil {
			return nil, &PricingError{Field: fmt.Sprintf("changes[%d].from", i), Reason: fmt.Sprintf("%q: want YYYY-MM-DD", c.From)}
		}
		prices = append(prices, DatedPrice{From: d, Price: c.Price})
	}
	e, err := newEntry(prov, key, prices)
	if err != nil {
		return nil, err
	}
	if fe.Retires != "" {
		d, err := time.Parse(time.DateOnly, fe.Retires)
		if err != nil {
			return nil, &PricingError{Field: "retires", Reason: fmt.Sprintf("%q: want YYYY-MM-DD", fe.Retires)}
		}
		e.retires = d
	}
	e.retired, e.source = fe.Retired, fe.Source
	return e, nil
}

// fileEntryOf is the JSON form of an entry.
func fileEntryOf(e *Entry) fileEntry {
	fe := fileEntry{Price: e.periods[0].price, Retired: e.retired, Source: e.source}
	for _, p := range e.periods[1:] {
		fe.Changes = append(fe.Changes, fileChange{From: p.date.Format(time.DateOnly), Price: p.price})
	}
	if !e.retires.IsZero() {
		fe.Retires = e.retires.Format(time.DateOnly)
	}
	return fe
}

// WriteJSON writes p in the format LoadPricing reads (version
// SchemaVersion), deterministically: keys sorted, one entry per line, so
// that a generated table diffs well. Of a merged table it writes the
// entries a lookup can reach, exact ids and rules apart (LoadPricing of
// the result looks up a provider's exact ids before its rules).
func (p *Pricing) WriteJSON(w io.Writer) error {
	var b bytes.Buffer
	line := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	js := func(v any) string {
		out, err := json.Marshal(v)
		if err != nil {
			panic(err) // only plain data
		}
		return string(out)
	}
	// list writes open, then items a line each one level deeper with
	// commas between them, then close.
	list := func(indent int, open string, items []string, close string) {
		line(indent, "%s", open)
		for i, it := range items {
			line(indent+1, "%s%s", it, comma(i, len(items)))
		}
		line(indent, "%s", close)
	}
	line(0, "{")
	line(1, `"schema_version": %d,`, SchemaVersion)
	if a := p.AsOf(); a != "" {
		line(1, `"as_of": %s,`, js(a))
	}
	if s := p.Source(); s != "" {
		line(1, `"source": %s,`, js(s))
	}
	if len(p.Sources()) > 0 {
		var items []string
		for _, s := range p.Sources() {
			items = append(items, js(s))
		}
		list(1, `"sources": [`, items, "],")
	}
	line(1, `"currency": "USD",`)
	line(1, `"unit": "per 1M tokens",`)

	fb := map[string][]string{}
	dep := map[string]map[string]string{}
	if p != nil {
		maps.Copy(fb, p.fallbacks)
		for i := len(p.layers) - 1; i >= 0; i-- {
			for prov, m := range p.layers[i].deployments {
				if dep[prov] == nil {
					dep[prov] = map[string]string{}
				}
				maps.Copy(dep[prov], m)
			}
		}
	}
	generic := map[string]fileEntry{}
	byProv := map[string]map[string]fileEntry{}
	rules := map[string][]*Entry{}
	for _, e := range p.Entries() {
		switch {
		case e.match != nil:
			rules[e.provider] = append(rules[e.provider], e)
		case e.provider == "":
			generic[e.model] = fileEntryOf(e)
		default:
			if byProv[e.provider] == nil {
				byProv[e.provider] = map[string]fileEntry{}
			}
			byProv[e.provider][e.model] = fileEntryOf(e)
		}
	}
	var sections []func()
	if len(fb) > 0 {
		sections = append(sections, func() { line(1, `"fallbacks": %s`, js(fb)) })
	}
	if len(dep) > 0 {
		sections = append(sections, func() { line(1, `"deployments": %s`, js(dep)) })
	}
	// entries are the lines "id": {entry} of m, by id.
	entries := func(m map[string]fileEntry) []string {
		var items []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			items = append(items, js(k)+": "+js(m[k]))
		}
		return items
	}
	// perProvider writes the section name: for each of provs, a list of
	// its items between open and close.
	perProvider := func(name string, provs []string, open, close string, items func(prov string) []string) {
		line(1, "%s: {", js(name))
		for i, prov := range provs {
			list(2, js(prov)+": "+open, items(prov), close+comma(i, len(provs)))
		}
		line(1, "}")
	}
	if len(generic) > 0 {
		sections = append(sections, func() { list(1, `"models": {`, entries(generic), "}") })
	}
	if len(byProv) > 0 {
		sections = append(sections, func() {
			perProvider("providers", slices.Sorted(maps.Keys(byProv)), "{", "}", func(prov string) []string {
				return entries(byProv[prov])
			})
		})
	}
	if len(rules) > 0 {
		sections = append(sections, func() {
			perProvider("rules", slices.Sorted(maps.Keys(rules)), "[", "]", func(prov string) []string {
				var items []string
				for _, e := range rules[prov] {
					items = append(items, js(fileRule{Name: e.model, Match: e.matchRaw, fileEntry: fileEntryOf(e)}))
				}
				return items
			})
		})
	}
	for i, s := range sections {
		s()
		if i < len(sections)-1 {
			// The section ended with a newline: put the comma before it.
			b.Truncate(b.Len() - 1)
			b.WriteString(",\n")
		}
	}
	if len(sections) == 0 {
		// The unit line ended with a comma: drop it.
		b.Truncate(b.Len() - 2)
		b.WriteString("\n")
	}
	line(0, "}")
	_, err := w.Write(b.Bytes())
	return err
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}
