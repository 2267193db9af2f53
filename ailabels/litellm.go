package ailabels

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// litellmProviders maps LiteLLM's litellm_provider values to the
// gen_ai.provider.name values the table is keyed by. Providers not listed
// keep LiteLLM's name.
var litellmProviders = map[string]string{
	"openai":                 ProviderOpenAI,
	"text-completion-openai": ProviderOpenAI,
	"anthropic":              ProviderAnthropic,
	"gemini":                 ProviderGCPGemini,
	"vertex_ai":              ProviderGCPVertexAI,
	"mistral":                ProviderMistralAI,
	"deepseek":               ProviderDeepseek,
	"xai":                    ProviderXAI,
	"bedrock":                ProviderAWSBedrock,
	"bedrock_converse":       ProviderAWSBedrock,
	"bedrock_mantle":         ProviderAWSBedrock,
	"azure":                  ProviderAzureOpenAI,
	"azure_ai":               ProviderAzureAIInference,
	"groq":                   ProviderGroq,
	"cohere":                 ProviderCohere,
	"cohere_chat":            ProviderCohere,
}

// liteLLMProvider returns the provider whose price list a LiteLLM entry of
// litellm_provider goes to: openai (and text-completion-openai), anthropic,
// gcp.gemini (gemini), gcp.vertex_ai (vertex_ai and every vertex_ai-*),
// mistral_ai, deepseek, x_ai, aws.bedrock (bedrock, bedrock_converse,
// bedrock_mantle), azure.ai.openai (azure), azure.ai.inference
// (azure_ai), groq, cohere; any other keeps LiteLLM's name.
func liteLLMProvider(litellmProvider string) string {
	p := asciiLower(strings.TrimSpace(litellmProvider))
	if c, ok := litellmProviders[p]; ok {
		return c
	}
	if strings.HasPrefix(p, "vertex_ai-") {
		return ProviderGCPVertexAI
	}
	return p
}

// liteLLMModelID returns the model id, as the provider's API returns it,
// of a LiteLLM key: without LiteLLM's routing prefix (gemini/, mistral/,
// xai/, deepseek/, vertex_ai/, azure/, azure_ai/, bedrock/ and its
// invoke/ and converse/ routes, or the provider's own name), lower-cased.
// What LiteLLM keeps in the key beyond the model is kept: an Azure
// deployment type (us/, eu/, global/), a Bedrock region
// (us-gov-west-1/anthropic.claude-...), a Vertex publisher
// (meta/llama-...-maas). prefixed reports whether a routing prefix was
// removed.
func liteLLMModelID(litellmProvider, key string) (id string, prefixed bool) {
	k := asciiLower(strings.TrimSpace(key))
	lp := asciiLower(strings.TrimSpace(litellmProvider))
	routes := []string{lp}
	if base, _, ok := strings.Cut(lp, "-"); ok {
		routes = append(routes, base)
	}
	switch liteLLMProvider(lp) {
	case ProviderAWSBedrock:
		routes = append(routes, "bedrock", "bedrock_mantle")
	case ProviderGCPVertexAI:
		routes = append(routes, "vertex_ai")
	case ProviderCohere:
		routes = append(routes, "cohere")
	}
	if lp == "amazon_nova" {
		routes = append(routes, "amazon-nova")
	}
	for _, r := range routes {
		if rest, ok := strings.CutPrefix(k, r+"/"); ok && rest != "" {
			k, prefixed = rest, true
			break
		}
	}
	if liteLLMProvider(lp) == ProviderAWSBedrock {
		for _, r := range [...]string{"invoke/", "converse/"} {
			if rest, ok := strings.CutPrefix(k, r); ok && rest != "" {
				k, prefixed = rest, true
			}
		}
	}
	return k, prefixed
}

// litellmModes are the modes of token-priced models.
var litellmModes = map[string]bool{"chat": true, "responses": true, "embedding": true, "completion": true}

// litellmField parses LiteLLM's per-token price fields: a token type,
// optionally an input-size threshold in thousands, optionally a service
// tier.
var litellmField = regexp.MustCompile(`^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost(?:_above_1hr)?)(?:_above_(\d+)k_tokens)?(?:_(batches|flex|priority))?$`)

type llRates struct{ in, out, cr, cw, cw1 *float64 }

func (r *llRates) set(field string, v float64) {
	p := USD(v)
	switch field {
	case "input_cost_per_token":
		r.in = p
	case "output_cost_per_token":
		r.out = p
	case "cache_read_input_token_cost":
		r.cr = p
	case "cache_creation_input_token_cost":
		r.cw = p
	case "cache_creation_input_token_cost_above_1hr":
		r.cw1 = p
	}
}

type llService struct {
	base  llRates
	tiers map[int64]*llRates
}

// perMillion turns LiteLLM's US dollars per token into dollars per million
// tokens, rounded to 10 significant digits so that 2.5e-06 is 2.5.
func perMillion(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v*1e6, 'g', 10, 64), 64)
	if err != nil {
		return v * 1e6
	}
	return r
}

// LoadLiteLLM reads LiteLLM's model_prices_and_context_window.json and
// returns its token-priced models (modes chat, responses, embedding and
// completion, with an input_cost_per_token) as exact entries, each on the
// price list of liteLLMProvider(litellm_provider), under
// liteLLMModelID(key). Per-token prices become per-million prices:
// input/output_cost_per_token, cache_read_input_token_cost,
// cache_creation_input_token_cost (the 5-minute write),
// cache_creation_input_token_cost_above_1hr; the _above_Nk_tokens
// variants become input-size tiers and tiered_pricing ranges too; the
// _batches, _flex and _priority variants the service tiers (offered when
// both their input and output prices are given); deprecation_date marks
// the retirement date. Other prices (audio, images, per request, per
// second, reasoning priced apart from output) are not read. When two keys
// give one provider and id (gemini/gemini-2.5-pro and gemini-2.5-pro on
// the gemini list), the key with LiteLLM's routing prefix wins.
//
// The table's AsOf is the file's last_updated date when it has one (the
// upstream file has none: see PricingFromFile). A price that is not a
// number, negative or above 1e6 per million tokens is a *PricingError
// naming the key and the field.
func LoadLiteLLM(r io.Reader) (*Pricing, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxFileSize))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, &PricingError{Reason: "not a LiteLLM price list (a JSON object of models)", Err: err}
	}
	asOf := ""
	if lu, ok := raw["last_updated"]; ok {
		var s string
		if json.Unmarshal(lu, &s) == nil && len(s) >= 10 {
			if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
				asOf = s[:10]
			}
		}
	}
	type chosen struct {
		key      string
		prefixed bool
		e        *Entry
	}
	picked := map[[2]string]chosen{}
	var errs errList
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		if key == "sample_spec" || key == "last_updated" {
			continue
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw[key], &fields) != nil {
			continue // not a model
		}
		var mode, lp string
		_ = json.Unmarshal(fields["mode"], &mode)
		_ = json.Unmarshal(fields["litellm_provider"], &lp)
		if !litellmModes[mode] || lp == "" {
			continue
		}
		if _, ok := fields["input_cost_per_token"]; !ok {
			continue
		}
		e, err := litellmEntry(key, lp, fields)
		if err != nil {
			errs.add(annotate(err, "", key))
			continue
		}
		if e == nil {
			continue
		}
		e.asOf = asOf
		id, prefixed := liteLLMModelID(lp, key)
		if priceKey(id) == "" {
			errs.add(&PricingError{Entry: key, Reason: "no model id in the key"})
			continue
		}
		e.model, e.source = priceKey(id), "litellm:"+key
		pk := [2]string{e.provider, e.model}
		if old, ok := picked[pk]; ok && (old.prefixed || !prefixed) {
			continue // sorted keys: the earlier wins a tie
		}
		picked[pk] = chosen{key, prefixed, e}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	l := newLayer()
	for _, c := range picked {
		l.put(c.e)
	}
	p := &Pricing{asOf: asOf, source: "LiteLLM model_prices_and_context_window.json", layers: []*layer{l}, fallbacks: map[string][]string{}}
	return p.finish(), nil
}

func litellmEntry(key, lp string, fields map[string]json.RawMessage) (*Entry, error) {
	svc := map[string]*llService{}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		m := litellmField.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		v := fields[f]
		if string(v) == "null" {
			continue
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, &PricingError{Field: f, Reason: fmt.Sprintf("%s: want a number (US dollars per token)", compact(v))}
		}
		x, err := n.Float64()
		if err != nil || x < 0 || x*1e6 > maxPrice {
			return nil, &PricingError{Field: f, Reason: fmt.Sprintf("%s: want a number from 0 to 1 (US dollars per token)", n)}
		}
		s := svc[m[3]]
		if s == nil {
			s = &llService{tiers: map[int64]*llRates{}}
			svc[m[3]] = s
		}
		if m[2] == "" {
			s.base.set(m[1], perMillion(x))
			continue
		}
		k, _ := strconv.ParseInt(m[2], 10, 64)
		t := s.tiers[k*1000]
		if t == nil {
			t = &llRates{}
			s.tiers[k*1000] = t
		}
		t.set(m[1], perMillion(x))
	}
	if tp, ok := fields["tiered_pricing"]; ok {
		if err := litellmRanges(tp, svc); err != nil {
			return nil, err
		}
	}
	std := svc[""]
	if std == nil || std.base.in == nil {
		return nil, nil
	}
	// Each field has its own thresholds in LiteLLM (the price of a call
	// is the one of the highest threshold of that field it passes): a tier
	// carries forward the fields of lower tiers it does not restate.
	tiersOf := func(s *llService) []Tier {
		var ts []Tier
		var last llRates
		for _, above := range slices.Sorted(maps.Keys(s.tiers)) {
			r := s.tiers[above]
			if above <= 0 {
				continue
			}
			for _, f := range [...]struct{ v, dst **float64 }{{&r.in, &last.in}, {&r.out, &last.out}, {&r.cr, &last.cr}, {&r.cw, &last.cw}, {&r.cw1, &last.cw1}} {
				if *f.v != nil {
					*f.dst = *f.v
				}
			}
			ts = append(ts, Tier{AboveInputTokens: above, Input: last.in, Output: last.out, CacheRead: last.cr, CacheWrite: last.cw, CacheWrite1h: last.cw1})
		}
		return ts
	}
	out := 0.0
	if std.base.out != nil {
		out = *std.base.out
	}
	p := Price{Input: *std.base.in, Output: out, CacheRead: std.base.cr, CacheWrite: std.base.cw, CacheWrite1h: std.base.cw1, Tiers: tiersOf(std)}
	for name, dst := range map[string]**ServicePrice{"batches": &p.Batch, "flex": &p.Flex, "priority": &p.Priority} {
		s := svc[name]
		if s == nil || s.base.in == nil || s.base.out == nil {
			continue
		}
		*dst = &ServicePrice{Input: *s.base.in, Output: *s.base.out, CacheRead: s.base.cr, CacheWrite: s.base.cw, CacheWrite1h: s.base.cw1, Tiers: tiersOf(s)}
	}
	e, err := newEntry(liteLLMProvider(lp), key, []DatedPrice{{Price: p}})
	if err != nil {
		return nil, err
	}
	if dd, ok := fields["deprecation_date"]; ok {
		var s string
		if json.Unmarshal(dd, &s) == nil {
			if d, err := time.Parse(time.DateOnly, s); err == nil {
				e.retires = d
			}
		}
	}
	return e, nil
}

// litellmRanges reads tiered_pricing: [{"range": [start, end],
// "input_cost_per_token": ..., "output_cost_per_token": ...}]; a range
// starting above 0 is a tier above its start.
func litellmRanges(raw json.RawMessage, svc map[string]*llService) error {
	var ranges []struct {
		Range  []float64 `json:"range"`
		Input  *float64  `json:"input_cost_per_token"`
		Output *float64  `json:"output_cost_per_token"`
		Cache  *float64  `json:"cache_read_input_token_cost"`
	}
	if err := json.Unmarshal(raw, &ranges); err != nil {
		return &PricingError{Field: "tiered_pricing", Err: err}
	}
	s := svc[""]
	if s == nil {
		s = &llService{tiers: map[int64]*llRates{}}
		svc[""] = s
	}
	for i, r := range ranges {
		if len(r.Range) != 2 || r.Range[0] < 0 || r.Range[0] > MaxTokens {
			return &PricingError{Field: fmt.Sprintf("tiered_pricing[%d].range", i), Reason: "want [start, end] in tokens"}
		}
		rates := &llRates{}
		for _, f := range [...]struct {
			name string
			v    *float64
		}{{"input_cost_per_token", r.Input}, {"output_cost_per_token", r.Output}, {"cache_read_input_token_cost", r.Cache}} {
			if f.v == nil {
				continue
			}
			if *f.v < 0 || *f.v*1e6 > maxPrice {
				return &PricingError{Field: fmt.Sprintf("tiered_pricing[%d].%s", i, f.name), Reason: fmt.Sprintf("%v: want a number from 0 to 1 (US dollars per token)", *f.v)}
			}
			rates.set(f.name, perMillion(*f.v))
		}
		start := int64(r.Range[0])
		if start == 0 {
			if s.base.in == nil {
				s.base.in = rates.in
			}
			if s.base.out == nil {
				s.base.out = rates.out
			}
			continue
		}
		s.tiers[start] = rates
	}
	return nil
}
