package metrics_test

import (
	"context"
	"errors"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// A response model the pricing table does not know (a deployment name, an
// alias) is priced as the requested model; the span keeps the response
// model and the counters its label.
func TestFinishPricesUnknownResponseModelAsRequested(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"})
	cost, err := call.Finish(metrics.Result{Usage: ailabels.Usage{Model: "my-deployment-7", InputTokens: 1000, OutputTokens: 100}})
	if err != nil || !cost.Priced || cost.USD <= 0 {
		t.Fatalf("Finish = %+v, %v: want priced as gpt-4o", cost, err)
	}
	want, _ := ai.Pricing().Cost(ailabels.Usage{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o", InputTokens: 1000, OutputTokens: 100})
	if cost.USD != want.USD || cost.PricedAs != want.PricedAs {
		t.Errorf("cost %+v, want gpt-4o's %+v", cost, want)
	}
	a := genaiAttrs(oneSpan(t, kit))
	if got := a["gen_ai.response.model"].AsString(); got != "my-deployment-7" {
		t.Errorf("gen_ai.response.model = %q", got)
	}
	if got := a["ai.pricing.entry"].AsString(); got != want.PricedAs {
		t.Errorf("ai.pricing.entry = %q, want %q", got, want.PricedAs)
	}
	_, pts := aiMetric(t, kit, metrics.AIRequestsName)
	if len(pts) != 1 || pts[0].labels["model"] != "my-deployment-7" {
		t.Errorf("ai_requests_total %v: want the response model's label", pts)
	}

	// Neither known: unpriced, as before.
	_, call = ai.StartCall(context.Background(), ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "nobody-knows-1"})
	if cost, _ := call.Finish(metrics.Result{Usage: ailabels.Usage{Model: "nobody-knows-2", InputTokens: 1}}); cost.Priced {
		t.Errorf("unknown models priced: %+v", cost)
	}
}

// SetProvider, for a platform learned late, reaches the span and the
// counters of a failed call.
func TestSetProvider(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: ailabels.ProviderAnthropic, Model: "claude-sonnet-4-5"})
	call.SetProvider(ailabels.ProviderAWSBedrock)
	call.SetProvider("") // ignored
	_, _ = call.Finish(metrics.Result{UsageMissing: true, ErrorType: "429", Err: errors.New("429")})
	call.SetProvider("late") // after the end: ignored
	kit.Flush()
	a := genaiAttrs(oneSpan(t, kit))
	if got := a["gen_ai.provider.name"].AsString(); got != ailabels.ProviderAWSBedrock {
		t.Errorf("gen_ai.provider.name = %q", got)
	}
	_, pts := aiMetric(t, kit, metrics.AIRequestsName)
	if len(pts) != 1 || pts[0].labels["provider"] != ailabels.ProviderAWSBedrock || pts[0].labels["outcome"] != "error" {
		t.Errorf("ai_requests_total %v", pts)
	}
	var nilCall *metrics.Call
	nilCall.SetProvider("x")
	if !nilCall.StartTime().IsZero() {
		t.Error("nil Call has a start time")
	}
}

// StartCallParams gives the span what the options give it.
func TestStartCallParams(t *testing.T) {
	kit := telemetrytest.New(t)
	ai := newAI(t, kit)
	r := ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}
	_, c1 := ai.StartCall(context.Background(), r, metrics.WithStream(true), metrics.WithServer("api.openai.com", 443))
	_, c2 := ai.StartCallParams(context.Background(), r, metrics.CallParams{Stream: true, ServerAddress: "api.openai.com", ServerPort: 443})
	if c2.StartTime().IsZero() {
		t.Error("no start time")
	}
	c1.Finish(metrics.Result{UsageMissing: true})
	c2.Finish(metrics.Result{UsageMissing: true})
	kit.Flush()
	spans := kit.Spans()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	a1, a2 := genaiAttrs(spans[0]), genaiAttrs(spans[1])
	if len(a1) != len(a2) || spans[0].Name != spans[1].Name {
		t.Errorf("StartCall %v %v, StartCallParams %v %v", spans[0].Name, a1, spans[1].Name, a2)
	}
	for k, v := range a1 {
		if a2[k] != v {
			t.Errorf("%s: %v with options, %v with CallParams", k, v, a2[k])
		}
	}
	var nilAI *metrics.AI
	if _, c := nilAI.StartCallParams(context.Background(), r, metrics.CallParams{}); c != nil {
		t.Error("nil AI made a Call")
	}
}

// A span that is not sampled gets no attributes built, and the call is
// counted all the same.
func TestFinishUnsampled(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	_, call := ai.StartCall(context.Background(), ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"})
	if call.Span().IsRecording() {
		t.Fatal("sampled")
	}
	cost, err := call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 10, OutputTokens: 5}, ResponseID: "x", FinishReasons: []string{"stop"}})
	if err != nil || !cost.Priced {
		t.Fatalf("Finish = %+v, %v", cost, err)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == metrics.AIRequestsName {
				found = len(m.Data.(metricdata.Sum[int64]).DataPoints) == 1
			}
		}
	}
	if !found {
		t.Error("the unsampled call was not counted")
	}
}
