package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// The paths as go generate sees them, from the ailabels directory.
const (
	refdata       = "../refdata"
	overridesPath = "overrides.json"
	committed     = "../../pricing.json"
)

// TestCommittedTableIsGenerated fails when ailabels/pricing.json is not
// what the generator produces from the reference files and
// overrides.json: run go generate ./ailabels/ and commit the result.
func TestCommittedTableIsGenerated(t *testing.T) {
	table, report, err := generate(refdata, overridesPath)
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	old, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, table) {
		ol, nl := strings.Split(string(old), "\n"), strings.Split(string(table), "\n")
		for i := range min(len(ol), len(nl)) {
			if ol[i] != nl[i] {
				t.Fatalf("ailabels/pricing.json differs from the generator's output at line %d:\ncommitted: %.300s\ngenerated: %.300s\nrun go generate ./ailabels/", i+1, ol[i], nl[i])
			}
		}
		t.Fatalf("ailabels/pricing.json differs from the generator's output (%d vs %d lines): run go generate ./ailabels/", len(ol), len(nl))
	}
	// The table is stamped with its sources.
	p, err := ailabels.LoadPricing(bytes.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	if p.AsOf() != "2026-07-24" || len(p.Sources()) != 2 || p.Sources()[0].Commit == "" || p.Sources()[1].Commit == "" {
		t.Errorf("as_of %q, sources %+v: want the older snapshot's date and both commits", p.AsOf(), p.Sources())
	}
}

// withOverrides runs the generator with overrides.json edited by edit.
func withOverrides(t *testing.T, edit func(*overrides)) ([]byte, string, error) {
	t.Helper()
	b, err := os.ReadFile(overridesPath)
	if err != nil {
		t.Fatal(err)
	}
	var ov overrides
	if err := json.Unmarshal(b, &ov); err != nil {
		t.Fatal(err)
	}
	edit(&ov)
	out, err := json.Marshal(ov)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "overrides.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	table, report, err := generate(refdata, path)
	return table, report.String(), err
}

// A disagreement without a decision fails the generator (no silent pick),
// and so does a decision that settles nothing.
func TestGeneratorRefusesUndecidedAndStale(t *testing.T) {
	_, report, err := withOverrides(t, func(o *overrides) {
		var kept []*decision
		for _, d := range o.Decisions {
			if !(d.Provider == "openai" && d.Model == "gpt-4o-2024-05-13") {
				kept = append(kept, d)
			}
		}
		o.Decisions = kept
	})
	if err == nil || !strings.Contains(report, "openai/gpt-4o-2024-05-13: LiteLLM") || !strings.Contains(report, "disagree: input") {
		t.Errorf("without the gpt-4o-2024-05-13 decision: err %v, report:\n%s", err, report)
	}

	_, report, err = withOverrides(t, func(o *overrides) {
		o.Decisions = append(o.Decisions, &decision{Provider: "openai", Model: "gpt-4.1", Use: "litellm", Reason: "test"})
	})
	if err == nil || !strings.Contains(report, "openai gpt-4.1 resolves no disagreement") {
		t.Errorf("a stale decision: err %v, report:\n%s", err, report)
	}

	_, _, err = withOverrides(t, func(o *overrides) { o.Decisions[0].Reason = "" })
	if err == nil || !strings.Contains(err.Error(), "has no reason") {
		t.Errorf("a decision without a reason: %v", err)
	}
}

// A kept entry prices an id no reference has any more, marked retired;
// one a reference prices is refused.
func TestGeneratorKeep(t *testing.T) {
	table, report, err := withOverrides(t, func(o *overrides) {
		o.Keep = append(o.Keep, keep{Provider: "openai", Model: "gpt-old-test", Price: json.RawMessage(`{"input": 1, "output": 2}`), Reason: "old traffic"})
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, report)
	}
	p, err := ailabels.LoadPricing(bytes.NewReader(table))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.Cost(ailabels.Usage{Provider: "openai", Model: "gpt-old-test", InputTokens: 1e6, OutputTokens: 1e6})
	if !c.Priced || c.USD != 3 || !c.Retired {
		t.Errorf("kept entry: %+v, want 3 USD, retired", c)
	}
	_, report, err = withOverrides(t, func(o *overrides) {
		o.Keep = append(o.Keep, keep{Provider: "openai", Model: "gpt-4o", Price: json.RawMessage(`{"input": 1, "output": 2}`), Reason: "x"})
	})
	if err == nil || !strings.Contains(report, "keep openai/gpt-4o: LiteLLM prices it now") {
		t.Errorf("keeping a priced id: %v\n%s", err, report)
	}
}

// A reference file that is not the one PROVENANCE.json describes is
// refused.
func TestGeneratorChecksProvenance(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"PROVENANCE.json", "LICENSE-litellm.txt", "LICENSE-genai-prices.txt", "genai-prices-data-v2.json"} {
		b, err := os.ReadFile(filepath.Join(refdata, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "litellm-model_prices_and_context_window.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := generate(dir, overridesPath); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("a changed file: %v", err)
	}
}
