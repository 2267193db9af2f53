// Command e2e is the end-to-end suite: it runs the three example services
// against the real local stack (examples/stack/local/stack.sh up) under a
// mixed load, in two environments, and checks each acceptance item of the
// design by querying Jaeger, Prometheus, the remote-write "cloud"
// Prometheus, the cloud stand-in collector's output and the alert webhook
// receiver. It also measures the design's figures: metric collection delay
// and trace coverage.
//
//	bash examples/stack/local/stack.sh up
//	go -C examples run ./e2e
//
// It prints one line per check and "N passed, M failed", and exits 1 on any
// failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/examples/internal/app"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

func main() {
	load := flag.Duration("load", 30*time.Second, "how long the dev run sends load")
	seriesBudget := flag.Int("series-budget", 10000/3, "most series one service may have (Grafana Cloud free tier 10k / 3 services)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := &suite{st: stackquery.FromEnv(), seriesBudget: *seriesBudget}
	defer s.st.CloseIdle()
	if _, err := s.st.Query(ctx, "up"); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: the local stack does not answer (%v); start it with examples/stack/local/stack.sh up\n", err)
		fmt.Println("0 passed, 1 failed")
		os.Exit(1)
	}
	s.run(ctx, *load)
	fmt.Printf("\n%d passed, %d failed\n", s.passed, s.failed)
	if s.failed > 0 {
		os.Exit(1)
	}
}

type suite struct {
	st           stackquery.Stack
	seriesBudget int
	passed       int
	failed       int
}

// check records one result.
func (s *suite) check(name string, err error) {
	if err != nil {
		s.failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	s.passed++
	fmt.Printf("PASS %s\n", name)
}

// envRun is one run of the three services in one environment.
type envRun struct {
	env       telemetry.Environment
	chain     *app.Chain
	instances map[string]string // service -> service.instance.id
	result    app.Result
}

// succeeded returns the run's successful requests (app.Result.Succeeded),
// or an error when there is none to check.
func (r *envRun) succeeded() ([]app.Sent, error) {
	ok := r.result.Succeeded()
	if len(ok) == 0 {
		return nil, errors.New("no successful request to check")
	}
	return ok, nil
}

func (s *suite) startRun(ctx context.Context, env telemetry.Environment) (*envRun, error) {
	r := &envRun{env: env, instances: map[string]string{}}
	chain, err := app.Start(ctx, app.Config{NewTelemetry: func(ctx context.Context, service string) (*telemetry.Telemetry, error) {
		// The SDK's defaults (10 s metric interval): the collection delay
		// measured is the one users get.
		return telemetry.Init(ctx, telemetry.WithService(service), telemetry.WithEnvironment(env))
	}})
	if err != nil {
		return nil, err
	}
	r.chain = chain
	for _, svc := range chain.Services() {
		v, _ := svc.Tel.Resource().Set().Value("service.instance.id")
		r.instances[svc.Name] = v.AsString()
	}
	return r, nil
}

func (s *suite) run(ctx context.Context, load time.Duration) {
	fmt.Printf("e2e: dev run, %s of mixed load\n", load)
	dev, err := s.startRun(ctx, telemetry.Dev)
	if err != nil {
		s.check("start the dev services", err)
		return
	}
	dev.result = dev.chain.Workload(load).Run(ctx)
	fmt.Printf("e2e: dev sent %d requests %v\n", len(dev.result.Sent), dev.result.ByStatus)

	// Collection delay, measured on the running dev services.
	delays, err := s.collectionDelay(ctx, dev, 3)
	s.check(fmt.Sprintf("metric collection delay < 30 s (measured %v)", delays), err)

	fmt.Println("e2e: prod run, 8 s of load")
	prod, err := s.startRun(ctx, telemetry.Prod)
	if err != nil {
		s.check("start the prod services", err)
		s.stopRun(dev)
		return
	}
	prod.result = prod.chain.Workload(8 * time.Second).Run(ctx)

	// Alerts need errors flowing while the rule evaluates: run the burst
	// with the prod services still up.
	s.check("5. an alert fires, reaches the webhook and resolves", s.alertFiresAndResolves(ctx, prod))

	s.stopRun(dev)
	s.stopRun(prod)

	s.check("1. Jaeger: traces span the three services with correct parent/child links", s.traceChain(ctx, dev))
	cov, err := s.traceCoverage(ctx, dev)
	s.check(fmt.Sprintf("trace coverage > 95 %% (measured %.1f %%)", cov*100), err)
	s.check("2. Prometheus has every design metric with its labels", s.designMetrics(ctx, dev))
	s.check("3. the cloud store keeps dev and prod apart", s.envSeparation(ctx, dev, prod))
	s.check("4. every exported log record of a request carries its trace_id", s.logCorrelation(ctx, dev))
	s.check(fmt.Sprintf("6. series per service under %d", s.seriesBudget), s.seriesCount(ctx, dev))
	s.check("7. ai_cost_total is the sum of the model calls' costs", s.costMatchesCalls(ctx, dev))
	s.check("8. exemplars on both Prometheus lead to a Jaeger trace with a span of their service and endpoint", s.exemplarsToJaeger(ctx, dev))
	s.check("9. the log store has, by trace id, every line each service wrote for the request", s.logsByTraceID(ctx))
	s.check("10. the cost report's series agree with Prometheus' own count", s.costReportAgrees(ctx))
	s.check("11. Jaeger: AI spans under workflow-agent's server span, with gen_ai.* attributes, a retried call's two attempts", s.aiSpansInJaeger(ctx, dev))
	s.check("12. Prometheus: ai_* series for both providers, non-zero cost, the time-to-first-chunk histogram", s.aiMetricsInPrometheus(ctx, dev))
}

func (s *suite) stopRun(r *envRun) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.chain.Close(ctx); err != nil {
		fmt.Printf("e2e: shutdown of the %s services: %v\n", r.env, err)
	}
}

// poll waits up to d for check.
func poll(ctx context.Context, d time.Duration, check func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return stackquery.Poll(ctx, 500*time.Millisecond, check)
}
