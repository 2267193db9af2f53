package metrics_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// One value serves both constructors.
var (
	_ metrics.AIOption       = metrics.WithMeterProvider(nil)
	_ metrics.BusinessOption = metrics.WithMeterProvider(nil)
	_ metrics.AIOption       = metrics.WithTracerProvider(nil)
	_ metrics.BusinessOption = metrics.WithTracerProvider(nil)
)

// ownProviders is a meter provider on a manual reader and a tracer
// provider exporting into memory, shut down when the test ends.
type ownProviders struct{ *testutil.Providers }

func newOwnProviders(t *testing.T) *ownProviders { return &ownProviders{testutil.NewProviders(t)} }

// points collects the reader and returns the points of metric name by
// their full label set (the count for histograms), and the metric's scope.
func (p *ownProviders) points(t *testing.T, name string) (map[string]float64, string) {
	t.Helper()
	rm := p.Collect(t)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			out := map[string]float64{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = float64(dp.Value)
				}
			case metricdata.Sum[float64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
				}
			case metricdata.Gauge[float64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
				}
			case metricdata.Histogram[int64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = float64(dp.Count)
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = float64(dp.Count)
				}
			default:
				t.Fatalf("%s: unexpected data %T", name, m.Data)
			}
			return out, sm.Scope.Name
		}
	}
	return nil, ""
}

// wantPoint checks that metric name on p has exactly the one point want
// (labels encoded as by attribute.DefaultEncoder, sorted by key) with
// value v, under the SDK's scope.
func (p *ownProviders) wantPoint(t *testing.T, name, want string, v float64) {
	t.Helper()
	got, scope := p.points(t, name)
	if len(got) != 1 || got[want] != v {
		t.Errorf("%s on the given provider = %v; want {%s: %v}", name, got, want, v)
	}
	if got != nil && scope != telemetry.ScopeName {
		t.Errorf("%s scope %q, want %q", name, scope, telemetry.ScopeName)
	}
}

// record drives the AI and business instruments once each.
func record(t *testing.T, ai *metrics.AI, biz *metrics.Business) {
	t.Helper()
	ctx := context.Background()
	if _, err := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 100, OutputTokens: 7}); err != nil {
		t.Fatal(err)
	}
	_, call := ai.Start(ctx, ailabels.Request{Provider: "openai", Model: "gpt-4o"})
	if _, err := call.End(ailabels.Usage{InputTokens: 10, OutputTokens: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if err := biz.SetPMFScore(ctx, metrics.PMFMethodSeanEllis, 0.44); err != nil {
		t.Fatal(err)
	}
}

// checkRecorded checks what record left on p: the metrics without the
// labels environment, project and service (the Telemetry's exporter adds
// those, and it is not in this pipeline), and the AI span.
func checkRecorded(t *testing.T, p *ownProviders) {
	t.Helper()
	p.wantPoint(t, metrics.AIRequestsName, "model=gpt-4o,outcome=ok,provider=openai", 2)
	tokens, _ := p.points(t, metrics.AITokensName)
	if tokens["model=gpt-4o,token_type=input"] != 110 || tokens["model=gpt-4o,token_type=output"] != 8 || len(tokens) != 2 {
		t.Errorf("%s on the given provider = %v; want input 110, output 8", metrics.AITokensName, tokens)
	}
	p.wantPoint(t, metrics.PMFScoreName, "calculation_method=sean_ellis", 0.44)
	p.wantPoint(t, metrics.GenAIOperationDurationName,
		"gen_ai.operation.name=chat,gen_ai.provider.name=openai,gen_ai.request.model=gpt-4o,gen_ai.response.model=gpt-4o", 1)
	spans := p.Spans.GetSpans()
	if len(spans) != 1 || spans[0].Name != "chat gpt-4o" || spans[0].InstrumentationScope.Name != telemetry.ScopeName {
		t.Fatalf("spans on the given provider: %d; want one chat gpt-4o span of scope %s", len(spans), telemetry.ScopeName)
	}
}

func TestProviderOptionsWithoutTelemetry(t *testing.T) {
	for name, tel := range testutil.NilAndDisabled(t) {
		t.Run(name, func(t *testing.T) {
			p := newOwnProviders(t)
			ai, err := metrics.NewAI(tel, metrics.WithMeterProvider(p.MP), metrics.WithTracerProvider(p.TP), metrics.WithSemconvHistograms())
			if err != nil {
				t.Fatal(err)
			}
			biz, err := metrics.NewBusiness(tel, metrics.WithMeterProvider(p.MP), metrics.WithTracerProvider(p.TP))
			if err != nil {
				t.Fatal(err)
			}
			if !ai.Enabled() || !biz.Enabled() {
				t.Errorf("Enabled = %v, %v with a meter provider given; want true", ai.Enabled(), biz.Enabled())
			}
			record(t, ai, biz)
			checkRecorded(t, p)
		})
	}
}

// With a Telemetry too, the options win: nothing reaches the Telemetry.
func TestProviderOptionsWinOverTelemetry(t *testing.T) {
	kit := telemetrytest.New(t)
	p := newOwnProviders(t)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithMeterProvider(p.MP), metrics.WithTracerProvider(p.TP), metrics.WithSemconvHistograms())
	if err != nil {
		t.Fatal(err)
	}
	biz, err := metrics.NewBusiness(kit.Telemetry, metrics.WithMeterProvider(p.MP))
	if err != nil {
		t.Fatal(err)
	}
	record(t, ai, biz)
	checkRecorded(t, p)
	for _, name := range []string{metrics.AIRequestsName, metrics.AITokensName, metrics.PMFScoreName, metrics.GenAIOperationDurationName} {
		if _, ok := kit.Metric(name); ok {
			t.Errorf("%s reached the Telemetry despite WithMeterProvider", name)
		}
	}
	if n := len(kit.Spans()); n != 0 {
		t.Errorf("%d spans reached the Telemetry despite WithTracerProvider", n)
	}
}

// Each option replaces only its own provider, and a nil one none.
func TestProviderOptionsOneAtATime(t *testing.T) {
	ctx := context.Background()
	u := ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 1}

	t.Run("tracer only, no Telemetry", func(t *testing.T) {
		p := newOwnProviders(t)
		ai, err := metrics.NewAI(nil, metrics.WithTracerProvider(p.TP))
		if err != nil {
			t.Fatal(err)
		}
		if ai.Enabled() {
			t.Error("Enabled without a meter provider")
		}
		_, call := ai.Start(ctx, ailabels.Request{Provider: "openai", Model: "gpt-4o"})
		if c, err := call.End(u, nil); err != nil || !c.Priced {
			t.Fatalf("End = %+v, %v", c, err)
		}
		if n := len(p.Spans.GetSpans()); n != 1 {
			t.Errorf("%d spans on the given tracer provider, want 1", n)
		}
	})

	t.Run("meter only, Telemetry's tracer", func(t *testing.T) {
		kit := telemetrytest.New(t)
		p := newOwnProviders(t)
		ai, err := metrics.NewAI(kit.Telemetry, metrics.WithMeterProvider(p.MP))
		if err != nil {
			t.Fatal(err)
		}
		_, call := ai.Start(ctx, ailabels.Request{Provider: "openai", Model: "gpt-4o"})
		if _, err := call.End(u, nil); err != nil {
			t.Fatal(err)
		}
		if n := len(kit.Spans()); n != 1 {
			t.Errorf("%d spans on the Telemetry, want 1", n)
		}
		p.wantPoint(t, metrics.AIRequestsName, "model=gpt-4o,outcome=ok,provider=openai", 1)
	})

	t.Run("nil providers leave the Telemetry's", func(t *testing.T) {
		kit := telemetrytest.New(t)
		ai, err := metrics.NewAI(kit.Telemetry, metrics.WithMeterProvider(nil), metrics.WithTracerProvider(nil))
		if err != nil {
			t.Fatal(err)
		}
		biz, err := metrics.NewBusiness(kit.Telemetry, metrics.WithMeterProvider(nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ai.Record(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := biz.SetFeatureAdoption(ctx, "export", 0.5); err != nil {
			t.Fatal(err)
		}
		if v, err := kit.Value(metrics.AIRequestsName, ailabels.ModelKey.String("gpt-4o")); err != nil || v != 1 {
			t.Errorf("%s on the Telemetry = %v, %v; want 1", metrics.AIRequestsName, v, err)
		}
		if v, err := kit.Value(metrics.FeatureAdoptionRateName); err != nil || v != 0.5 {
			t.Errorf("%s on the Telemetry = %v, %v; want 0.5", metrics.FeatureAdoptionRateName, v, err)
		}
		// And nil options with a nil Telemetry record nothing, as before.
		none, err := metrics.NewAI(nil, metrics.WithMeterProvider(nil))
		if err != nil || none.Enabled() {
			t.Errorf("NewAI(nil, WithMeterProvider(nil)): Enabled %v, %v; want a disabled AI", none.Enabled(), err)
		}
	})
}

// Bounds and validation do not depend on where the points go.
func TestProviderOptionsKeepBounds(t *testing.T) {
	p := newOwnProviders(t)
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(p.MP), metrics.WithMaxModels(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, m := range []string{"gpt-4o", "o3"} {
		if _, err := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: m, InputTokens: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: -1}); err == nil {
		t.Error("negative tokens accepted")
	}
	got, _ := p.points(t, metrics.AIRequestsName)
	if len(got) != 2 || got["model=gpt-4o,outcome=ok,provider=openai"] != 1 || got["model=_OTHER,outcome=ok,provider=openai"] != 1 {
		t.Errorf("%s = %v; want gpt-4o and other, one each", metrics.AIRequestsName, got)
	}
	p.wantPoint(t, metrics.LabelOverflowName, "label=model", 1)
}
