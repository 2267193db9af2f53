// Command otlpsend sends the SDK's metrics, a two-service trace and a log line correlated
// with it to a collector as OTLP/JSON over HTTP (package otlpjson), for trying the stack
// by hand.
//
//	otlpsend -endpoint http://127.0.0.1:4318 -service api-gateway -rounds 12 -interval 5s -error-ratio 0.5
//
// Each round's trace id is printed on standard output as `trace_id=...`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry/examples/stack/tools/otlpjson"
)

func main() {
	var c otlpjson.Config
	flag.StringVar(&c.Endpoint, "endpoint", "http://127.0.0.1:4318", "collector OTLP/HTTP base URL")
	flag.StringVar(&c.Service, "service", "api-gateway", "service label and service.name")
	flag.StringVar(&c.Downstream, "downstream", "workflow-engine", "service.name of the child span")
	flag.StringVar(&c.Environment, "environment", "dev", "environment label")
	flag.StringVar(&c.Project, "project", "starmates-ai-team", "project label")
	flag.Float64Var(&c.ErrorRatio, "error-ratio", 0, "share of requests answered 500, 0..1")
	signals := flag.String("signals", "metrics,traces,logs", "which signals to send")
	rounds := flag.Int("rounds", 1, "how many rounds to send")
	interval := flag.Duration("interval", 5*time.Second, "pause between rounds")
	flag.Parse()
	c.Signals = strings.Split(*signals, ",")

	s := otlpjson.New(c)
	for i := range *rounds {
		if i > 0 {
			time.Sleep(*interval)
		}
		traceID, err := s.Round(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "otlpsend:", err)
			os.Exit(1)
		}
		fmt.Printf("trace_id=%s\n", traceID)
	}
}
