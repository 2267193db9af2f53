package metrics_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// A service that builds its own OpenTelemetry SDK passes its providers;
// no *telemetry.Telemetry is needed (nil). The labels environment, project
// and service are then not added: the Telemetry's exporter adds them.
func ExampleWithMeterProvider() {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader() // in a service: a PeriodicReader on an exporter
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	// One option value serves both constructors.
	own := metrics.WithMeterProvider(mp)
	ai, _ := metrics.NewAI(nil, own)
	biz, _ := metrics.NewBusiness(nil, own)

	_, _ = ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "gpt-4o", InputTokens: 100, OutputTokens: 7})
	_ = biz.SetPMFScore(ctx, metrics.PMFMethodSeanEllis, 0.44)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				fmt.Printf("%s{%s} %d\n", m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value)
			}
		case metricdata.Gauge[float64]:
			for _, dp := range d.DataPoints {
				fmt.Printf("%s{%s} %v\n", m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value)
			}
		}
	}
	// Unordered output:
	// ai_requests_total{model=gpt-4o,outcome=ok,provider=openai} 1
	// ai_tokens_total{model=gpt-4o,token_type=input} 100
	// ai_tokens_total{model=gpt-4o,token_type=output} 7
	// pmf_score{calculation_method=sean_ellis} 0.44
}

// The AI spans go to the tracer provider given, here one that records in
// memory.
func ExampleWithTracerProvider() {
	ctx := context.Background()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(ctx)

	ai, _ := metrics.NewAI(nil, metrics.WithTracerProvider(tp))
	_, call := ai.Start(ctx, ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"})
	_, _ = call.End(ailabels.Usage{InputTokens: 12, OutputTokens: 3}, nil)

	s := spans.Ended()[0]
	fmt.Println(s.Name(), s.SpanKind(), s.InstrumentationScope().Name)
	// Output:
	// chat gpt-4o client github.com/starmates-ai-team/telemetry
}
