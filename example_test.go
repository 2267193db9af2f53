package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/starmates-ai-team/telemetry"
)

func ExampleInit() {
	ctx := context.Background()
	tel, err := telemetry.Init(ctx,
		telemetry.WithService("api-gateway"),
		telemetry.WithEnvironment(telemetry.Prod),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tel.Shutdown(ctx)

	fmt.Println(tel.Service(), tel.Environment(), tel.Project())
	// Output: api-gateway prod starmates-ai-team
}

func ExampleInit_invalidConfig() {
	_, err := telemetry.Init(context.Background(),
		telemetry.WithService("api-gateway"),
		telemetry.WithEnvironment("production"),
	)
	fmt.Println(errors.Is(err, telemetry.ErrInvalidConfig))
	fmt.Println(err)
	// One bad setting is one *ConfigError; several are joined, and
	// errors.As finds the first of them either way.
	var ce *telemetry.ConfigError
	if errors.As(err, &ce) {
		fmt.Printf("field %s, value %q\n", ce.Field, ce.Value)
	}
	// Output:
	// true
	// telemetry: invalid environment "production": allowed: one of dev, prod, staging
	// field environment, value "production"
}

func ExampleTelemetry_Shutdown() {
	tel, err := telemetry.Init(context.Background(), telemetry.WithService("workflow-engine"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// ... serve ...

	// Flush and stop traces, metrics and logs in parallel, within 5 s even
	// if the collector is down.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		fmt.Println("telemetry lost:", err)
	}
}
