package catalog

import (
	"fmt"
	"strings"
)

// The markers around the generated metric table in README.md.
const (
	TableBegin = "<!-- metric table: generated from internal/catalog by `go generate ./internal/catalog`; do not edit -->"
	TableEnd   = "<!-- end of the generated metric table -->"
)

// READMETable returns the README's metric table, with its markers.
func READMETable() string {
	var b strings.Builder
	b.WriteString(TableBegin + "\n")
	b.WriteString("| metric | type | labels | made by |\n| --- | --- | --- | --- |\n")
	for _, m := range append(All(), GenAI()...) {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m.Name, kindText(m), labelsText(m.Labels, true), madeBy(m))
	}
	b.WriteString(TableEnd + "\n")
	return b.String()
}

// Doc returns docs/metrics.md.
func Doc() string {
	var b strings.Builder
	b.WriteString("# Metrics\n\n")
	b.WriteString("Generated from `internal/catalog` by `go generate ./internal/catalog`; do not edit.\n\n")
	fmt.Fprintf(&b, "Every series also has the labels %s, added by the SDK at export. Names are as in\n", quoteAll(ResourceLabels))
	fmt.Fprintf(&b, "Prometheus, after the collector's translation. A label with a bound keeps that many distinct\nvalues per process; later ones are recorded as `%s` and counted in `%s{label}`.\n\n", Overflow, LabelOverflow.Name)
	// item writes the list item format with v, unless v is empty: the
	// metric has no such property.
	item := func(format, v string) {
		if v != "" {
			fmt.Fprintf(&b, format, v)
		}
	}
	section := func(title string, ms []Metric) {
		fmt.Fprintf(&b, "## %s\n\n", title)
		for _, m := range ms {
			fmt.Fprintf(&b, "### `%s`\n\n%s\n\n", m.Name, m.Description)
			fmt.Fprintf(&b, "- type: %s\n", kindText(m))
			item("- OpenTelemetry instrument: `%s`\n", m.Instrument)
			item("- unit: `%s`\n", m.Unit)
			item("- buckets: %s\n", m.Buckets)
			fmt.Fprintf(&b, "- series: %s\n", quoteAll(m.Series()))
			item("- labels: %s\n", labelsText(m.Labels, true))
			fmt.Fprintf(&b, "- recorded by: %s\n", m.RecordedBy)
			item("- note: %s\n", m.Note)
			item("- appears once %s\n", m.When)
			item("- off by default; on with %s\n", m.OptIn)
			b.WriteString("\n")
		}
	}
	section("Always recorded", All())
	section("Optional GenAI histograms", GenAI())
	return strings.TrimSuffix(b.String(), "\n")
}

func kindText(m Metric) string {
	switch {
	case m.Kind == Histogram && m.Unit == "s":
		return "histogram (seconds)"
	case m.Unit == "By":
		return string(m.Kind) + " (bytes)"
	case m.Unit == "{token}":
		return string(m.Kind) + " (tokens)"
	}
	return string(m.Kind)
}

func madeBy(m Metric) string {
	s := "`" + strings.ReplaceAll(m.RecordedBy, ", ", "`, `") + "`"
	if m.OptIn != "" {
		s += " with `" + m.OptIn + "`"
	}
	if m.Note != "" {
		s += ": " + m.Note
	}
	return s
}

func labelsText(ls []Label, long bool) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		p := "`" + l.Key + "`"
		var notes []string
		if len(l.Values) > 0 {
			notes = append(notes, quoteAll(l.Values))
		}
		if l.Bound > 0 {
			notes = append(notes, fmt.Sprintf("at most %d values", l.Bound))
		}
		if long && l.Doc != "" {
			notes = append(notes, l.Doc)
		}
		if len(notes) > 0 {
			p += " (" + strings.Join(notes, "; ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

// ReplaceTable returns readme with the text between the table markers
// (the markers included) replaced by READMETable.
func ReplaceTable(readme string) (string, error) {
	i := strings.Index(readme, TableBegin)
	j := strings.Index(readme, TableEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("no metric table markers (%q ... %q)", TableBegin, TableEnd)
	}
	return readme[:i] + READMETable() + strings.TrimPrefix(readme[j+len(TableEnd):], "\n"), nil
}
