// Command pricegen generates ailabels/pricing.json, the SDK's embedded
// pricing table, from the two reference price lists in
// ailabels/internal/refdata (LiteLLM's and genai-prices', MIT data) and
// the reviewed decisions in overrides.json. Run it from the ailabels
// directory:
//
//	go generate ./ailabels/      # or: cd ailabels && go run ./internal/pricegen
//
// What it does:
//
//   - checks each reference file against the SHA-256 in
//     refdata/PROVENANCE.json, and stamps the table with the sources'
//     commits and dates; as_of is the older snapshot's date;
//   - takes every token-priced chat, responses, embedding and completion
//     model LiteLLM lists for OpenAI, Anthropic, the Gemini API, Vertex AI,
//     Mistral, DeepSeek, xAI, Bedrock, Azure OpenAI and Azure AI Foundry
//     (ailabels.LoadLiteLLM: the provider's API id, with Azure deployment
//     types and Bedrock regions kept), as exact entries;
//   - finds genai-prices' price for the same provider and id
//     (ailabels.LoadGenAIPrices: its rules and fallbacks) and merges it:
//     a price only one list states is taken from it; a price both state
//     must agree within 0.5 %, or overrides.json must hold a decision
//     with its reason (the generator fails on a disagreement without
//     one, and on a decision that no longer matches a disagreement);
//     genai-prices' dated prices become the entry's earlier and later
//     prices around the one LiteLLM lists;
//   - keeps genai-prices' rules for those providers, in its order, so that
//     ids LiteLLM does not list (aliases, other snapshots, retired models
//     still in old traffic) are priced too; exact ids win over rules;
//   - adds the fallbacks genai-prices records (Azure charges OpenAI's and
//     Anthropic's prices for models its list does not name; Vertex AI
//     Anthropic's), the kept entries and fallbacks of overrides.json;
//   - writes the table with ailabels.Pricing.WriteJSON, after loading it
//     back with ailabels.LoadPricing.
//
// It prints a report (entries per provider, decisions applied) on
// standard error. -check compares instead of writing and fails when the
// committed table differs (the package test TestCommittedTableIsGenerated
// does the same).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

func main() {
	refdata := flag.String("refdata", "internal/refdata", "directory of the reference files and PROVENANCE.json")
	overrides := flag.String("overrides", "internal/pricegen/overrides.json", "the reviewed decisions")
	out := flag.String("out", "pricing.json", "the table to write")
	check := flag.Bool("check", false, "compare with -out instead of writing it")
	flag.Parse()

	table, report, err := generate(*refdata, *overrides)
	if report != nil {
		_, _ = io.Copy(os.Stderr, report)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pricegen:", err)
		os.Exit(1)
	}
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil || !bytes.Equal(old, table) {
			fmt.Fprintf(os.Stderr, "pricegen: %s is not what the generator produces: run go generate ./ailabels/\n", *out)
			os.Exit(1)
		}
		return
	}
	if err := os.WriteFile(*out, table, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "pricegen:", err)
		os.Exit(1)
	}
}

// covered are the price lists the embedded table holds.
var covered = []string{
	ailabels.ProviderOpenAI, ailabels.ProviderAnthropic, ailabels.ProviderGCPGemini, ailabels.ProviderGCPVertexAI,
	ailabels.ProviderMistralAI, ailabels.ProviderDeepseek, ailabels.ProviderXAI, ailabels.ProviderAWSBedrock,
	ailabels.ProviderAzureOpenAI, ailabels.ProviderAzureAIInference,
}

// tolerance is how far two stated prices may differ and still agree.
const tolerance = 0.005

type provenance struct {
	Note    string `json:"note"`
	Sources []struct {
		Name        string `json:"name"`
		File        string `json:"file"`
		Upstream    string `json:"upstream"`
		Via         string `json:"via"`
		Commit      string `json:"commit"`
		Date        string `json:"date"`
		License     string `json:"license"`
		LicenseFile string `json:"license_file"`
		SHA256      string `json:"sha256"`
	} `json:"sources"`
}

// decision is one reviewed override (overrides.json), for one model id
// of a provider (model) or every id a rule matches (match, the clauses of
// genai-prices); an exact model wins over a match.
type decision struct {
	Provider string          `json:"provider"`
	Model    string          `json:"model,omitempty"`
	Match    json.RawMessage `json:"match,omitempty"`
	// Use: "litellm" or "genai-prices": whose prices win, for the token
	// types both lists state (a type only one list states is merged as
	// always); with genai-prices, LiteLLM's service-tier prices go too.
	// "litellm-from": LiteLLM's price is genai-prices' period from
	// LiteLLMFrom (LiteLLM lists a price dated later than its snapshot),
	// which must then agree. "litellm-as": the price of LiteLLM's entry As
	// on the same provider, merged with genai-prices'. "only-litellm" and
	// "only-genai-prices": the other list's entry is another model's (a
	// broad rule) or not to be trusted: that list's price alone, nothing
	// merged.
	Use         string `json:"use"`
	LiteLLMFrom string `json:"litellm_from,omitempty"`
	As          string `json:"as,omitempty"`
	Reason      string `json:"reason"`
	matcher     *ailabels.Entry
	used        int
}

type keep struct {
	Provider string          `json:"provider"`
	Model    string          `json:"model"`
	Price    json.RawMessage `json:"price"`
	Reason   string          `json:"reason"`
}

type dropRule struct {
	Provider string `json:"provider"`
	Rule     string `json:"rule"`
	Reason   string `json:"reason"`
	used     bool
}

type fallback struct {
	Provider string   `json:"provider"`
	To       []string `json:"to"`
	Reason   string   `json:"reason"`
}

type overrides struct {
	Note      string      `json:"note"`
	Decisions []*decision `json:"decisions"`
	Keep      []keep      `json:"keep"`
	DropRules []*dropRule `json:"drop_rules"`
	Fallbacks []fallback  `json:"fallbacks"`
}

// Mirrors of the pricing-file format (ailabels.LoadPricing) for writing.
type outChange struct {
	From string `json:"from"`
	ailabels.Price
}

type outEntry struct {
	ailabels.Price
	Changes []outChange `json:"changes,omitempty"`
	Retires string      `json:"retires,omitempty"`
	Retired bool        `json:"retired,omitempty"`
	Source  string      `json:"source,omitempty"`
}

type outRule struct {
	Name  string          `json:"name"`
	Match json.RawMessage `json:"match"`
	outEntry
}

type outFile struct {
	SchemaVersion int                            `json:"schema_version"`
	AsOf          string                         `json:"as_of"`
	Source        string                         `json:"source"`
	Sources       []ailabels.Source              `json:"sources"`
	Currency      string                         `json:"currency"`
	Unit          string                         `json:"unit"`
	Fallbacks     map[string][]string            `json:"fallbacks"`
	Providers     map[string]map[string]outEntry `json:"providers"`
	Rules         map[string][]outRule           `json:"rules"`
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// genaiMatches reads the match rules of genai-prices' models, by
// "provider/model", to copy them into the table.
func genaiMatches(path string) (map[string]json.RawMessage, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var provs []struct {
		ID     string `json:"id"`
		Models []struct {
			ID    string          `json:"id"`
			Match json.RawMessage `json:"match"`
		} `json:"models"`
	}
	if err := json.Unmarshal(b, &provs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := map[string]json.RawMessage{}
	for _, p := range provs {
		for _, md := range p.Models {
			m[p.ID+"/"+md.ID] = md.Match
		}
	}
	return m, nil
}

type generator struct {
	report    bytes.Buffer
	problems  []string
	decisions map[[2]string]*decision
	groups    []*decision // decisions by match, in file order
	litellmAt time.Time
	ll        *ailabels.Pricing
}

// decisionFor returns the decision for provider/model: the exact one, else
// the first group whose rule matches.
func (g *generator) decisionFor(provider, model string) *decision {
	if d := g.decisions[[2]string{provider, model}]; d != nil {
		return d
	}
	for _, d := range g.groups {
		if d.Provider == provider && d.matcher.Matches(model) {
			return d
		}
	}
	return nil
}

func (g *generator) logf(format string, args ...any) { fmt.Fprintf(&g.report, format+"\n", args...) }

func (g *generator) problem(format string, args ...any) {
	g.problems = append(g.problems, fmt.Sprintf(format, args...))
}

func generate(refdata, overridesPath string) (table []byte, report *bytes.Buffer, err error) {
	g := &generator{decisions: map[[2]string]*decision{}}
	defer func() { report = &g.report }()

	var prov provenance
	if err := readJSON(filepath.Join(refdata, "PROVENANCE.json"), &prov); err != nil {
		return nil, nil, err
	}
	files := map[string]string{}
	var sources []ailabels.Source
	dates := map[string]time.Time{}
	for _, s := range prov.Sources {
		path := filepath.Join(refdata, s.File)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != s.SHA256 {
			return nil, nil, fmt.Errorf("%s: SHA-256 %x, PROVENANCE.json says %s: update PROVENANCE.json with the new snapshot's commit, date and hash", path, sum, s.SHA256)
		}
		if _, err := os.Stat(filepath.Join(refdata, s.LicenseFile)); err != nil {
			return nil, nil, fmt.Errorf("licence of %s: %w", s.File, err)
		}
		d, err := time.Parse(time.DateOnly, s.Date)
		if err != nil {
			return nil, nil, fmt.Errorf("PROVENANCE.json: %s: date %q", s.Name, s.Date)
		}
		files[s.Name], dates[s.Name] = path, d
		sources = append(sources, ailabels.Source{Name: s.Name, File: "ailabels/internal/refdata/" + s.File, Commit: s.Commit, Date: s.Date})
	}
	if files["litellm"] == "" || files["genai-prices"] == "" {
		return nil, nil, errors.New("PROVENANCE.json must name the litellm and genai-prices files")
	}
	var ov overrides
	if err := readJSON(overridesPath, &ov); err != nil {
		return nil, nil, err
	}
	for _, d := range ov.Decisions {
		name := d.Provider + "/" + d.Model
		switch {
		case d.Reason == "":
			return nil, nil, fmt.Errorf("overrides.json: decision for %s has no reason", name)
		case (d.Model == "") == (d.Match == nil):
			return nil, nil, fmt.Errorf("overrides.json: decision for %s: give model or match, not both", name)
		case d.Model != "":
			if g.decisions[[2]string{d.Provider, d.Model}] != nil {
				return nil, nil, fmt.Errorf("overrides.json: two decisions for %s", name)
			}
			g.decisions[[2]string{d.Provider, d.Model}] = d
		default:
			// A one-rule table: its lookup is the match.
			rule, err := json.Marshal(map[string]any{"rules": map[string]any{d.Provider: []any{map[string]any{
				"name": "decision", "match": d.Match, "input": 0, "output": 0}}}})
			if err != nil {
				return nil, nil, err
			}
			mp, err := ailabels.LoadPricing(bytes.NewReader(rule))
			if err != nil {
				return nil, nil, fmt.Errorf("overrides.json: decision match %s: %w", d.Match, err)
			}
			d.matcher = mp.Entries()[0]
			g.groups = append(g.groups, d)
		}
	}

	ll, err := ailabels.PricingFromFile(files["litellm"])
	if err != nil {
		return nil, nil, err
	}
	if ll, err = ll.WithAsOf(dates["litellm"].Format(time.DateOnly)); err != nil {
		return nil, nil, err
	}
	gp, err := ailabels.PricingFromFile(files["genai-prices"])
	if err != nil {
		return nil, nil, err
	}
	if gp, err = gp.WithAsOf(dates["genai-prices"].Format(time.DateOnly)); err != nil {
		return nil, nil, err
	}
	matches, err := genaiMatches(files["genai-prices"])
	if err != nil {
		return nil, nil, err
	}
	g.litellmAt, g.ll = dates["litellm"], ll
	asOf := dates["litellm"]
	if dates["genai-prices"].Before(asOf) {
		asOf = dates["genai-prices"]
	}

	isCovered := map[string]bool{}
	for _, c := range covered {
		isCovered[c] = true
	}
	f := outFile{
		SchemaVersion: ailabels.SchemaVersion,
		AsOf:          asOf.Format(time.DateOnly),
		Source: "Generated by ailabels/internal/pricegen from LiteLLM's and genai-prices' price lists (MIT; see sources and ailabels/internal/refdata) " +
			"with the reviewed decisions of ailabels/internal/pricegen/overrides.json. US dollars per million tokens, text tokens; " +
			"as_of is the older snapshot's date. Prices change: refresh with TELEMETRY_PRICING_FILE or regenerate.",
		Sources:   sources,
		Currency:  "USD",
		Unit:      "per 1M tokens",
		Fallbacks: map[string][]string{},
		Providers: map[string]map[string]outEntry{},
		Rules:     map[string][]outRule{},
	}

	// Exact entries: LiteLLM's, merged with genai-prices' price for the id.
	perProvider := map[string]int{}
	for _, e := range ll.Entries() {
		if !isCovered[e.Provider()] {
			continue
		}
		// genai-prices' price for this very id: its rules and fallbacks,
		// not the lookup's variants (a Bedrock region stripped).
		gpe := gp.Entry(e.Provider(), e.Model())
		if gpe != nil && !gpe.Matches(e.Model()) {
			gpe = nil
		}
		oe, ok := g.merge(e, gpe)
		if !ok {
			continue
		}
		if f.Providers[e.Provider()] == nil {
			f.Providers[e.Provider()] = map[string]outEntry{}
		}
		f.Providers[e.Provider()][e.Model()] = oe
		perProvider[e.Provider()]++
	}

	// Rules: genai-prices' models for the covered providers, in its order.
	drops := map[[2]string]*dropRule{}
	for _, d := range ov.DropRules {
		drops[[2]string{d.Provider, d.Rule}] = d
	}
	perRules := map[string]int{}
	for _, e := range gp.Entries() {
		if !e.Rule() || !isCovered[e.Provider()] {
			continue
		}
		if d := drops[[2]string{e.Provider(), e.Model()}]; d != nil {
			d.used = true
			continue
		}
		src := strings.TrimPrefix(e.Source(), "genai-prices:")
		raw, ok := matches[src]
		if !ok {
			return nil, nil, fmt.Errorf("no match rule for genai-prices model %s", src)
		}
		f.Rules[e.Provider()] = append(f.Rules[e.Provider()], outRule{Name: e.Model(), Match: raw, outEntry: entryOf(e.Prices(), e.Retired(time.Time{}) && e.Retires().IsZero(), time.Time{}, e.Source())})
		perRules[e.Provider()]++
	}
	for _, d := range ov.DropRules {
		if !d.used {
			g.problem("overrides.json: drop_rules %s/%s matches no genai-prices rule: remove it", d.Provider, d.Rule)
		}
	}

	// Fallbacks: genai-prices' for the covered providers, then ours.
	for _, pr := range covered {
		for _, to := range gp.Fallbacks(pr) {
			if isCovered[to] && !slices.Contains(f.Fallbacks[pr], to) {
				f.Fallbacks[pr] = append(f.Fallbacks[pr], to)
			}
		}
	}
	for _, fb := range ov.Fallbacks {
		if fb.Reason == "" {
			return nil, nil, fmt.Errorf("overrides.json: fallback of %s has no reason", fb.Provider)
		}
		f.Fallbacks[fb.Provider] = fb.To
	}

	// Kept entries: ids no reference prices any more, for old traffic.
	for _, k := range ov.Keep {
		if k.Reason == "" {
			return nil, nil, fmt.Errorf("overrides.json: kept entry %s/%s has no reason", k.Provider, k.Model)
		}
		if e := ll.Entry(k.Provider, k.Model); e != nil {
			g.problem("overrides.json: keep %s/%s: LiteLLM prices it now (as %s): remove the kept entry", k.Provider, k.Model, e.Model())
		}
		if e := gp.Entry(k.Provider, k.Model); e != nil {
			g.problem("overrides.json: keep %s/%s: genai-prices prices it now (as %s): remove the kept entry", k.Provider, k.Model, e.Model())
		}
		var p ailabels.Price
		dec := json.NewDecoder(bytes.NewReader(k.Price))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, nil, fmt.Errorf("overrides.json: keep %s/%s: %w", k.Provider, k.Model, err)
		}
		if f.Providers[k.Provider] == nil {
			f.Providers[k.Provider] = map[string]outEntry{}
		}
		f.Providers[k.Provider][k.Model] = outEntry{Price: p, Retired: true, Source: "overrides.json: " + k.Reason}
	}

	for _, d := range ov.Decisions {
		if d.used == 0 {
			what := d.Model
			if what == "" {
				what = string(d.Match)
			}
			g.problem("overrides.json: decision for %s %s resolves no disagreement (the lists agree now, or no longer list it): remove it", d.Provider, what)
		}
	}

	g.logf("pricegen: as_of %s; LiteLLM %s (%s), genai-prices %s (%s)", f.AsOf, sources[0].Commit, sources[0].Date, sources[1].Commit, sources[1].Date)
	g.logf("%-20s %8s %8s", "provider", "exact", "rules")
	for _, pr := range covered {
		g.logf("%-20s %8d %8d", pr, perProvider[pr], perRules[pr])
	}
	used := 0
	for _, d := range ov.Decisions {
		used += d.used
	}
	g.logf("decisions: %d in overrides.json, applied to %d entries; kept entries: %d; dropped rules: %d", len(ov.Decisions), used, len(ov.Keep), len(ov.DropRules))
	if len(g.problems) > 0 {
		slices.Sort(g.problems)
		for _, p := range g.problems {
			g.logf("PROBLEM %s", p)
		}
		return nil, nil, fmt.Errorf("%d problems: the references disagree where overrides.json has no decision, or overrides.json is stale", len(g.problems))
	}

	raw, err := json.Marshal(f)
	if err != nil {
		return nil, nil, err
	}
	p, err := ailabels.LoadPricing(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("the generated table does not load: %w", err)
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), nil, nil
}

func entryOf(prices []ailabels.DatedPrice, retired bool, retires time.Time, source string) outEntry {
	oe := outEntry{Price: prices[0].Price, Retired: retired, Source: source}
	for _, dp := range prices[1:] {
		oe.Changes = append(oe.Changes, outChange{From: dp.From.Format(time.DateOnly), Price: dp.Price})
	}
	if !retires.IsZero() {
		oe.Retires = retires.Format(time.DateOnly)
	}
	return oe
}

// merge builds the entry of a LiteLLM id with genai-prices' price for it
// (gpe, nil when genai-prices has none).
func (g *generator) merge(e, gpe *ailabels.Entry) (outEntry, bool) {
	llPrice := e.Prices()[0].Price
	key := [2]string{e.Provider(), e.Model()}
	d := g.decisionFor(key[0], key[1])
	if gpe == nil {
		if d != nil && d.Model != "" {
			g.problem("overrides.json: decision for %s/%s: genai-prices does not price it", key[0], key[1])
		}
		return entryOf([]ailabels.DatedPrice{{Price: llPrice}}, false, e.Retires(), e.Source()), true
	}
	gpPrices := gpe.Prices()
	// The genai-prices period LiteLLM's price is compared with: the one in
	// force at LiteLLM's snapshot, or the one a decision names.
	at := g.litellmAt
	if d != nil && d.Use == "litellm-from" {
		t, err := time.Parse(time.DateOnly, d.LiteLLMFrom)
		if err != nil {
			g.problem("overrides.json: decision for %s/%s: litellm_from %q", key[0], key[1], d.LiteLLMFrom)
			return outEntry{}, false
		}
		at = t
	}
	idx := 0
	for i, dp := range gpPrices {
		if i == 0 || !at.Before(dp.From) {
			idx = i
		}
	}
	// A decision names the list whose prices win for the token types both
	// lists state; a type only one states is merged either way.
	merged, diffs := mergePrice(llPrice, gpPrices[idx].Price)
	applied := d != nil
	switch {
	case d == nil:
		if len(diffs) > 0 {
			g.problem("%s/%s: LiteLLM (%s) and genai-prices (%s, from %s) disagree: %s",
				key[0], key[1], e.Source(), gpe.Source(), dateOr(gpPrices[idx].From), strings.Join(diffs, "; "))
		}
	case d.Use == "litellm-from":
		if len(diffs) > 0 {
			g.problem("%s/%s: LiteLLM and genai-prices' price from %s still disagree: %s", key[0], key[1], d.LiteLLMFrom, strings.Join(diffs, "; "))
		}
		diffs = []string{"dated"}
	case d.Use == "litellm":
	case d.Use == "only-litellm":
		merged = llPrice
	case d.Use == "only-genai-prices":
		merged = gpPrices[idx].Price
	case d.Use == "genai-prices":
		// genai-prices first; LiteLLM's service tiers go with its prices.
		merged, _ = mergePrice(gpPrices[idx].Price, llPrice)
	case d.Use == "litellm-as":
		as := g.ll.Entry(key[0], d.As)
		if as == nil || as.Model() != d.As {
			g.problem("overrides.json: decision for %s/%s: LiteLLM has no %s/%s", key[0], key[1], key[0], d.As)
			return outEntry{}, false
		}
		merged, _ = mergePrice(as.Prices()[0].Price, gpPrices[idx].Price)
	default:
		g.problem("overrides.json: decision for %s/%s: use %q: want litellm, genai-prices, only-litellm, only-genai-prices, litellm-from or litellm-as", key[0], key[1], d.Use)
	}
	if applied && len(diffs) > 0 {
		d.used++ // a decision that settles nothing anywhere is stale
	}
	prices := slices.Clone(gpPrices)
	prices[idx].Price = merged
	src := e.Source() + " + " + gpe.Source()
	if applied {
		src += " (decision: " + d.Use + ")"
	}
	return entryOf(prices, gpe.Retired(time.Time{}) && gpe.Retires().IsZero(), e.Retires(), src), true
}

func dateOr(t time.Time) string {
	if t.IsZero() {
		return "the start"
	}
	return t.Format(time.DateOnly)
}

func agree(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= tolerance*math.Max(math.Abs(a), math.Abs(b))
}

// sched is one token type's price in one list: its base price (nil: not
// stated) and the prices of the input-size tiers that state it.
type sched struct {
	base  *float64
	tiers map[int64]float64
}

func (s sched) states() bool { return s.base != nil || len(s.tiers) > 0 }

// at is the price for a call above level tokens: the highest tier at or
// below level that states it, else the base, else derived.
func (s sched) at(level int64, derived float64) float64 {
	best, v := int64(-1), derived
	if s.base != nil {
		v = *s.base
	}
	for th, p := range s.tiers {
		if th <= level && th > best {
			best, v = th, p
		}
	}
	return v
}

var fieldNames = [...]string{"input", "output", "cache_read", "cache_write", "cache_write_1h"}

func scheds(p ailabels.Price) [5]sched {
	var s [5]sched
	for i, b := range [...]*float64{&p.Input, &p.Output, p.CacheRead, p.CacheWrite, p.CacheWrite1h} {
		s[i] = sched{base: b, tiers: map[int64]float64{}}
	}
	for _, t := range p.Tiers {
		for i, v := range [...]*float64{t.Input, t.Output, t.CacheRead, t.CacheWrite, t.CacheWrite1h} {
			if v != nil {
				s[i].tiers[t.AboveInputTokens] = *v
			}
		}
	}
	return s
}

// derived is what a list's unstated price of field i is for calls above
// level: cache reads and writes the base input price, one-hour writes the
// cache-write price.
func derived(s [5]sched, i int, level int64) float64 {
	switch i {
	case 2, 3:
		return *s[0].base
	case 4:
		return s[3].at(level, *s[0].base)
	}
	return 0
}

// mergePrice merges LiteLLM's price (a) with genai-prices' (b), one token
// type at a time: a type only one list states (at its base or in a tier)
// is taken from that list; a type both state must agree, within 0.5 %,
// for calls of every size (the base and above every threshold either list
// has), and is LiteLLM's. Service tiers are LiteLLM's (genai-prices has
// none). diffs lists the disagreements.
func mergePrice(a, b ailabels.Price) (ailabels.Price, []string) {
	sa, sb := scheds(a), scheds(b)
	levels := map[int64]bool{0: true}
	for _, s := range append(sa[:], sb[:]...) {
		for th := range s.tiers {
			levels[th] = true
		}
	}
	var diffs []string
	var m [5]sched
	for i := range m {
		switch {
		case sa[i].states() && sb[i].states():
			m[i] = sa[i]
			for _, l := range slices.Sorted(maps.Keys(levels)) {
				x, y := sa[i].at(l, derived(sa, i, l)), sb[i].at(l, derived(sb, i, l))
				if !agree(x, y) {
					where := "base"
					if l > 0 {
						where = fmt.Sprintf("above %d", l)
					}
					diffs = append(diffs, fmt.Sprintf("%s %s: %v vs %v", fieldNames[i], where, x, y))
					break
				}
			}
		case sb[i].states():
			m[i] = sb[i]
		default:
			m[i] = sa[i]
		}
	}
	p := a
	p.Input, p.Output = *m[0].base, *m[1].base
	p.CacheRead, p.CacheWrite, p.CacheWrite1h = m[2].base, m[3].base, m[4].base
	p.Tiers = nil
	ths := map[int64]bool{}
	for _, s := range m {
		for th := range s.tiers {
			ths[th] = true
		}
	}
	for _, th := range slices.Sorted(maps.Keys(ths)) {
		t := ailabels.Tier{AboveInputTokens: th}
		for i, dst := range [...]**float64{&t.Input, &t.Output, &t.CacheRead, &t.CacheWrite, &t.CacheWrite1h} {
			best := int64(-1)
			for sth, v := range m[i].tiers {
				if sth <= th && sth > best {
					best, *dst = sth, ailabels.USD(v)
				}
			}
		}
		p.Tiers = append(p.Tiers, t)
	}
	return p, diffs
}
