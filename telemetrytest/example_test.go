package telemetrytest_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"

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
	n, _ := kit.SumValue("orders_total", attribute.String("environment", "prod"), attribute.String("service", "checkout"))
	fmt.Println("orders:", n)
	fmt.Println("span:", kit.Spans()[0].Name)
	// Output:
	// orders: 2
	// span: place order
}
