// Command demo runs the three example services (api-gateway ->
// workflow-engine -> workflow-agent) on loopback ports, drives a realistic
// mixed workload at them for a bounded time (some errors, a panic, slow
// calls) and prints what a user of the SDK wants to see: one trace tree
// across the three services (the agent's GenAI spans included), the metric
// table with its labels, the AI calls by model with the time to first
// token of the streamed ones and their cost, and log lines with their
// trace ids. workflow-agent calls its models through the real openai-go
// and anthropic-sdk-go clients, against a fake provider on loopback
// (examples/internal/fakellm), recorded by openaitel and anthropictel.
//
//	go -C examples run ./demo                 # 20 s of load
//	go -C examples run ./demo -duration 60s
//
// With the local stack up (examples/stack/local/stack.sh up) it exports over
// OTLP and reads everything back from Jaeger, Prometheus and the cloud
// stand-in, and prints the queries to look at; without it, it records in
// process with the SDK's in-memory pipeline and prints from there.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/examples/internal/app"
	"github.com/starmates-ai-team/telemetry/internal/syncbuf"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func main() {
	duration := flag.Duration("duration", 20*time.Second, "how long to send load")
	mode := flag.String("mode", "auto", "auto (stack if it answers), stack (export to the local stack), local (in process)")
	env := flag.String("environment", "dev", "the environment label: dev, staging or prod")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *duration, *mode, telemetry.Environment(*env)); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, d time.Duration, mode string, env telemetry.Environment) error {
	if mode == "auto" {
		mode = "local"
		if stackUp() {
			mode = "stack"
		}
	}
	var (
		console syncbuf.Buffer // the services' console log lines (JSON, with trace ids), written by the three at once
		kits    = map[string]*telemetrytest.Kit{}
		newTel  app.NewTelemetry
	)
	switch mode {
	case "stack":
		fmt.Println("Local stack found: exporting over OTLP to 127.0.0.1:4317.")
		newTel = func(ctx context.Context, service string) (*telemetry.Telemetry, error) {
			return telemetry.Init(ctx, telemetry.WithService(service), telemetry.WithEnvironment(env),
				telemetry.WithMetricInterval(2*time.Second))
		}
	case "local":
		fmt.Println("No collector on 127.0.0.1:4317: recording in process (start the stack with examples/stack/local/stack.sh up to export).")
		newTel = func(ctx context.Context, service string) (*telemetry.Telemetry, error) {
			k, err := telemetrytest.NewKit(ctx, telemetry.WithService(service), telemetry.WithEnvironment(env))
			if err != nil {
				return nil, err
			}
			kits[service] = k
			return k.Telemetry, nil
		}
	default:
		return fmt.Errorf("unknown -mode %q: allowed auto, stack, local", mode)
	}

	chain, err := app.Start(ctx, app.Config{NewTelemetry: newTel, Console: &console})
	if err != nil {
		return err
	}
	fmt.Printf("Services: %s %s, %s %s, %s %s\n", app.Gateway, chain.Gateway.URL, app.Engine, chain.Engine.URL, app.Agent, chain.Agent.URL)
	fmt.Printf("Sending a mixed workload for %s (errors, a panic or two, slow calls)...\n", d)

	wl := chain.Workload(d)
	res := wl.Run(ctx)
	fmt.Printf("Sent %d requests in %s: %s\n\n", len(res.Sent), res.Elapsed.Round(time.Millisecond), statusSummary(res))

	var rep report
	var instances []string
	for _, s := range chain.Services() {
		v, _ := s.Tel.Resource().Set().Value("service.instance.id")
		instances = append(instances, v.AsString())
	}
	if mode == "local" {
		for _, s := range chain.Services() {
			_ = s.Tel.ForceFlush(ctx)
		}
		rep = localReport(kits, res)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := chain.Close(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
	}
	if mode == "stack" {
		rep, err = stackReport(ctx, res, env, instances)
		if err != nil {
			return err
		}
	}
	rep.logs = logLines(console.Bytes(), rep.traceID, 8)
	rep.print(os.Stdout)
	if mode == "stack" {
		printQueries(os.Stdout, rep.traceID, env)
	}
	return nil
}

// stackUp reports whether the local stack's collector and Prometheus answer.
func stackUp() bool {
	for _, addr := range []string{"127.0.0.1:4317", "127.0.0.1:9090", "127.0.0.1:16686"} {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return false
		}
		c.Close()
	}
	return true
}
