package logbridge

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry/internal/syncbuf"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// syncBuffer is a console writer that tests read while servers write.
type syncBuffer struct {
	syncbuf.Buffer
}

// lines decodes the JSON console output, one map per line.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("console line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// newTest returns a Handler on a fresh kit with a JSON console in a buffer.
func newTest(t *testing.T, opts ...Option) (*Handler, *telemetrytest.Kit, *syncBuffer) {
	t.Helper()
	kit := telemetrytest.New(t)
	buf := &syncBuffer{}
	h, err := newHandler(kit.Telemetry, noEnv, append([]Option{WithWriter(buf)}, opts...))
	if err != nil {
		t.Fatal(err)
	}
	return h, kit, buf
}

func noEnv(string) (string, bool) { return "", false }

// attrMap turns an OTel record's attributes into plain Go values (maps for
// attribute maps) so tests can compare them with JSON output.
func attrMap(r sdklog.Record) map[string]any {
	m := map[string]any{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		m[string(kv.Key)] = plain(kv.Value)
		return true
	})
	return m
}

func plain(v attribute.Value) any {
	switch v.Type() {
	case attribute.MAP:
		m := map[string]any{}
		for _, kv := range v.AsMap() {
			m[string(kv.Key)] = plain(kv.Value)
		}
		return m
	case attribute.SLICE:
		var s []any
		for _, e := range v.AsSlice() {
			s = append(s, plain(e))
		}
		return s
	case attribute.INT64:
		return v.AsInt64()
	case attribute.FLOAT64:
		return v.AsFloat64()
	case attribute.BOOL:
		return v.AsBool()
	case attribute.STRING:
		return v.AsString()
	}
	return fmt.Sprint(v.AsInterface())
}
