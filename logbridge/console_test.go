package logbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// The console must write what slog's own handlers write. These tests
// encode the same calls with both and compare the bytes.

// step is one WithGroup (group set) or WithAttrs call.
type step struct {
	group string
	attrs []slog.Attr
}

// encodeBoth returns the line slog's handler writes and the line the
// console writes for the steps and a record holding attrs.
func encodeBoth(jsonFormat bool, steps []step, msg string, attrs []slog.Attr) (want, got string) {
	var sb, cb bytes.Buffer
	var sh slog.Handler
	if jsonFormat {
		sh = slog.NewJSONHandler(&sb, nil)
	} else {
		sh = slog.NewTextHandler(&sb, nil)
	}
	c := newConsole(&cb, jsonFormat)
	for _, s := range steps {
		if s.attrs == nil {
			sh, c = sh.WithGroup(s.group), c.withGroup(s.group)
		} else {
			sh, c = sh.WithAttrs(s.attrs), c.withAttrs(s.attrs)
		}
	}
	r := slog.NewRecord(time.Date(2026, 11, 25, 4, 5, 6, 7_008_009, time.UTC), slog.LevelWarn+1, msg, 0)
	r.AddAttrs(attrs...)
	_ = sh.Handle(context.Background(), r)
	_ = c.handle(r, trace.SpanContext{})
	return sb.String(), cb.String()
}

type textOnly struct{}

func (textOnly) MarshalText() ([]byte, error) { return []byte("a b"), nil }

type textErr struct{}

func (textErr) MarshalText() ([]byte, error) { return nil, errors.New("no text") }

type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg } // panics on a nil pointer

type jsonErr struct{}

func (jsonErr) Error() string                { return "as error" }
func (jsonErr) MarshalJSON() ([]byte, error) { return []byte(`{"as":"json"}`), nil }

type bytesNamed []byte

type valuer struct{}

func (valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", "v"), slog.Int("n", 2))
}

func TestConsoleMatchesSlog(t *testing.T) {
	group := func(k string, as ...slog.Attr) slog.Attr { return slog.Attr{Key: k, Value: slog.GroupValue(as...)} }
	values := []slog.Attr{
		slog.String("s", "plain"),
		slog.String("esc", "q\"b\\n\n\r\t\x01\x7f<&> é \u2028\u2029 \xff end"),
		slog.String("", "empty key"),
		slog.String("needs quoting", "a=b"),
		slog.String("unicode", "naïve\u00a0nbsp\u200b"),
		slog.Int("i", -42),
		slog.Uint64("u", math.MaxUint64),
		slog.Float64("f", 3.5),
		slog.Float64("tiny", 1e-7),
		slog.Float64("huge", 1e21),
		slog.Float64("zero", 0),
		slog.Float64("exp", 1.5e-300),
		slog.Float64("nan", math.NaN()),
		slog.Float64("inf", math.Inf(-1)),
		slog.Bool("b", true),
		slog.Duration("d", 1500*time.Millisecond),
		slog.Time("t", time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))),
		slog.Time("tz", time.Date(2025, 1, 2, 3, 4, 5, 120_000_000, time.UTC)),
		slog.Any("err", errors.New("boom")),
		slog.Any("nilptr", (*nilErr)(nil)),
		slog.Any("jsonerr", jsonErr{}),
		slog.Any("map", map[string]any{"k": []int{1, 2}, "h": "<b>"}),
		slog.Any("struct", struct{ A int }{7}),
		slog.Any("bytes", []byte("by\"tes")),
		slog.Any("named", bytesNamed("nb")),
		slog.Any("ip", net.IPv4(10, 0, 0, 1)),
		slog.Any("text", textOnly{}),
		slog.Any("texterr", textErr{}),
		slog.Any("nil", nil),
		slog.Any("chan", make(chan int)),
		slog.Any("valuer", valuer{}),
		slog.Any("src", &slog.Source{Function: "f", File: "a.go", Line: 3}),
		slog.Any("srcpart", &slog.Source{File: "b.go"}),
		slog.Any("srcempty", &slog.Source{}),
		{},
		group("g", slog.Int("a", 1), group("h", slog.String("b", "x"))),
		group("", slog.Int("inl", 1)),
		group("emptygroup"),
		group("g.dot", slog.Int("a", 1)),
	}
	steps := [][]step{
		nil,
		{{group: "w"}},
		{{attrs: []slog.Attr{slog.Int("pre", 1)}}},
		{{group: "w"}, {attrs: []slog.Attr{slog.Int("pre", 1)}}, {group: "v"}},
		{{group: "w"}, {attrs: []slog.Attr{slog.Int("pre", 1)}}, {group: "v"}, {attrs: []slog.Attr{slog.Int("pre2", 2)}}},
		{{attrs: []slog.Attr{{}, group("e")}}, {group: "w"}},
		{{group: "a b"}, {attrs: []slog.Attr{slog.String("k", "v")}}},
	}
	records := [][]slog.Attr{nil, {{}}, values}
	for _, a := range values {
		records = append(records, []slog.Attr{a}, []slog.Attr{slog.Int("before", 0), a, slog.Int("after", 1)})
	}
	for _, jsonFormat := range []bool{true, false} {
		for si, st := range steps {
			for ri, attrs := range records {
				want, got := encodeBoth(jsonFormat, st, "msg \"x\"", attrs)
				if got != want {
					t.Errorf("json=%v steps %d record %d:\nslog %s ours %s", jsonFormat, si, ri, want, got)
				}
			}
		}
	}
}

// TestConsoleBetterThanSlog pins the two places where slog writes a broken
// line and the console does not.
func TestConsoleBetterThanSlog(t *testing.T) {
	allEmpty := []slog.Attr{slog.Group("g", slog.Attr{}), slog.Int("b", 2)}
	for _, tc := range []struct {
		json  bool
		attrs []slog.Attr
		want  string
	}{
		{true, allEmpty, `,"msg":"m","b":2}`},
		{false, allEmpty, ` msg=m b=2`},
		{true, []slog.Attr{slog.Time("t", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}, `"t":"!ERROR:time.Time year outside of range [0,9999]"}`},
	} {
		_, got := encodeBoth(tc.json, nil, "m", tc.attrs)
		if !strings.HasSuffix(got, tc.want+"\n") {
			t.Errorf("got %s want suffix %s", got, tc.want)
		}
		if tc.json && !json.Valid([]byte(got)) {
			t.Errorf("not JSON: %s", got)
		}
	}
}

// TestConsoleIDs: the ids come last, at the top level, outside every
// group, in both formats.
func TestConsoleIDs(t *testing.T) {
	sc := validSpanContext()
	tid, sid := sc.TraceID().String(), sc.SpanID().String()
	for _, tc := range []struct {
		json bool
		want string
	}{
		{true, `"msg":"m","w":{"pre":1,"v":{"a":1}},"trace_id":"` + tid + `","span_id":"` + sid + `"}` + "\n"},
		{false, `msg=m w.pre=1 w.v.a=1 trace_id=` + tid + ` span_id=` + sid + "\n"},
	} {
		var b bytes.Buffer
		c := newConsole(&b, tc.json).withGroup("w").withAttrs([]slog.Attr{slog.Int("pre", 1)}).withGroup("v")
		r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
		r.AddAttrs(slog.Int("a", 1))
		if err := c.handle(r, sc); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), tc.want) {
			t.Errorf("got %s want suffix %s", b.String(), tc.want)
		}
	}
}

// FuzzConsoleMatchesSlog builds records from arbitrary keys and values and
// compares the console with slog's handlers, except where slog writes a
// broken line (see TestConsoleBetterThanSlog), where the JSON must still
// be valid.
func FuzzConsoleMatchesSlog(f *testing.F) {
	f.Add("key", "value", "grp", int64(1), 2.5, []byte("x"), uint8(0))
	f.Add("", "", "", int64(0), 0.0, []byte(nil), uint8(255))
	f.Add("a=b", "\xff\u2028", "g h", int64(-1), 1e-9, []byte{0, 1}, uint8(0x5a))
	f.Fuzz(func(t *testing.T, k, s, g string, i int64, fl float64, by []byte, shape uint8) {
		attrs := []slog.Attr{slog.String(k, s), slog.Int64(k+"i", i), slog.Float64("f", fl), slog.Any("b", by)}
		if shape&1 != 0 {
			attrs = append(attrs, slog.Group(g, slog.String(k, s)))
		}
		if shape&2 != 0 {
			attrs = append(attrs, slog.Any(s, fmt.Errorf("e %s", k)))
		}
		var steps []step
		if shape&4 != 0 {
			steps = append(steps, step{group: g})
		}
		if shape&8 != 0 {
			steps = append(steps, step{attrs: []slog.Attr{slog.String(s, k)}})
		}
		if shape&16 != 0 {
			steps = append(steps, step{group: k})
		}
		if shape&32 != 0 {
			attrs = attrs[:0]
		}
		if shape&64 != 0 {
			attrs = append(attrs, slog.Group(k, slog.Attr{}))
		}
		for _, jsonFormat := range []bool{true, false} {
			want, got := encodeBoth(jsonFormat, steps, s, attrs)
			broken := shape&64 != 0 || (jsonFormat && !json.Valid([]byte(want)))
			if !broken && got != want {
				t.Errorf("json=%v\nslog %s ours %s", jsonFormat, want, got)
			}
			if jsonFormat && !json.Valid([]byte(got)) {
				t.Errorf("not JSON: %s", got)
			}
		}
	})
}

// TestConsoleConcurrent: loggers derived from one Handler share one writer
// (a plain bytes.Buffer, guarded only by the console's mutex); every line
// arrives whole, with its ids. Run with -race.
func TestConsoleConcurrent(t *testing.T) {
	var b bytes.Buffer
	h, err := newHandlerProvider(nil, noEnv, []Option{WithWriter(&b)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := trace.ContextWithSpanContext(context.Background(), validSpanContext())
	const goroutines, lines = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		l := slog.New(h).With("g", g).WithGroup("req")
		wg.Go(func() {
			for i := range lines {
				l.InfoContext(ctx, "line", "i", i, slog.Group("sub", "k", strings.Repeat("x", i)))
			}
		})
	}
	wg.Wait()
	got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(got) != goroutines*lines {
		t.Fatalf("got %d lines, want %d", len(got), goroutines*lines)
	}
	for _, line := range got {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if m[TraceIDKey] != validSpanContext().TraceID().String() {
			t.Fatalf("no trace_id: %s", line)
		}
	}
}
