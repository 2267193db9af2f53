//go:build !race

package logbridge

import (
	"context"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// TestBelowLevelAllocatesNothing: a call under the level costs a level
// comparison and no allocation, whatever its attributes. (Allocation
// counts are exact, unlike timings; the race detector changes them, hence
// the build tag.)
func TestBelowLevelAllocatesNothing(t *testing.T) {
	h, _, buf := newTest(t, WithLevel(slog.LevelInfo))
	l := slog.New(h).With("component", "checkout")
	ctx := trace.ContextWithSpanContext(context.Background(), validSpanContext())
	userID, n, ok := "u-123", 42, true
	tests := map[string]func(){
		"Debug": func() {
			l.Debug("below", "user", userID, "n", n, "ok", ok, "route", "/orders", "api_key", "k")
		},
		"DebugContext": func() {
			l.DebugContext(ctx, "below", "user", userID, "n", n, "ok", ok, "route", "/orders", "api_key", "k")
		},
		"LogAttrs": func() {
			l.LogAttrs(ctx, slog.LevelDebug, "below",
				slog.String("user", userID), slog.Int("n", n), slog.Bool("ok", ok),
				slog.String("route", "/orders"), slog.String("api_key", "k"))
		},
		"From": func() {
			From(ctx).Debug("below", "user", userID)
		},
	}
	for name, f := range tests {
		if got := testing.AllocsPerRun(100, f); got != 0 {
			t.Errorf("%s below the level: %v allocations, want 0", name, got)
		}
	}
	if buf.String() != "" {
		t.Errorf("below-level calls wrote %q", buf.String())
	}
}
