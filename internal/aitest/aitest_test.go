package aitest

import (
	"fmt"
	"runtime"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// recorder is a testing.TB that keeps the failures it is told of. Its
// Fatalf ends the goroutine, as testing's does: run the check in one of
// its own (failures).
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// failures runs check with a recorder, on a goroutine of its own, and
// returns what it failed with.
func failures(t *testing.T, check func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.failures
}

func TestWantAttrs(t *testing.T) {
	s := tracetest.SpanStub{Name: "chat m", Attributes: []attribute.KeyValue{
		attribute.String("s", "x"), attribute.Int("i", 3), attribute.Float64("f", 0.25),
		attribute.Bool("b", true), attribute.StringSlice("ss", []string{"a", "b"}),
	}}
	for _, tc := range []struct {
		name  string
		want  map[string]any
		fails int
	}{
		{"all match", map[string]any{"s": "x", "i": 3, "f": 0.25, "b": true, "ss": []string{"a", "b"}, "none": nil}, 0},
		{"int64", map[string]any{"i": int64(3)}, 0},
		{"other values", map[string]any{"s": "y", "i": 4, "f": 0.26, "b": false, "ss": []string{"a"}}, 5},
		{"other types", map[string]any{"s": 1, "i": "3", "f": 1, "b": "true", "ss": "a,b"}, 5},
		{"missing", map[string]any{"absent": "x"}, 1},
		{"present", map[string]any{"s": nil}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := failures(t, func(tb testing.TB) { WantAttrs(tb, s, tc.want) })
			if len(got) != tc.fails {
				t.Errorf("%d failures, want %d: %q", len(got), tc.fails, got)
			}
		})
	}
}

func TestAttemptEvent(t *testing.T) {
	s := tracetest.SpanStub{Name: "chat m"}
	if got := failures(t, func(tb testing.TB) { AttemptEvent(tb, s) }); len(got) != 1 {
		t.Errorf("a span without events: %q", got)
	}
	s.Events = []sdktrace.Event{{Name: ailabels.AttemptEventName, Attributes: []attribute.KeyValue{attribute.Int("http.response.status_code", 429)}}}
	var ev map[attribute.Key]attribute.Value
	if got := failures(t, func(tb testing.TB) { ev = AttemptEvent(tb, s) }); len(got) != 0 || ev["http.response.status_code"].AsInt64() != 429 {
		t.Errorf("one attempt event: %v, failures %q", ev, got)
	}
}
