package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// aiPoint is one data point: its full label set and its value (the count
// for a histogram).
type aiPoint struct {
	labels map[string]string
	value  float64
}

func (p aiPoint) String() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(p.labels)) {
		fmt.Fprintf(&b, "%s=%q ", k, p.labels[k])
	}
	return fmt.Sprintf("{%s} %v", strings.TrimSpace(b.String()), p.value)
}

func aiLabelMap(s attribute.Set) map[string]string {
	m := make(map[string]string, s.Len())
	for _, kv := range s.ToSlice() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// aiMetric returns the metric called name and its points; it fails the
// test if the metric is missing.
func aiMetric(t *testing.T, kit *telemetrytest.Kit, name string) (metricdata.Metrics, []aiPoint) {
	t.Helper()
	m, ok := kit.Metric(name)
	if !ok {
		t.Fatalf("metric %s not exported", name)
	}
	var pts []aiPoint
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			pts = append(pts, aiPoint{aiLabelMap(dp.Attributes), float64(dp.Value)})
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			pts = append(pts, aiPoint{aiLabelMap(dp.Attributes), dp.Value})
		}
	case metricdata.Gauge[float64]:
		for _, dp := range d.DataPoints {
			pts = append(pts, aiPoint{aiLabelMap(dp.Attributes), dp.Value})
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			pts = append(pts, aiPoint{aiLabelMap(dp.Attributes), float64(dp.Value)})
		}
	case metricdata.Histogram[int64]:
		for _, dp := range d.DataPoints {
			pts = append(pts, aiPoint{aiLabelMap(dp.Attributes), float64(dp.Count)})
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			pts = append(pts, aiPoint{aiLabelMap(dp.Attributes), float64(dp.Count)})
		}
	default:
		t.Fatalf("metric %s: unexpected data %T", name, m.Data)
	}
	return m, pts
}

// aiWantPoints checks that the metric has exactly the points want, each
// with the mandatory labels of the test kit added.
func aiWantPoints(t *testing.T, kit *telemetrytest.Kit, name string, want ...aiPoint) {
	t.Helper()
	_, got := aiMetric(t, kit, name)
	mandatory := map[string]string{"environment": "dev", "project": telemetry.DefaultProject, "service": "test-service"}
	var wantS, gotS []string
	for _, p := range want {
		l := maps.Clone(p.labels)
		maps.Copy(l, mandatory)
		wantS = append(wantS, aiPoint{l, round(p.value)}.String())
	}
	for _, p := range got {
		gotS = append(gotS, aiPoint{p.labels, round(p.value)}.String())
	}
	slices.Sort(wantS)
	slices.Sort(gotS)
	if !slices.Equal(gotS, wantS) {
		t.Errorf("%s points:\n got  %s\n want %s", name, strings.Join(gotS, "\n      "), strings.Join(wantS, "\n      "))
	}
}

func round(v float64) float64 { return math.Round(v*1e12) / 1e12 }

func pt(value float64, kv ...string) aiPoint {
	m := make(map[string]string)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return aiPoint{m, value}
}

func newAI(t *testing.T, kit *telemetrytest.Kit, opts ...metrics.AIOption) *metrics.AI {
	t.Helper()
	ai, err := metrics.NewAI(kit.Telemetry, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ai
}

// The example, end to end: names, units, label sets and values.
func TestAIRecordSeries(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	cost, err := ai.Record(context.Background(), ailabels.Usage{
		Provider: "openai", Model: "gpt-4o-2024-08-06",
		InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300,
	})
	if err != nil {
		t.Fatal(err)
	}
	// 200 x 2.50 + 1000 x 1.25 + 300 x 10 = 4750 USD per million tokens.
	if !cost.Priced || round(cost.USD) != 0.00475 || cost.PricedAs != "gpt-4o-2024-08-06" {
		t.Errorf("cost = %+v, want 0.00475 USD priced as gpt-4o-2024-08-06", cost)
	}

	aiWantPoints(t, kit, metrics.AIRequestsName, pt(1, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
	aiWantPoints(t, kit, metrics.AITokensName,
		pt(1200, "model", "gpt-4o", "token_type", "input"),
		pt(1000, "model", "gpt-4o", "token_type", "cache_read"),
		pt(300, "model", "gpt-4o", "token_type", "output"),
	)
	aiWantPoints(t, kit, metrics.AICostName, pt(0.00475, "model", "gpt-4o"))
	if _, ok := kit.Metric(metrics.AIUnpricedRequestsName); ok {
		t.Errorf("%s exported for a priced model", metrics.AIUnpricedRequestsName)
	}

	for _, c := range []struct {
		name string
		def  catalog.Metric
	}{
		{metrics.AIRequestsName, catalog.AIRequests},
		{metrics.AITokensName, catalog.AITokens},
		{metrics.AICostName, catalog.AICost},
	} {
		m, _ := aiMetric(t, kit, c.name)
		if m.Unit != "" || c.def.Unit != "" {
			t.Errorf("%s unit = %q (catalogue %q), want none: a unit renames the series in Prometheus", c.name, m.Unit, c.def.Unit)
		}
		if m.Description == "" || m.Description != c.def.Description {
			t.Errorf("%s description %q, want the catalogue's", c.name, m.Description)
		}
		if !strings.HasSuffix(m.Name, "_total") {
			t.Errorf("%s: a counter's name must end in _total", m.Name)
		}
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			if !d.IsMonotonic || d.Temporality != metricdata.CumulativeTemporality {
				t.Errorf("%s: not a cumulative monotonic sum", c.name)
			}
		case metricdata.Sum[float64]:
			if !d.IsMonotonic || d.Temporality != metricdata.CumulativeTemporality {
				t.Errorf("%s: not a cumulative monotonic sum", c.name)
			}
		default:
			t.Errorf("%s: data %T, want a sum", c.name, m.Data)
		}
	}

	// A second call adds up, reasoning and cache writes get their points.
	if _, err := ai.Record(context.Background(), ailabels.Usage{
		Provider: "openai", Model: "gpt-4o", InputTokens: 100, CacheWriteInputTokens: 50, OutputTokens: 20, ReasoningTokens: 5,
	}); err != nil {
		t.Fatal(err)
	}
	aiWantPoints(t, kit, metrics.AITokensName,
		pt(1300, "model", "gpt-4o", "token_type", "input"),
		pt(1000, "model", "gpt-4o", "token_type", "cache_read"),
		pt(50, "model", "gpt-4o", "token_type", "cache_write"),
		pt(320, "model", "gpt-4o", "token_type", "output"),
		pt(5, "model", "gpt-4o", "token_type", "reasoning"),
	)
	// 100 x 2.50 (cache writes are input for OpenAI) + 20 x 10 = 450 per million.
	aiWantPoints(t, kit, metrics.AICostName, pt(0.00475+0.00045, "model", "gpt-4o"))
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(2, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
}

func TestAIRecordErrorOutcome(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	ctx := context.Background()
	if _, err := ai.RecordError(ctx, ailabels.Usage{Provider: "anthropic", Model: "claude-sonnet-4-20250514"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ai.Record(ctx, ailabels.Usage{Provider: "anthropic", Model: "claude-sonnet-4-20250514", InputTokens: 10, OutputTokens: 1}); err != nil {
		t.Fatal(err)
	}
	aiWantPoints(t, kit, metrics.AIRequestsName,
		pt(1, "model", "claude-sonnet-4", "provider", "anthropic", "outcome", "error"),
		pt(1, "model", "claude-sonnet-4", "provider", "anthropic", "outcome", "ok"),
	)
}

func TestAIUnpricedModel(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	cost, err := ai.Record(context.Background(), ailabels.Usage{Provider: "vllm", Model: "My-Llama-3-70B", InputTokens: 500, OutputTokens: 50})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ailabels.Cost{Unpriced: ailabels.UnpricedModel, AsOf: ailabels.DefaultPricing().AsOf()}); cost != want {
		t.Errorf("cost = %+v, want %+v: 0, unpriced, saying why and which table", cost, want)
	}
	aiWantPoints(t, kit, metrics.AIUnpricedRequestsName, pt(1, "model", "my-llama-3-70b"))
	aiWantPoints(t, kit, metrics.AICostName, pt(0, "model", "my-llama-3-70b"))
	aiWantPoints(t, kit, metrics.AITokensName,
		pt(500, "model", "my-llama-3-70b", "token_type", "input"),
		pt(50, "model", "my-llama-3-70b", "token_type", "output"),
	)
	m, _ := aiMetric(t, kit, metrics.AIUnpricedRequestsName)
	if m.Unit != catalog.AIUnpricedRequests.Unit {
		t.Errorf("unit %q", m.Unit)
	}

	// An unlisted dated snapshot of a known model is unpriced too: no guess.
	cost, err = ai.Record(context.Background(), ailabels.Usage{Provider: "openai", Model: "gpt-4o-2099-01-01", InputTokens: 1})
	if err != nil || cost.Priced {
		t.Errorf("unlisted snapshot: %+v, %v; want unpriced", cost, err)
	}
}

func TestAIPricingOverride(t *testing.T) {
	kit := telemetrytest.New(t)
	p, err := ailabels.DefaultPricing().With("my-llama", ailabels.Price{Input: 1, Output: 2})
	if err != nil {
		t.Fatal(err)
	}
	ai := newAI(t, kit, metrics.WithPricing(p))
	cost, err := ai.Record(context.Background(), ailabels.Usage{Provider: "vllm", Model: "my-llama", InputTokens: 1e6, OutputTokens: 1e6})
	if err != nil || !cost.Priced || cost.USD != 3 {
		t.Errorf("cost = %+v, %v; want 3 USD", cost, err)
	}
	none := newAI(t, kit, metrics.WithPricing(nil))
	if c, _ := none.Record(context.Background(), ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1}); c.Priced {
		t.Errorf("nil pricing priced gpt-4o: %+v", c)
	}
}

func TestAIBounds(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit, metrics.WithMaxModels(2), metrics.WithMaxProviders(1))
	ctx := context.Background()
	rec := func(provider, model string) {
		t.Helper()
		if _, err := ai.Record(ctx, ailabels.Usage{Provider: provider, Model: model, InputTokens: 1}); err != nil {
			t.Fatal(err)
		}
	}
	// Snapshots of one model share its label: one slot of the bound.
	rec("openai", "gpt-4o-2024-08-06")
	rec("openai", "gpt-4o-2024-11-20")
	rec("openai", "gpt-4o")
	rec("openai", "gpt-4o-mini")
	rec("openai", "o3")          // third model: other
	rec("openai", "o4-mini")     // fourth: other
	rec("anthropic", "gpt-4o")   // second provider: other
	rec("openai", "gpt-4o-mini") // admitted before: kept

	aiWantPoints(t, kit, metrics.AIRequestsName,
		pt(3, "model", "gpt-4o", "provider", "openai", "outcome", "ok"),
		pt(2, "model", "gpt-4o-mini", "provider", "openai", "outcome", "ok"),
		pt(2, "model", "_OTHER", "provider", "openai", "outcome", "ok"),
		pt(1, "model", "gpt-4o", "provider", "_OTHER", "outcome", "ok"),
	)
	aiWantPoints(t, kit, metrics.LabelOverflowName,
		pt(2, "label", "model"),
		pt(1, "label", "provider"),
	)
	// The cost of an overflowed model is still its own price.
	c, _ := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "o3", OutputTokens: 1e6})
	if !c.Priced || c.USD != 8 {
		t.Errorf("o3 cost past the bound = %+v, want 8 USD", c)
	}
}

func TestAIBadInputRecordsNothing(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	ctx := context.Background()
	ok := ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 10, OutputTokens: 10}
	tests := []struct {
		name string
		edit func(*ailabels.Usage)
		want error
	}{
		{"negative input", func(u *ailabels.Usage) { u.InputTokens = -1 }, ailabels.ErrInvalidUsage},
		{"negative output", func(u *ailabels.Usage) { u.OutputTokens = -5 }, ailabels.ErrInvalidUsage},
		{"negative cached", func(u *ailabels.Usage) { u.CachedInputTokens = -1 }, ailabels.ErrInvalidUsage},
		{"negative reasoning", func(u *ailabels.Usage) { u.ReasoningTokens = -1 }, ailabels.ErrInvalidUsage},
		{"cached above input", func(u *ailabels.Usage) { u.CachedInputTokens = 11 }, ailabels.ErrInvalidUsage},
		{"cache read+write above input", func(u *ailabels.Usage) { u.CachedInputTokens, u.CacheWriteInputTokens = 6, 5 }, ailabels.ErrInvalidUsage},
		{"reasoning above output", func(u *ailabels.Usage) { u.ReasoningTokens = 11 }, ailabels.ErrInvalidUsage},
		{"empty model", func(u *ailabels.Usage) { u.Model = "" }, ailabels.ErrInvalidLabel},
		{"model with a space", func(u *ailabels.Usage) { u.Model = "gpt 4o" }, ailabels.ErrInvalidLabel},
		{"model too long", func(u *ailabels.Usage) { u.Model = strings.Repeat("m", 100) }, ailabels.ErrInvalidLabel},
		{"model not ascii", func(u *ailabels.Usage) { u.Model = "模型" }, ailabels.ErrInvalidLabel},
		{"prompt as model", func(u *ailabels.Usage) { u.Model = "Summarise this: {\"user\": 42}" }, ailabels.ErrInvalidLabel},
		{"empty provider", func(u *ailabels.Usage) { u.Provider = "" }, ailabels.ErrInvalidLabel},
		{"provider with a quote", func(u *ailabels.Usage) { u.Provider = `open"ai` }, ailabels.ErrInvalidLabel},
	}
	for _, tt := range tests {
		u := ok
		tt.edit(&u)
		for _, f := range []func(context.Context, ailabels.Usage) (ailabels.Cost, error){ai.Record, ai.RecordError} {
			c, err := f(ctx, u)
			if !errors.Is(err, tt.want) || c != (ailabels.Cost{}) {
				t.Errorf("%s: %+v, %v; want %v and a zero Cost", tt.name, c, err, tt.want)
			}
		}
	}
	for _, name := range []string{metrics.AIRequestsName, metrics.AITokensName, metrics.AICostName, metrics.LabelOverflowName} {
		if m, ok := kit.Metric(name); ok {
			t.Errorf("%s recorded after bad input: %+v", name, m.Data)
		}
	}
}

func TestAINilAndDisabled(t *testing.T) {
	ctx := context.Background()
	u := ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1e6}

	ai, err := metrics.NewAI(nil)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Enabled() {
		t.Error("AI on a nil Telemetry reports Enabled")
	}
	if c, err := ai.Record(ctx, u); err != nil || c.USD != 2.5 {
		t.Errorf("nil Telemetry: %+v, %v; want the cost computed", c, err)
	}
	if _, err := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: -1}); !errors.Is(err, ailabels.ErrInvalidUsage) {
		t.Errorf("nil Telemetry still validates: %v", err)
	}

	tel, err := telemetry.Init(ctx, telemetry.WithService("svc"), telemetry.WithDisabled(true))
	if err != nil {
		t.Fatal(err)
	}
	ai, err = metrics.NewAI(tel)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := ai.Record(ctx, u); err != nil || c.USD != 2.5 {
		t.Errorf("disabled Telemetry: %+v, %v", c, err)
	}

	var nilAI *metrics.AI
	if c, err := nilAI.Record(ctx, u); err != nil || c != (ailabels.Cost{}) {
		t.Errorf("nil *AI: %+v, %v", c, err)
	}
}

func TestAIOptionErrors(t *testing.T) {
	for _, o := range []metrics.AIOption{metrics.WithMaxModels(0), metrics.WithMaxModels(-1), metrics.WithMaxModels(1001), metrics.WithMaxProviders(0)} {
		if _, err := metrics.NewAI(nil, o); err == nil {
			t.Errorf("NewAI accepted a bound out of range")
		}
	}
	if _, err := metrics.NewAI(nil, nil); err != nil {
		t.Errorf("a nil option: %v", err)
	}
}

func TestAIRecordDoesNotAllocate(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	ctx := context.Background()
	u := ailabels.Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000,
		CacheWriteInputTokens: 100, OutputTokens: 300, ReasoningTokens: 100}
	if _, err := ai.Record(ctx, u); err != nil { // prepares the labels
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(200, func() { _, _ = ai.Record(ctx, u) }); n != 0 {
		t.Errorf("Record allocates %v times per call for a known model, want 0", n)
	}
	unpriced := ailabels.Usage{Provider: "vllm", Model: "my-llm", InputTokens: 1}
	_, _ = ai.Record(ctx, unpriced)
	if n := testing.AllocsPerRun(200, func() { _, _ = ai.Record(ctx, unpriced) }); n != 0 {
		t.Errorf("Record allocates %v times per call for an unpriced model, want 0", n)
	}
	// A price that changes on a date (the clock is read), a tier above
	// 200k, a service tier, one-hour cache writes.
	for _, u := range []ailabels.Usage{
		{Provider: "anthropic", Model: "claude-sonnet-5", InputTokens: 300000, CacheWriteInputTokens: 1000, CacheWrite1hInputTokens: 500, OutputTokens: 10},
		{Provider: "openai", Model: "gpt-5.4", InputTokens: 300000, OutputTokens: 10, ServiceTier: ailabels.ServiceTierPriority},
		{Provider: "aws.bedrock", Model: "us.anthropic.claude-sonnet-4-6", InputTokens: 1000, OutputTokens: 10, Time: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, err := ai.Record(ctx, u); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() { _, _ = ai.Record(ctx, u) }); n != 0 {
			t.Errorf("Record allocates %v times per call for %s/%s, want 0", n, u.Provider, u.Model)
		}
	}
}

// The table's date is one series, so that an alert can see a table older
// than 90 days: time() - ai_pricing_as_of_timestamp_seconds > 90 * 86400.
func TestAIPricingAsOfSeries(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	want := float64(time.Date(2026, 7, 24, 0, 0, 0, 0, time.UTC).Unix())
	if ai.Pricing().AsOf() != "2026-07-24" {
		t.Fatalf("table as of %q", ai.Pricing().AsOf())
	}
	aiWantPoints(t, kit, metrics.AIPricingAsOfName, pt(want))
	m, _ := aiMetric(t, kit, metrics.AIPricingAsOfName)
	if m.Unit != catalog.AIPricingAsOf.Unit || m.Description != catalog.AIPricingAsOf.Description {
		t.Errorf("unit %q, description %q", m.Unit, m.Description)
	}
	if _, ok := m.Data.(metricdata.Gauge[int64]); !ok {
		t.Errorf("data %T, want a gauge", m.Data)
	}

	own, err := ailabels.DefaultPricing().WithAsOf("2026-11-01")
	if err != nil {
		t.Fatal(err)
	}
	kit2 := telemetrytest.New(t)
	newAI(t, kit2, metrics.WithPricing(own))
	aiWantPoints(t, kit2, metrics.AIPricingAsOfName, pt(float64(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix())))

	kit3 := telemetrytest.New(t)
	newAI(t, kit3, metrics.WithPricing(nil))
	aiWantPoints(t, kit3, metrics.AIPricingAsOfName, pt(0))
}

// TELEMETRY_PRICING_FILE is merged at NewAI; a bad file goes to the error
// handler and the embedded table stays in force; WithPricing wins.
func TestAIPricingFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "prices.json")
	if err := os.WriteFile(good, []byte(`{"as_of": "2026-11-01", "providers": {"vllm": {"my-llama": {"input": 0.2, "output": 0.6}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"providers": {"openai": {"gpt-4o": {"input": -2.5, "output": 10}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Setenv(ailabels.PricingFileEnv, good)
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	if ai.Pricing().AsOf() != "2026-11-01" {
		t.Errorf("as of %q, want the file's", ai.Pricing().AsOf())
	}
	// 1M x 0.2 + 1M x 0.6 from the file; gpt-4o still from the embedded table.
	if c, err := ai.Record(context.Background(), ailabels.Usage{Provider: "vllm", Model: "my-llama", InputTokens: 1e6, OutputTokens: 1e6}); err != nil || !c.Priced || round(c.USD) != 0.8 || c.AsOf != "2026-11-01" {
		t.Errorf("priced from the file: %+v, %v", c, err)
	}
	if c, _ := ai.Record(context.Background(), ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1e6}); !c.Priced || c.USD != 2.5 || c.AsOf != "2026-07-24" {
		t.Errorf("priced from the embedded table: %+v", c)
	}
	aiWantPoints(t, kit, metrics.AIPricingAsOfName, pt(float64(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix())))
	if p := newAI(t, kit, metrics.WithPricing(ailabels.DefaultPricing())).Pricing(); p != ailabels.DefaultPricing() {
		t.Error("WithPricing does not win over the environment")
	}

	t.Setenv(ailabels.PricingFileEnv, bad)
	errs := &testutil.ErrorLog{}
	kit2 := telemetrytest.New(t, telemetry.WithErrorHandler(errs.Handle))
	ai2, err := metrics.NewAI(kit2.Telemetry)
	if err != nil {
		t.Fatalf("NewAI with a bad pricing file: %v; want the service to keep running", err)
	}
	if ai2.Pricing() != ailabels.DefaultPricing() {
		t.Error("the embedded table is not in force after a bad file")
	}
	if c, _ := ai2.Record(context.Background(), ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1e6}); c.USD != 2.5 {
		t.Errorf("gpt-4o after a bad file: %+v", c)
	}
	reported := errs.All()
	var pe *ailabels.PricingError
	if len(reported) != 1 || !errors.As(reported[0], &pe) || pe.File != bad || pe.Entry != "openai/gpt-4o" || pe.Field != "input" ||
		!strings.Contains(reported[0].Error(), ailabels.PricingFileEnv) || !strings.Contains(reported[0].Error(), "embedded table") {
		t.Errorf("reported %v; want one error naming the variable, the file, the entry and the field", reported)
	}
}

// Prices follow the provider and the model id as its API returns it.
func TestAIProviderAwarePrices(t *testing.T) {
	kit := telemetrytest.New(t)
	p, err := ailabels.DefaultPricing().WithDeployments(ailabels.ProviderAzureOpenAI, map[string]string{"chat-prod": "eu/gpt-5.4"})
	if err != nil {
		t.Fatal(err)
	}
	ai := newAI(t, kit, metrics.WithPricing(p))
	ctx := context.Background()
	sept := time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		u    ailabels.Usage
		want float64
	}{
		{ailabels.Usage{Provider: "aws.bedrock", Model: "us.anthropic.claude-sonnet-4-6", InputTokens: 1e6}, 3.3},   // regional +10 %
		{ailabels.Usage{Provider: "aws.bedrock", Model: "global.anthropic.claude-sonnet-4-6", InputTokens: 1e6}, 3}, // global
		{ailabels.Usage{Provider: "azure.ai.openai", Model: "chat-prod", InputTokens: 1e6}, 2.75},                   // EU Data Zone deployment
		{ailabels.Usage{Provider: "anthropic", Model: "claude-sonnet-5", InputTokens: 1e6, Time: sept}, 3},          // after the introductory price
		{ailabels.Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 100000, OutputTokens: 10000, ServiceTier: "priority"}, 0.8},
	} {
		got, err := ai.Record(ctx, c.u)
		if err != nil || !got.Priced || round(got.USD) != c.want {
			t.Errorf("%s/%s: %+v, %v; want %v", c.u.Provider, c.u.Model, got, err, c.want)
		}
	}
	// No price for a service tier: unpriced, counted, not guessed.
	got, err := ai.Record(ctx, ailabels.Usage{Provider: "anthropic", Model: "claude-sonnet-4-5", InputTokens: 1000, ServiceTier: ailabels.ServiceTierBatch})
	if err != nil || got.Priced || got.Unpriced != ailabels.UnpricedServiceTier {
		t.Errorf("batch without a price: %+v, %v", got, err)
	}
	aiWantPoints(t, kit, metrics.AICostName,
		pt(6.3, "model", "claude-sonnet-4-6"),
		pt(2.75, "model", "chat-prod"),
		pt(3, "model", "claude-sonnet-5"),
		pt(0.8, "model", "gpt-5.4"),
		pt(0, "model", "claude-sonnet-4-5"),
	)
	aiWantPoints(t, kit, metrics.AIUnpricedRequestsName, pt(1, "model", "claude-sonnet-4-5"))
}

// More raw model ids than the cache holds: recording stays correct.
func TestAIManyRawModelIDs(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	ctx := context.Background()
	const n = 1500
	for i := range n {
		// Dated variants: one label, n raw ids.
		m := fmt.Sprintf("gpt-4o-%04d-%02d-%02d", 2000+i/300, 1+i/30%10, 1+i%28)
		if _, err := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: m, InputTokens: 1}); err != nil {
			t.Fatal(err)
		}
	}
	aiWantPoints(t, kit, metrics.AIRequestsName, pt(n, "model", "gpt-4o", "provider", "openai", "outcome", "ok"))
}

func TestAIConcurrent(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	ctx := context.Background()
	models := []string{"gpt-4o", "gpt-4o-mini", "o3", "claude-sonnet-4-20250514", "gemini-2.5-pro"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				m := models[(g+i)%len(models)]
				if _, err := ai.Record(ctx, ailabels.Usage{Provider: "p", Model: m, InputTokens: 2, OutputTokens: 1}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	_, pts := aiMetric(t, kit, metrics.AIRequestsName)
	var total float64
	for _, p := range pts {
		total += p.value
	}
	if total != 8*200 || len(pts) != len(models) {
		t.Errorf("requests: %d series totalling %v, want %d totalling 1600", len(pts), total, len(models))
	}
}

// NewAI and NewBusiness start no goroutines; everything they use stops
// with the Telemetry.
func TestAIAndBusinessLeaveNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	kit, err := telemetrytest.NewKit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithSemconvHistograms())
	if err != nil {
		t.Fatal(err)
	}
	biz, err := metrics.NewBusiness(kit.Telemetry)
	if err != nil {
		t.Fatal(err)
	}
	_, call := ai.Start(ctx, ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	if _, err := call.End(ailabels.Usage{InputTokens: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if err := biz.SetPMFScore(ctx, metrics.PMFMethodSeanEllis, 0.5); err != nil {
		t.Fatal(err)
	}
	if err := kit.Telemetry.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}
