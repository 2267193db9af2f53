//go:build integration

package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

var stack = stackquery.FromEnv()

func TestMain(m *testing.M) {
	// The stack must be up: a missing stack is a failure, not a skip.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err := stack.Query(ctx, "up")
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: the local stack is not answering (%v); start it with examples/stack/local/stack.sh up\n", err)
		os.Exit(1)
	}
	code := m.Run()
	stack.CloseIdle()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run")); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// uniqueService returns a service name no earlier run used, so that
// queries see only this run's data.
func uniqueService(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// initService starts a Telemetry that exports to the stack, for a service
// named prefix and a suffix no earlier run used (uniqueService), with opts
// after the service name. It returns the Telemetry and the service name.
func initService(t *testing.T, prefix string, opts ...telemetry.Option) (*telemetry.Telemetry, string) {
	t.Helper()
	service := uniqueService(prefix)
	tel, err := telemetry.Init(context.Background(), append([]telemetry.Option{telemetry.WithService(service)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tel, service
}

// waitFor polls check for up to 60 s (the collector exports every few
// seconds and Prometheus scrapes every 5 s).
func waitFor(t *testing.T, what string, check func() (bool, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := stackquery.Poll(ctx, time.Second, check); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// waitForCloudLog returns the first log record of service that reached the
// cloud OTLP stand-in (the Loki stand-in), waiting for it.
func waitForCloudLog(t *testing.T, service string) stackquery.LogRecord {
	t.Helper()
	var rec stackquery.LogRecord
	waitFor(t, "a log record of "+service+" at the cloud endpoint", func() (bool, error) {
		logs, err := stack.CloudLogs()
		for _, l := range logs {
			if l.Resource["service.name"] == service {
				rec = l
				return true, nil
			}
		}
		return false, err
	})
	return rec
}
