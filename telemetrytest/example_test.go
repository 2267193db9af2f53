package telemetrytest_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// In a test, use telemetrytest.New(t, ...), which also shuts the kit down;
// NewKit serves code without a testing.TB.
func ExampleNewKit() {
	ctx := context.Background()
	kit, err := telemetrytest.NewKit(ctx, telemetry.WithService("checkout"), telemetry.WithEnvironment(telemetry.Prod))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer kit.Telemetry.Shutdown(ctx)

	// The code under test records through kit.Telemetry.
	orders, _ := kit.Telemetry.MeterProvider().Meter("shop").Int64Counter("orders_total")
	orders.Add(ctx, 2)
	_, span := kit.Telemetry.TracerProvider().Tracer("shop").Start(ctx, "place order")
	span.End()

	// The kit sees what the collector would: with the mandatory labels.
	n, err := kit.Value("orders_total", attribute.String("environment", "prod"), attribute.String("service", "checkout"))
	fmt.Println("orders:", n, err)
	fmt.Println("span:", kit.Spans()[0].Name)
	// Output:
	// orders: 2 <nil>
	// span: place order
}

// Sum adds up every series that has the attributes given, as PromQL's
// sum() would; Value wants exactly one and says how many matched.
func ExampleKit_Sum() {
	ctx := context.Background()
	kit, err := telemetrytest.NewKit(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer kit.Telemetry.Shutdown(ctx)

	tokens, _ := kit.Telemetry.MeterProvider().Meter("shop").Int64Counter("tokens_total")
	tokens.Add(ctx, 100, metric.WithAttributes(attribute.String("model", "gpt-4o"), attribute.String("token_type", "input")))
	tokens.Add(ctx, 7, metric.WithAttributes(attribute.String("model", "gpt-4o"), attribute.String("token_type", "output")))

	all, _ := kit.Sum("tokens_total", attribute.String("model", "gpt-4o"))
	input, _ := kit.Value("tokens_total", attribute.String("model", "gpt-4o"), attribute.String("token_type", "input"))
	_, err = kit.Value("tokens_total", attribute.String("model", "gpt-4o"))
	fmt.Println("sum:", all)
	fmt.Println("input:", input)
	fmt.Println(err)
	// Output:
	// sum: 107
	// input: 100
	// telemetrytest: tokens_total{model="gpt-4o"}: 2 points match, want exactly 1
}
