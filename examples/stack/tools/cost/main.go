// Command cost prints the telemetry bill before it comes: it reads the
// local Prometheus, the cloud Prometheus (what Grafana Cloud Metrics bills)
// and the cloud's log store (what Grafana Cloud Logs bills), and prints the
// active series per metric, per service and per label, the samples per
// minute, the log bytes per day and per service, each projected to a month
// and to N instances per service against the Grafana Cloud free tier
// (10k series, 50 GB of logs a month), and then the changes that would cut
// the bill most, each with what it saves.
//
//	bash examples/stack/local/stack.sh up    # and some traffic, e.g. go -C examples run ./demo
//	cd examples/stack/tools && go run ./cost -instances 3
//	go run ./cost -json                      # the same as JSON (the e2e suite reads it)
//
// Addresses and credentials come from the stack's environment variables
// (PROMETHEUS_URL, CLOUD_PROMETHEUS_URL, CLOUD_LOGS_URL,
// GRAFANA_CLOUD_PROMETHEUS_USER, GRAFANA_CLOUD_INSTANCE_ID,
// GRAFANA_CLOUD_API_KEY), defaulting to the local stack's.
//
// Billable series follow Grafana Cloud's rule: the active series, or the
// total data points per minute over the DPM included per series
// (-included-dpm, 1 on the free tier) when that is more; an SDK exporting
// every 10 s sends 6 DPM per series and is billed 6 times its series. The
// samples per minute are measured over -window; the projection takes its
// DPM from -export-interval, since the window may hold instances that
// stopped or started in it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	cfg := config{}
	fs.StringVar(&cfg.match, "match", `{environment!=""}`, "selector of the series to count (the SDK puts environment on every series)")
	fs.DurationVar(&cfg.window, "window", 5*time.Minute, "window of the rates: samples per minute, log bytes per day")
	fs.IntVar(&cfg.instances, "instances", 1, "instances per service to project to")
	fs.IntVar(&cfg.top, "top", 10, "rows per table")
	fs.Float64Var(&cfg.includedDPM, "included-dpm", 1, "data points per minute and series included in the price (0: bill series only)")
	fs.Float64Var(&cfg.freeSeries, "free-series", 10000, "free tier: active series")
	fs.Float64Var(&cfg.freeLogsGB, "free-logs-gb", 50, "free tier: GB of logs a month")
	fs.IntVar(&cfg.logSample, "log-sample", 5000, "log records per service read to measure the bytes per record")
	fs.DurationVar(&cfg.interval, "export-interval", 10*time.Second, "the services' metric export interval (OTEL_METRIC_EXPORT_INTERVAL, the SDK's default 10 s): the projection's DPM per series is 1 m / it")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case cfg.window < time.Minute:
		return errors.New("-window: at least 1m")
	case cfg.instances < 1:
		return errors.New("-instances: at least 1")
	case cfg.top < 1:
		return errors.New("-top: at least 1")
	case cfg.logSample < 1:
		return errors.New("-log-sample: at least 1")
	case cfg.interval < time.Second:
		return errors.New("-export-interval: at least 1s")
	}
	st := stackquery.FromEnv()
	defer st.CloseIdle()
	rep, err := build(ctx, st.Query, st.CloudQuery, st.LogRows, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.print(stdout, cfg)
	return nil
}

// build gathers the three sources and computes the cuts.
func build(ctx context.Context, local, cloud prom, logs logRows, cfg config) (*Report, error) {
	r := &Report{
		Generated: time.Now().UTC().Truncate(time.Second), Match: cfg.match, Instances: cfg.instances, Interval: cfg.interval.String(),
		FreeSeries: cfg.freeSeries, FreeLogsGB: cfg.freeLogsGB,
	}
	var err error
	if r.Local, err = gatherMetrics(ctx, "local Prometheus", local, cfg); err != nil {
		return nil, err
	}
	if r.Cloud, err = gatherMetrics(ctx, "cloud Prometheus", cloud, cfg); err != nil {
		return nil, err
	}
	if r.Logs, err = gatherLogs(ctx, logs, cfg); err != nil {
		return nil, err
	}
	r.Cuts = cuts(r, cfg)
	return r, nil
}
