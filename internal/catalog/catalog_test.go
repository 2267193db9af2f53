package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedDocs fails when README.md's metric table or docs/metrics.md
// differ from the catalogue: run go generate ./internal/catalog.
func TestGeneratedDocs(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want, err := ReplaceTable(string(readme)); err != nil {
		t.Fatal(err)
	} else if want != string(readme) {
		t.Error("README.md's metric table is not the catalogue's: run go generate ./internal/catalog")
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != Doc()+"\n" {
		t.Error("docs/metrics.md is not the catalogue's: run go generate ./internal/catalog")
	}
}

// TestCatalogIsConsistent checks the entries themselves: unique names,
// Prometheus-shaped names with the suffix their kind and unit give, and
// labels without duplicates.
func TestCatalogIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range append(All(), GenAI()...) {
		if seen[m.Name] || (m.Instrument != "" && seen[m.Instrument]) {
			t.Errorf("%s: listed twice", m.Name)
		}
		seen[m.Name], seen[m.Instrument] = true, true
		if m.Description == "" || m.RecordedBy == "" || m.Kind == "" {
			t.Errorf("%s: description, recorded-by and kind are required", m.Name)
		}
		switch {
		case m.Kind == Counter && !strings.HasSuffix(m.Name, "_total"):
			t.Errorf("%s: a counter's name ends in _total", m.Name)
		case m.Unit == "s" && !strings.HasSuffix(m.Name, "_seconds"):
			t.Errorf("%s: unit s, so the name ends in _seconds", m.Name)
		case m.Unit == "By" && !strings.Contains(m.Name, "_bytes"):
			t.Errorf("%s: unit By, so the name has _bytes", m.Name)
		}
		keys := map[string]bool{}
		for _, l := range m.Labels {
			if keys[l.Key] {
				t.Errorf("%s: label %s twice", m.Name, l.Key)
			}
			keys[l.Key] = true
			for _, r := range ResourceLabels {
				if l.Key == r {
					t.Errorf("%s: %s is a resource label, added at export", m.Name, r)
				}
			}
		}
		if got, ok := Lookup(m.InstrumentName()); !ok || got.Name != m.Name {
			t.Errorf("Lookup(%q) = %v, %v", m.InstrumentName(), got.Name, ok)
		}
	}
}

// TestMissing: what the catalogue answers for what it does not hold.
func TestMissing(t *testing.T) {
	if m, ok := Lookup("no_such_metric_total"); ok {
		t.Errorf("Lookup of an unknown name found %s", m.Name)
	}
	if l, ok := AIRequests.Label("model"); !ok || l.Bound != MaxModels {
		t.Errorf("AIRequests.Label(model) = %+v, %v; want the bounded model label", l, ok)
	}
	if l, ok := AIRequests.Label("no_such_label"); ok {
		t.Errorf("AIRequests.Label of an unknown key found %s", l.Key)
	}
	if _, err := ReplaceTable("# A README without the table's markers\n"); err == nil {
		t.Error("ReplaceTable without the markers: no error")
	}
}
