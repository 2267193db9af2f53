package ailabels_test

// An independent check of the embedded table against the two reference
// files. Nothing here uses the generator or the package's loaders: the
// files are read with encoding/json into plain maps, LiteLLM's keys are
// mapped to provider ids, genai-prices' rules are matched and both lists'
// figures are computed by the code below, from the files' documented
// meaning. The only shared input is overrides.json, the reviewed record of
// which list wins where they disagree.
//
// Interpretation of a price a list leaves out (the SDK's documented rule,
// applied to both lists): a missing output price is 0; a missing cache
// read or cache write price is the untiered input price; a tier (or a
// service tier's tier) that does not restate a price keeps the base one.
// Prices under a time-of-day constraint (genai-prices' DeepSeek off-peak
// hours) are not expressible and are not checked.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

const refDir = "internal/refdata"

// The fixed usage of the issue: 1M input tokens of which 200k cache read
// and 100k cache write (5 minutes), 1M output tokens.
var fixedUsage = ailabels.Usage{InputTokens: 1_000_000, CachedInputTokens: 200_000, CacheWriteInputTokens: 100_000, OutputTokens: 1_000_000}

// coverageTolerance is how far the table's cost may be from a reference's
// figure.
const coverageTolerance = 0.005

// groups are the providers the coverage rule names, and the price lists
// (gen_ai.provider.name) each stands for.
var groups = []struct {
	name      string
	platforms []string
}{
	{"OpenAI", []string{"openai"}},
	{"Anthropic", []string{"anthropic"}},
	{"Google (Gemini API, Vertex AI)", []string{"gcp.gemini", "gcp.vertex_ai"}},
	{"Mistral", []string{"mistral_ai"}},
	{"DeepSeek", []string{"deepseek"}},
	{"xAI", []string{"x_ai"}},
	{"AWS Bedrock", []string{"aws.bedrock"}},
	{"Azure (OpenAI, AI Foundry)", []string{"azure.ai.openai", "azure.ai.inference"}},
}

// --- LiteLLM, read independently -----------------------------------------

// llPlatform maps LiteLLM's litellm_provider to the price list, "" for
// providers outside the coverage rule.
func llPlatform(p string) string {
	switch {
	case p == "openai":
		return "openai"
	case p == "anthropic":
		return "anthropic"
	case p == "gemini":
		return "gcp.gemini"
	case p == "vertex_ai" || strings.HasPrefix(p, "vertex_ai-"):
		return "gcp.vertex_ai"
	case p == "mistral":
		return "mistral_ai"
	case p == "deepseek":
		return "deepseek"
	case p == "xai":
		return "x_ai"
	case p == "bedrock" || p == "bedrock_converse" || p == "bedrock_mantle":
		return "aws.bedrock"
	case p == "azure":
		return "azure.ai.openai"
	case p == "azure_ai":
		return "azure.ai.inference"
	}
	return ""
}

// llID strips LiteLLM's routing prefix from a key: what is left is the id
// the provider's API takes and returns.
func llID(provider, key string) (string, bool) {
	k := strings.ToLower(key)
	prefixed := false
	for _, r := range []string{provider + "/", "vertex_ai/", "bedrock/", "bedrock_mantle/", "gemini/", "mistral/", "xai/", "deepseek/", "azure_ai/", "azure/"} {
		if strings.HasPrefix(k, r) && len(k) > len(r) {
			if r == "azure/" && provider == "azure_ai" {
				continue
			}
			k, prefixed = k[len(r):], true
			break
		}
	}
	if llPlatform(provider) == "aws.bedrock" {
		for _, r := range []string{"invoke/", "converse/"} {
			if strings.HasPrefix(k, r) {
				k, prefixed = k[len(r):], true
			}
		}
	}
	return k, prefixed
}

type llModel struct {
	key      string
	platform string
	id       string
	mode     string
	fields   map[string]any
	prefixed bool
}

func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

// llRate returns a per-million price of field for a call of input tokens
// on a service tier suffix ("", "_batches", "_flex", "_priority").
func (m llModel) llRate(field, suffix string, input int64) (float64, bool) {
	best, bestN := 0.0, int64(-1)
	re := regexp.MustCompile("^" + regexp.QuoteMeta(field) + `_above_(\d+)k_tokens` + regexp.QuoteMeta(suffix) + "$")
	for k, v := range m.fields {
		sm := re.FindStringSubmatch(k)
		if sm == nil {
			continue
		}
		n, _ := strconv.ParseInt(sm[1], 10, 64)
		if f, ok := num(v); ok && n*1000 < input && n > bestN {
			best, bestN = f, n
		}
	}
	if bestN >= 0 {
		return best * 1e6, true
	}
	if f, ok := num(m.fields[field+suffix]); ok {
		return f * 1e6, true
	}
	return 0, false
}

// rates are a list's prices for the fixed usage (above every threshold
// it passes), per token type, with whether the list states each.
type rates struct {
	in, cr, cw, out, baseIn float64
	hasCR, hasCW            bool
}

// figure is the fixed usage's cost at r; a cache price r does not state
// is other's when other states it (the generator's rule: a price only one
// list states is taken from it), else r's untiered input price.
func (r rates) figure(other *rates) float64 {
	cr, cw := r.baseIn, r.baseIn
	switch {
	case r.hasCR:
		cr = r.cr
	case other != nil && other.hasCR:
		cr = other.cr
	}
	switch {
	case r.hasCW:
		cw = r.cw
	case other != nil && other.hasCW:
		cw = other.cw
	}
	return cost(r.in, cr, cw, r.out)
}

// rates returns LiteLLM's prices on a service tier suffix ("",
// "_batches", "_flex", "_priority"); ok is false when the entry has no
// price for that tier.
func (m llModel) rates(suffix string) (r rates, ok bool) {
	if r.in, ok = m.llRate("input_cost_per_token", suffix, fixedUsage.InputTokens); !ok {
		return r, false
	}
	var hasOut bool
	if r.out, hasOut = m.llRate("output_cost_per_token", suffix, fixedUsage.InputTokens); !hasOut && suffix != "" {
		return r, false
	}
	r.baseIn, _ = m.llRate("input_cost_per_token", suffix, 0)
	r.cr, r.hasCR = m.llRate("cache_read_input_token_cost", suffix, fixedUsage.InputTokens)
	r.cw, r.hasCW = m.llRate("cache_creation_input_token_cost", suffix, fixedUsage.InputTokens)
	return r, true
}

func cost(in, cr, cw, out float64) float64 {
	u := fixedUsage
	return (float64(u.InputTokens-u.CachedInputTokens-u.CacheWriteInputTokens)*in +
		float64(u.CachedInputTokens)*cr + float64(u.CacheWriteInputTokens)*cw + float64(u.OutputTokens)*out) / 1e6
}

func readLiteLLM(t *testing.T) map[[2]string]llModel {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, "litellm-model_prices_and_context_window.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]llModel{}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		fields, ok := raw[key].(map[string]any)
		if !ok || key == "sample_spec" {
			continue
		}
		prov, _ := fields["litellm_provider"].(string)
		mode, _ := fields["mode"].(string)
		pl := llPlatform(prov)
		if pl == "" || (mode != "chat" && mode != "responses" && mode != "embedding") {
			continue
		}
		if _, ok := num(fields["input_cost_per_token"]); !ok {
			continue
		}
		id, prefixed := llID(prov, key)
		m := llModel{key: key, platform: pl, id: id, mode: mode, fields: fields, prefixed: prefixed}
		k := [2]string{pl, id}
		// Two keys for one id: the one with LiteLLM's routing prefix is
		// the one the table follows (LoadLiteLLM's documented rule).
		if old, ok := out[k]; ok && (old.prefixed || !prefixed) {
			continue
		}
		out[k] = m
	}
	return out
}

// llModes are the modes LiteLLM gives to every id (any provider), to tell
// genai-prices' chat and embedding models from the others.
func llModes(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join(refDir, "litellm-model_prices_and_context_window.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]map[string]any
	_ = json.Unmarshal(b, &raw)
	modes := map[string]string{}
	for key, f := range raw {
		mode, _ := f["mode"].(string)
		id := strings.ToLower(key)
		if i := strings.LastIndexByte(id, '/'); i >= 0 {
			id = id[i+1:]
		}
		if mode != "" {
			modes[id] = mode
		}
	}
	return modes
}

// --- genai-prices, read independently ------------------------------------

type gpModel struct {
	provider   string
	id         string
	match      map[string]any
	prices     any
	deprecated bool
}

func gpMatch(m map[string]any, id string) bool {
	for k, v := range m {
		switch k {
		case "equals":
			return id == strings.ToLower(v.(string))
		case "starts_with":
			return strings.HasPrefix(id, strings.ToLower(v.(string)))
		case "ends_with":
			return strings.HasSuffix(id, strings.ToLower(v.(string)))
		case "contains":
			return strings.Contains(id, strings.ToLower(v.(string)))
		case "regex":
			return regexp.MustCompile(v.(string)).MatchString(id)
		case "or":
			for _, s := range v.([]any) {
				if gpMatch(s.(map[string]any), id) {
					return true
				}
			}
			return false
		case "and":
			for _, s := range v.([]any) {
				if !gpMatch(s.(map[string]any), id) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// gpLiterals are the strings a rule is made of: ids it prices (an id
// starts with, contains and ends with itself).
func gpLiterals(m map[string]any) []string {
	var out []string
	for k, v := range m {
		switch k {
		case "equals", "starts_with", "ends_with", "contains":
			out = append(out, strings.ToLower(v.(string)))
		case "or", "and":
			for _, s := range v.([]any) {
				out = append(out, gpLiterals(s.(map[string]any))...)
			}
		}
	}
	return out
}

type gpPeriod struct {
	from   time.Time // zero: the first
	prices map[string]any
}

func (m gpModel) periods() []gpPeriod {
	switch p := m.prices.(type) {
	case map[string]any:
		return []gpPeriod{{prices: p}}
	case []any:
		var out []gpPeriod
		for _, e := range p {
			em := e.(map[string]any)
			var from time.Time
			if c, ok := em["constraint"].(map[string]any); ok {
				if _, tod := c["start_time"]; tod {
					continue
				}
				if sd, ok := c["start_date"].(string); ok {
					from, _ = time.Parse(time.DateOnly, sd)
				}
			}
			out = append(out, gpPeriod{from: from, prices: em["prices"].(map[string]any)})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].from.Before(out[j].from) })
		return out
	}
	return nil
}

// gpRate is a field's per-million price for a call of input tokens.
func gpRate(prices map[string]any, field string, input int64) (float64, bool) {
	switch v := prices[field].(type) {
	case float64:
		return v, true
	case map[string]any:
		price, _ := v["base"].(float64)
		best := int64(-1)
		tiers, _ := v["tiers"].([]any)
		for _, t := range tiers {
			tm := t.(map[string]any)
			start, _ := tm["start"].(float64)
			if int64(start) < input && int64(start) > best {
				best, price = int64(start), tm["price"].(float64)
			}
		}
		return price, true
	}
	return 0, false
}

func gpRates(prices map[string]any) rates {
	var r rates
	r.in, _ = gpRate(prices, "input_mtok", fixedUsage.InputTokens)
	r.baseIn, _ = gpRate(prices, "input_mtok", 0)
	r.out, _ = gpRate(prices, "output_mtok", fixedUsage.InputTokens)
	r.cr, r.hasCR = gpRate(prices, "cache_read_mtok", fixedUsage.InputTokens)
	r.cw, r.hasCW = gpRate(prices, "cache_write_mtok", fixedUsage.InputTokens)
	return r
}

type genai struct {
	byProvider map[string][]gpModel // genai-prices provider id -> models in order
	fallbacks  map[string][]string
}

func readGenAI(t *testing.T) genai {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, "genai-prices-data-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	g := genai{byProvider: map[string][]gpModel{}, fallbacks: map[string][]string{}}
	for _, p := range raw {
		id := p["id"].(string)
		if fb, ok := p["fallback_model_providers"].([]any); ok {
			for _, f := range fb {
				g.fallbacks[id] = append(g.fallbacks[id], f.(string))
			}
		}
		for _, m := range p["models"].([]any) {
			mm := m.(map[string]any)
			dep, _ := mm["deprecated"].(bool)
			g.byProvider[id] = append(g.byProvider[id], gpModel{provider: id, id: mm["id"].(string),
				match: mm["match"].(map[string]any), prices: mm["prices"], deprecated: dep})
		}
	}
	return g
}

// gpProvider is genai-prices' provider for a price list.
func gpProvider(platform string) string {
	switch platform {
	case "gcp.gemini", "gcp.vertex_ai":
		return "google"
	case "aws.bedrock":
		return "aws"
	case "azure.ai.openai", "azure.ai.inference":
		return "azure"
	case "mistral_ai":
		return "mistral"
	case "x_ai":
		return "x-ai"
	}
	return platform
}

// find is genai-prices' price for id on provider: the first model whose
// rule matches, else the fallback providers'.
func (g genai) find(provider, id string) (gpModel, bool) {
	for _, m := range g.byProvider[provider] {
		if gpMatch(m.match, id) {
			return m, true
		}
	}
	for _, fb := range g.fallbacks[provider] {
		if provider == "google" && fb == "anthropic" && !strings.HasPrefix(id, "claude") {
			continue
		}
		for _, m := range g.byProvider[fb] {
			if gpMatch(m.match, id) {
				return m, true
			}
		}
	}
	return gpModel{}, false
}

// --- the decisions -------------------------------------------------------

type overridesFile struct {
	Decisions []struct {
		Provider    string         `json:"provider"`
		Model       string         `json:"model"`
		Match       map[string]any `json:"match"`
		Use         string         `json:"use"`
		LiteLLMFrom string         `json:"litellm_from"`
		As          string         `json:"as"`
		Reason      string         `json:"reason"`
	} `json:"decisions"`
	DropRules []struct {
		Provider string `json:"provider"`
		Rule     string `json:"rule"`
	} `json:"drop_rules"`
}

func readOverrides(t *testing.T) overridesFile {
	b, err := os.ReadFile("internal/pricegen/overrides.json")
	if err != nil {
		t.Fatal(err)
	}
	var o overridesFile
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// A decision (overrides.json) names the list whose prices win for the
// token types both lists state; a type only one list states is the other's
// either way, and with genai-prices LiteLLM's service-tier prices are not
// used. only-litellm and only-genai-prices take that list's price alone.

// decision returns the index of the decision for platform/id, or -1: the
// exact one, else the first matching rule.
func (o overridesFile) decision(platform, id string) int {
	for i, d := range o.Decisions {
		if d.Provider == platform && d.Model == id {
			return i
		}
	}
	for i, d := range o.Decisions {
		if d.Provider == platform && d.Model == "" && gpMatch(d.Match, id) {
			return i
		}
	}
	return -1
}

// --- the check -----------------------------------------------------------

type covCheck struct {
	Provider    string    `json:"provider"`
	Model       string    `json:"model"`
	ServiceTier string    `json:"service_tier,omitempty"`
	Time        time.Time `json:"time"`
	Want        float64   `json:"want"`
	From        string    `json:"from"` // which reference entry gave the figure
}

type covItem struct {
	platform, id string
	current      bool
	retiresBy    string // the reference that marks it retired
	checks       []covCheck
}

func provenanceDates(t *testing.T) (litellm, genaiDate time.Time) {
	var p struct {
		Sources []struct {
			Name string `json:"name"`
			Date string `json:"date"`
		} `json:"sources"`
	}
	b, err := os.ReadFile(filepath.Join(refDir, "PROVENANCE.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Sources {
		d, _ := time.Parse(time.DateOnly, s.Date)
		switch s.Name {
		case "litellm":
			litellm = d
		case "genai-prices":
			genaiDate = d
		}
	}
	return litellm, genaiDate
}

var notChat = regexp.MustCompile(`image|audio|realtime|tts|transcri|whisper|live|video|sonic|moderation|dall-e|lyria|veo|imagen|embed-image`)

// coverage builds the list of models the coverage rule names, each with
// the figures the references give for it.
func coverage(t *testing.T) (items []*covItem, dropped []string) {
	t.Helper()
	ll := readLiteLLM(t)
	modes := llModes(t)
	gp := readGenAI(t)
	ov := readOverrides(t)
	llDate, _ := provenanceDates(t)
	asOf := llDate
	byKey := map[[2]string]*covItem{}
	item := func(pl, id string) *covItem {
		k := [2]string{pl, id}
		if it := byKey[k]; it != nil {
			return it
		}
		it := &covItem{platform: pl, id: id, current: true}
		byKey[k] = it
		items = append(items, it)
		return it
	}
	dropRule := func(m gpModel, pl string) bool {
		for _, d := range ov.DropRules {
			if d.Provider == pl && d.Rule == m.id {
				return true
			}
		}
		return false
	}

	// Candidates: every LiteLLM entry of the covered providers, and every
	// id a genai-prices rule of those providers is written for.
	for k := range ll {
		item(k[0], k[1])
	}
	for _, g := range groups {
		for _, pl := range g.platforms {
			gprov := gpProvider(pl)
			for _, m := range gp.byProvider[gprov] {
				if pl == "gcp.gemini" && strings.HasPrefix(m.id, "claude") {
					continue // Claude is on Vertex AI, not the Gemini API
				}
				for _, id := range append([]string{strings.ToLower(m.id)}, gpLiterals(m.match)...) {
					if first, ok := gp.find(gprov, id); !ok || first.id != m.id || first.provider != m.provider {
						continue // another rule prices this id first
					}
					mode := modes[id]
					if (mode != "" && mode != "chat" && mode != "responses" && mode != "embedding") || (mode == "" && notChat.MatchString(id)) {
						continue
					}
					if _, ok := num(m.periods()[0].prices["input_mtok"]); !ok && len(m.periods()[0].prices) > 0 {
						if _, tiered := m.periods()[0].prices["input_mtok"].(map[string]any); !tiered {
							continue // not token-priced
						}
					}
					if dropRule(m, pl) {
						if _, inLL := ll[[2]string{pl, id}]; !inLL {
							dropped = append(dropped, pl+"/"+id)
							continue
						}
					}
					item(pl, id)
				}
			}
		}
	}

	for _, it := range items {
		k := [2]string{it.platform, it.id}
		m, inLL := ll[k]
		g, inGP := gp.find(gpProvider(it.platform), it.id)
		// A decision settles what both lists price; with one list, that
		// list's figure stands.
		use, from, as := "", llDate, ""
		if di := ov.decision(it.platform, it.id); di >= 0 && inLL && inGP {
			use, as = ov.Decisions[di].Use, ov.Decisions[di].As
			if use == "litellm-from" {
				from, _ = time.Parse(time.DateOnly, ov.Decisions[di].LiteLLMFrom)
			}
		}
		var ps []gpPeriod
		if inGP {
			ps = g.periods()
			if g.deprecated {
				it.current, it.retiresBy = false, "genai-prices:"+g.provider+"/"+g.id
			}
		}
		// inForce is the index of genai-prices' period in force at t.
		inForce := func(t time.Time) int {
			idx := 0
			for i, p := range ps {
				if i == 0 || !t.Before(p.from) {
					idx = i
				}
			}
			return idx
		}
		if inLL {
			if dd, ok := m.fields["deprecation_date"].(string); ok {
				if d, err := time.Parse(time.DateOnly, dd); err == nil && !d.After(asOf) {
					it.current, it.retiresBy = false, "litellm:"+m.key
				}
			}
			src := m
			if use == "litellm-as" {
				src = ll[[2]string{it.platform, as}]
			}
			if use != "genai-prices" && use != "only-genai-prices" {
				for _, st := range []struct{ suffix, tier string }{{"", ""}, {"_batches", "batch"}, {"_flex", "flex"}, {"_priority", "priority"}} {
					r, ok := src.rates(st.suffix)
					if !ok {
						continue
					}
					var other *rates
					if st.suffix == "" && inGP && use != "only-litellm" {
						o := gpRates(ps[inForce(from)].prices)
						other = &o
					}
					it.checks = append(it.checks, covCheck{it.platform, it.id, st.tier, from, r.figure(other), "litellm:" + src.key})
				}
			}
		}
		for i, p := range ps {
			// A time in each period: its start, or for the first (open
			// since ever) LiteLLM's snapshot if that falls in it, else the
			// day before the next period.
			at := p.from
			if i == 0 {
				at = llDate
				if len(ps) > 1 && !at.Before(ps[1].from) {
					at = ps[1].from.AddDate(0, 0, -1)
				}
			}
			merged := inLL && i == inForce(from)
			if merged && (use == "litellm" || use == "litellm-as" || use == "only-litellm") {
				continue // the period the decision gave to LiteLLM
			}
			var other *rates
			if merged && use != "only-genai-prices" {
				if r, ok := m.rates(""); ok {
					other = &r
				}
			}
			it.checks = append(it.checks, covCheck{it.platform, it.id, "", at, gpRates(p.prices).figure(other), "genai-prices:" + g.provider + "/" + g.id})
		}
	}
	return items, dropped
}

// TestDefaultPricingMatchesReferences is the "Done when": for
// every token-priced chat, responses and embedding model the two reference
// lists give for OpenAI, Anthropic, Google (Gemini API and Vertex AI),
// Mistral, DeepSeek, xAI, AWS Bedrock and Azure (OpenAI and AI Foundry),
// DefaultPricing().Cost of the fixed usage equals each reference's figure
// within 0.5 %, on every service tier LiteLLM prices and at every date
// genai-prices changes the price; where the lists disagree, the figure of
// the list overrides.json names. Retired models (LiteLLM's deprecation
// date passed at as_of, genai-prices' deprecated) must be priced and
// marked. It logs the counts per provider.
func TestDefaultPricingMatchesReferences(t *testing.T) {
	items, dropped := coverage(t)
	p := ailabels.DefaultPricing()
	type count struct{ listed, priced, retired, retiredPriced int }
	counts := map[string]*count{}
	groupOf := map[string]string{}
	for _, g := range groups {
		counts[g.name] = &count{}
		for _, pl := range g.platforms {
			groupOf[pl] = g.name
		}
	}
	var all []covCheck
	failures := 0
	for _, it := range items {
		ok := len(it.checks) > 0
		for _, c := range it.checks {
			all = append(all, c)
			u := fixedUsage
			u.Provider, u.Model, u.ServiceTier, u.Time = c.Provider, c.Model, ailabels.ServiceTier(c.ServiceTier), c.Time
			got, err := p.Cost(u)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Priced || !within(got.USD, c.Want) {
				ok = false
				if failures++; failures <= 40 {
					t.Errorf("%s/%s tier %q at %s: cost %+v, want %.6f (%s)", c.Provider, c.Model, c.ServiceTier, c.Time.Format(time.DateOnly), got, c.Want, c.From)
				}
			}
			if !it.current && got.Priced && !got.Retired && strings.HasPrefix(it.retiresBy, "litellm:") {
				t.Errorf("%s/%s: retired by %s at as_of, but Cost.Retired is false", c.Provider, c.Model, it.retiresBy)
			}
		}
		if len(it.checks) == 0 {
			t.Errorf("%s/%s: listed, but no reference figure to check (a decision removed both)", it.platform, it.id)
		}
		c := counts[groupOf[it.platform]]
		if it.current {
			c.listed++
			if ok {
				c.priced++
			}
		} else {
			c.retired++
			if ok {
				c.retiredPriced++
			}
		}
	}
	if failures > 40 {
		t.Errorf("... and %d more", failures-40)
	}
	t.Logf("coverage of DefaultPricing (as_of %s) against the references, fixed usage, %d figures checked:", p.AsOf(), len(all))
	t.Logf("%-32s %16s %16s", "provider", "current: priced/listed", "retired: priced/listed")
	for _, g := range groups {
		c := counts[g.name]
		t.Logf("%-32s %16s %16s", g.name, fmt.Sprintf("%d/%d", c.priced, c.listed), fmt.Sprintf("%d/%d", c.retiredPriced, c.retired))
	}
	if len(dropped) > 0 {
		slices.Sort(dropped)
		t.Logf("not priced by decision (drop_rules in overrides.json): %s", strings.Join(dropped, ", "))
		for _, id := range dropped {
			pl, model, _ := strings.Cut(id, "/")
			u := fixedUsage
			u.Provider, u.Model = pl, model
			if c, _ := p.Cost(u); c.Priced && strings.HasPrefix(c.PricedAs, model) {
				t.Errorf("%s: dropped by decision but priced as %s", id, c.PricedAs)
			}
		}
	}
	if out := os.Getenv("COVERAGE_CHECKS_OUT"); out != "" {
		b, _ := json.MarshalIndent(map[string]any{"groups": groups2json(), "items": itemsJSON(items)}, "", " ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func within(got, want float64) bool {
	if want == 0 {
		return math.Abs(got) < 1e-12
	}
	return math.Abs(got-want) <= coverageTolerance*math.Abs(want)
}

// The list of checks, for measuring another table (COVERAGE_CHECKS_OUT).
func groups2json() map[string]string {
	m := map[string]string{}
	for _, g := range groups {
		for _, pl := range g.platforms {
			m[pl] = g.name
		}
	}
	return m
}

func itemsJSON(items []*covItem) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		out = append(out, map[string]any{"provider": it.platform, "model": it.id, "current": it.current, "checks": it.checks})
	}
	return out
}
