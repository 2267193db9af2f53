package telemetrytest_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The case the old SumValue got wrong: one AI call makes two points of
// ai_tokens_total for the model, and SumValue returned the first one (100).
func TestSumAndValueTokens(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ai.Record(context.Background(), ailabels.Usage{
		Provider: ailabels.ProviderOpenAI, Model: "gpt-4o", InputTokens: 100, OutputTokens: 7,
	}); err != nil {
		t.Fatal(err)
	}
	model := ailabels.ModelKey.String("gpt-4o")
	input := ailabels.TokenTypeKey.String(string(ailabels.TokenInput))
	output := ailabels.TokenTypeKey.String(string(ailabels.TokenOutput))

	for _, tt := range []struct {
		name  string
		attrs []attribute.KeyValue
		want  float64
	}{
		{"model", []attribute.KeyValue{model}, 107},
		{"no attributes", nil, 107},
		{"input", []attribute.KeyValue{model, input}, 100},
		{"output", []attribute.KeyValue{output}, 7},
		{"mandatory labels", []attribute.KeyValue{attribute.String("environment", "dev"), attribute.String("service", "test-service")}, 107},
	} {
		if got, ok := kit.Sum(metrics.AITokensName, tt.attrs...); !ok || got != tt.want {
			t.Errorf("Sum(%s, %s) = %v, %v; want %v, true", metrics.AITokensName, tt.name, got, ok, tt.want)
		}
	}

	if v, err := kit.Value(metrics.AITokensName, model, input); err != nil || v != 100 {
		t.Errorf("Value(model, input) = %v, %v; want 100", v, err)
	}
	if v, err := kit.Value(metrics.AITokensName, output); err != nil || v != 7 {
		t.Errorf("Value(output) = %v, %v; want 7", v, err)
	}
	for _, attrs := range [][]attribute.KeyValue{{model}, nil} {
		v, err := kit.Value(metrics.AITokensName, attrs...)
		if err == nil || !strings.Contains(err.Error(), "2 points match") {
			t.Errorf("Value(%v) = %v, %v; want an error saying 2 points match", attrs, v, err)
		}
	}
	_, err = kit.Value(metrics.AITokensName, model)
	if want := `ai_tokens_total{model="gpt-4o"}`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v does not name the selector %s", err, want)
	}
}

func TestSumAndValueByKind(t *testing.T) {
	kit := telemetrytest.New(t)
	ctx := context.Background()
	meter := kit.Telemetry.MeterProvider().Meter("t")
	a, b := metric.WithAttributes(attribute.String("k", "a")), metric.WithAttributes(attribute.String("k", "b"))

	fc, _ := meter.Float64Counter("float_total")
	fc.Add(ctx, 0.5, a)
	fc.Add(ctx, 0.25, b)
	ud, _ := meter.Int64UpDownCounter("queue_items")
	ud.Add(ctx, 5, a)
	ud.Add(ctx, -2, a)
	ud.Add(ctx, 4, b)
	h, _ := meter.Float64Histogram("latency_seconds", metric.WithUnit("s"))
	for _, v := range []float64{0.1, 0.2, 0.3} {
		h.Record(ctx, v, a)
	}
	h.Record(ctx, 9, b)
	g, _ := meter.Int64Gauge("shard_length")
	g.Record(ctx, 10, a)
	g.Record(ctx, 3, a) // replaces 10
	g.Record(ctx, 7, b)
	fg, _ := meter.Float64Gauge("ratio")
	fg.Record(ctx, 0.42, a)
	zero, _ := meter.Int64Counter("zero_total")
	zero.Add(ctx, 0, a)

	ka := attribute.String("k", "a")
	for _, tt := range []struct {
		name       string
		sumAll     float64
		valueA     float64
		valueAOnly bool // the only point: Value without attributes works too
	}{
		{"float_total", 0.75, 0.5, false},
		{"queue_items", 7, 3, false},
		{"latency_seconds", 4, 3, false}, // counts of observations
		{"shard_length", 10, 3, false},   // gauges are added too
		{"ratio", 0.42, 0.42, true},
		{"zero_total", 0, 0, true},
	} {
		if got, ok := kit.Sum(tt.name); !ok || got != tt.sumAll {
			t.Errorf("Sum(%s) = %v, %v; want %v, true", tt.name, got, ok, tt.sumAll)
		}
		if got, err := kit.Value(tt.name, ka); err != nil || got != tt.valueA {
			t.Errorf("Value(%s, k=a) = %v, %v; want %v", tt.name, got, err, tt.valueA)
		}
		_, err := kit.Value(tt.name)
		if tt.valueAOnly != (err == nil) {
			t.Errorf("Value(%s) without attributes: %v", tt.name, err)
		}
	}

	// Nothing matches: Sum says so, Value says how many matched.
	if got, ok := kit.Sum("float_total", attribute.String("k", "c")); ok || got != 0 {
		t.Errorf("Sum with no match = %v, %v; want 0, false", got, ok)
	}
	if _, err := kit.Value("float_total", attribute.String("k", "c")); err == nil || !strings.Contains(err.Error(), "0 points match") {
		t.Errorf("Value with no match: %v; want 0 points match", err)
	}
	// A key the points lack, or a value of another type, matches nothing.
	if _, ok := kit.Sum("float_total", attribute.Int("k", 1)); ok {
		t.Error("Sum matched k=1 (int) against k=\"a\"")
	}
	if got, ok := kit.Sum("missing_total"); ok || got != 0 {
		t.Errorf("Sum(missing) = %v, %v; want 0, false", got, ok)
	}
	if _, err := kit.Value("missing_total"); err == nil || !strings.Contains(err.Error(), "no metric missing_total") {
		t.Errorf("Value(missing): %v", err)
	}
}

// Sum and Value read cumulative totals: a second collection includes the
// first.
func TestSumIsCumulative(t *testing.T) {
	kit := telemetrytest.New(t)
	c, _ := kit.Telemetry.MeterProvider().Meter("t").Int64Counter("things_total")
	c.Add(context.Background(), 2)
	if v, err := kit.Value("things_total"); err != nil || v != 2 {
		t.Fatalf("first: %v, %v", v, err)
	}
	c.Add(context.Background(), 3)
	if v, ok := kit.Sum("things_total"); !ok || v != 5 {
		t.Fatalf("second: %v, %v; want 5", v, ok)
	}
}

func TestSaveGlobals(t *testing.T) {
	tp, mp, prop := otel.GetTracerProvider(), otel.GetMeterProvider(), otel.GetTextMapPropagator()
	t.Run("install", func(t *testing.T) {
		telemetrytest.SaveGlobals(t)
		kit := telemetrytest.New(t, telemetry.WithGlobals(true))
		if otel.GetTracerProvider() != kit.Telemetry.TracerProvider() || otel.GetMeterProvider() != kit.Telemetry.MeterProvider() {
			t.Fatal("WithGlobals(true) did not install the kit's providers")
		}
	})
	if otel.GetTracerProvider() != tp || otel.GetMeterProvider() != mp || otel.GetTextMapPropagator() != prop {
		t.Error("globals not restored after the subtest")
	}
	// Without WithGlobals(true) the kit leaves them alone.
	t.Run("default", func(t *testing.T) {
		telemetrytest.New(t)
		if otel.GetTracerProvider() != tp {
			t.Error("the kit installed a global tracer provider without WithGlobals(true)")
		}
	})
}
