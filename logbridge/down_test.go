package logbridge

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
)

// lineCounter counts console lines without keeping them.
type lineCounter struct {
	mu sync.Mutex
	n  int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.n += bytes.Count(p, []byte{'\n'})
	c.mu.Unlock()
	return len(p), nil
}

// TestCollectorDown logs a burst far larger than the batch queue to a
// collector that refuses connections: every call returns at once (the
// bound is only a guard against a hang, 100x what it takes), the console
// has every line, and the SDK counts the failed exports instead of
// blocking.
func TestCollectorDown(t *testing.T) {
	for _, proto := range []telemetry.Protocol{telemetry.GRPC, telemetry.HTTPProtobuf} {
		t.Run(string(proto), func(t *testing.T) {
			tel, err := telemetry.Init(context.Background(),
				telemetry.WithService("logbridge-test"),
				telemetry.WithEndpoint(testutil.ClosedAddr(t)),
				telemetry.WithProtocol(proto),
				telemetry.WithInsecure(true),
				telemetry.WithExportTimeout(200*time.Millisecond),
				telemetry.WithErrorHandler(func(error) {}),
			)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = tel.Shutdown(ctx) // reports the failed exports; expected
			}()

			var console lineCounter
			l, err := New(tel, WithWriter(&console), WithLevel(slog.LevelInfo))
			if err != nil {
				t.Fatal(err)
			}
			const burst = 10000
			start := time.Now()
			for i := range burst {
				l.Info("burst", "i", i, "route", "/orders", "status", 200)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%d log calls took %v with the collector down", burst, d)
			}
			console.mu.Lock()
			n := console.n
			console.mu.Unlock()
			if n != burst {
				t.Errorf("console has %d lines, want %d", n, burst)
			}

			// Flushing is where the SDK meets the dead collector: it
			// must fail within its deadline, not hang.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = tel.ForceFlush(ctx)
			if _, _, logs := tel.Stats(); logs.Failures == 0 {
				t.Errorf("no failed log export counted: %+v", logs)
			}
		})
	}
}
