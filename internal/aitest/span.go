package aitest

import (
	"math"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// SpanAttrs returns the attributes of span s by key.
func SpanAttrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value { return Attrs(s.Attributes) }

// Attrs returns attributes (a span's or a span event's) by key.
func Attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

// WantAttrs checks attributes of span s: each key of want must have the
// value given, of the matching type: a string, an int or int64 (an INT64
// attribute), a float64 (a FLOAT64 within 1e-12), a bool or a []string.
// A nil value means the attribute must be absent. Keys of s that want
// does not name are not checked.
func WantAttrs[K ~string](tb testing.TB, s tracetest.SpanStub, want map[K]any) {
	tb.Helper()
	got := Attrs(s.Attributes)
	for k, w := range want {
		v, ok := got[attribute.Key(k)]
		if w == nil {
			if ok {
				tb.Errorf("span %q: %s = %s, want none", s.Name, k, v.String())
			}
			continue
		}
		if !ok {
			tb.Errorf("span %q: no %s, want %v", s.Name, k, w)
			continue
		}
		var same bool
		switch w := w.(type) {
		case string:
			same = v.Type() == attribute.STRING && v.AsString() == w
		case int:
			same = v.Type() == attribute.INT64 && v.AsInt64() == int64(w)
		case int64:
			same = v.Type() == attribute.INT64 && v.AsInt64() == w
		case float64:
			same = v.Type() == attribute.FLOAT64 && math.Abs(v.AsFloat64()-w) < 1e-12
		case bool:
			same = v.Type() == attribute.BOOL && v.AsBool() == w
		case []string:
			same = v.Type() == attribute.STRINGSLICE && slices.Equal(v.AsStringSlice(), w)
		default:
			tb.Fatalf("span %q: %s: WantAttrs cannot compare a %T", s.Name, k, w)
		}
		if !same {
			tb.Errorf("span %q: %s = %s, want %v", s.Name, k, v.String(), w)
		}
	}
}

// AttemptEvent returns the attributes of the one event of span s, which
// must be a failed attempt's (ailabels.AttemptEventName): the span of a
// call that succeeded at its second attempt.
func AttemptEvent(tb testing.TB, s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	tb.Helper()
	if len(s.Events) != 1 || s.Events[0].Name != ailabels.AttemptEventName {
		tb.Fatalf("span %q: events %+v, want one %s", s.Name, s.Events, ailabels.AttemptEventName)
	}
	return Attrs(s.Events[0].Attributes)
}

// WaitSpans waits, 10 s at the most, until kit holds n ended spans, and
// returns them; it fails the test if there are not exactly n by then. A
// call whose attempt failed ends its span on a timer (when no retry
// comes) or after its body was read on another goroutine.
func WaitSpans(tb testing.TB, kit *telemetrytest.Kit, n int) tracetest.SpanStubs {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := kit.Spans()
		if len(spans) >= n || time.Now().After(deadline) {
			if len(spans) != n {
				for _, sp := range spans {
					tb.Logf("span %q %v", sp.Name, sp.Attributes)
				}
				tb.Fatalf("%d spans, want %d", len(spans), n)
			}
			return spans
		}
		time.Sleep(5 * time.Millisecond)
	}
}
