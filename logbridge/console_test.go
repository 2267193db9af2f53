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
	"runtime"
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
	return encodeBothWith(jsonFormat, nil, 0, steps, msg, attrs)
}

// encodeBothWith is encodeBoth under handler options, for a record with
// program counter pc.
func encodeBothWith(jsonFormat bool, opts *slog.HandlerOptions, pc uintptr, steps []step, msg string, attrs []slog.Attr) (want, got string) {
	var sb, cb bytes.Buffer
	var sh slog.Handler
	if jsonFormat {
		sh = slog.NewJSONHandler(&sb, opts)
	} else {
		sh = slog.NewTextHandler(&sb, opts)
	}
	c := newConsole(&cb, jsonFormat, opts)
	for _, s := range steps {
		if s.attrs == nil {
			sh, c = sh.WithGroup(s.group), c.withGroup(s.group)
		} else {
			sh, c = sh.WithAttrs(s.attrs), c.withAttrs(s.attrs)
		}
	}
	r := slog.NewRecord(time.Date(2026, 11, 25, 4, 5, 6, 7_008_009, time.UTC), slog.LevelWarn+1, msg, pc)
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

// parityCases are the WithGroup and WithAttrs sequences and the records
// that the parity tests encode with both slog and the console.
func parityCases() (steps [][]step, records [][]slog.Attr) {
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
	steps = [][]step{
		nil,
		{{group: "w"}},
		{{attrs: []slog.Attr{slog.Int("pre", 1)}}},
		{{group: "w"}, {attrs: []slog.Attr{slog.Int("pre", 1)}}, {group: "v"}},
		{{group: "w"}, {attrs: []slog.Attr{slog.Int("pre", 1)}}, {group: "v"}, {attrs: []slog.Attr{slog.Int("pre2", 2)}}},
		{{attrs: []slog.Attr{{}, group("e")}}, {group: "w"}},
		{{group: "a b"}, {attrs: []slog.Attr{slog.String("k", "v")}}},
	}
	records = [][]slog.Attr{nil, {{}}, values}
	for _, a := range values {
		records = append(records, []slog.Attr{a}, []slog.Attr{slog.Int("before", 0), a, slog.Int("after", 1)})
	}
	return steps, records
}

func TestConsoleMatchesSlog(t *testing.T) {
	steps, records := parityCases()
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

// callerPC is the program counter of its caller, for records with a
// source.
func callerPC() uintptr {
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:])
	return pcs[0]
}

// The ReplaceAttr functions of the parity test: what users write to fit
// their log backend, and the corners of slog's contract.
var (
	// renameBuiltIns gives the built-in keys other names and the level a
	// lower-case string.
	renameBuiltIns = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) > 0 {
			return a
		}
		switch a.Key {
		case slog.TimeKey:
			a.Key = "ts"
		case slog.LevelKey:
			a = slog.String("severity", strings.ToLower(a.Value.Any().(slog.Level).String()))
		case slog.MessageKey:
			a.Key = "message"
		case slog.SourceKey:
			a.Key = "caller"
		}
		return a
	}
	// dropTime removes the top-level time, as tests of log output do.
	dropTime = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	// showGroups writes the groups ReplaceAttr was given into the key, so
	// that the line shows them.
	showGroups = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) > 0 {
			a.Key = strings.Join(groups, ">") + ">" + a.Key
		}
		return a
	}
	// dropSome drops some keys wherever they are (never the only member
	// of a group, where slog writes a broken line).
	dropSome = func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case "s", "esc", "pre2", "k":
			return slog.Attr{}
		}
		return a
	}
	// reshape returns other kinds of values: a LogValuer (resolved after
	// the call), an empty group (left out), an empty key, a *slog.Source,
	// a level as a number.
	reshape = func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case "i":
			return slog.Any("i", valuer{})
		case "b":
			return slog.Attr{Key: "b", Value: slog.GroupValue()}
		case "f":
			a.Key = ""
		case "u":
			return slog.Any("u", &slog.Source{File: "x.go", Line: 9})
		case slog.LevelKey:
			return slog.Int(slog.LevelKey, int(a.Value.Any().(slog.Level)))
		}
		return a
	}
)

// TestConsoleMatchesSlogOptions: under slog.HandlerOptions (AddSource,
// ReplaceAttr renaming and dropping built-in keys and others, inside and
// outside groups), the console still writes what slog's handlers write.
func TestConsoleMatchesSlogOptions(t *testing.T) {
	steps, records := parityCases()
	pc := callerPC()
	options := []struct {
		name string
		opts *slog.HandlerOptions
		pc   uintptr
	}{
		{"source", &slog.HandlerOptions{AddSource: true}, pc},
		{"source without pc", &slog.HandlerOptions{AddSource: true}, 0},
		{"rename built-ins", &slog.HandlerOptions{AddSource: true, ReplaceAttr: renameBuiltIns}, pc},
		{"drop time", &slog.HandlerOptions{ReplaceAttr: dropTime}, 0},
		{"show groups", &slog.HandlerOptions{AddSource: true, ReplaceAttr: showGroups}, pc},
		{"drop some", &slog.HandlerOptions{ReplaceAttr: dropSome}, 0},
		{"reshape", &slog.HandlerOptions{ReplaceAttr: reshape}, 0},
		{"identity", &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return a }}, pc},
	}
	for _, o := range options {
		t.Run(o.name, func(t *testing.T) {
			for _, jsonFormat := range []bool{true, false} {
				for si, st := range steps {
					for ri, attrs := range records {
						want, got := encodeBothWith(jsonFormat, o.opts, o.pc, st, "msg \"x\"", attrs)
						if got != want {
							t.Errorf("json=%v steps %d record %d:\nslog %s ours %s", jsonFormat, si, ri, want, got)
						}
					}
				}
			}
		})
	}
}

// TestConsoleReplaceAttrSeesIDs: ReplaceAttr sees trace_id and span_id as
// top-level attributes, and may rename them for the log backend.
func TestConsoleReplaceAttrSeesIDs(t *testing.T) {
	sc := validSpanContext()
	rename := func(groups []string, a slog.Attr) slog.Attr {
		switch {
		case len(groups) == 0 && a.Key == TraceIDKey:
			a.Key = "trace.id"
		case len(groups) == 0 && a.Key == SpanIDKey:
			a.Key = "span.id"
		case a.Key == slog.TimeKey:
			return slog.Attr{}
		}
		return a
	}
	for _, tc := range []struct {
		json bool
		want string
	}{
		{true, `{"level":"INFO","msg":"m","w":{"a":1},"trace.id":"` + sc.TraceID().String() + `","span.id":"` + sc.SpanID().String() + `"}` + "\n"},
		{false, `level=INFO msg=m w.a=1 trace.id=` + sc.TraceID().String() + ` span.id=` + sc.SpanID().String() + "\n"},
	} {
		var b bytes.Buffer
		c := newConsole(&b, tc.json, &slog.HandlerOptions{ReplaceAttr: rename}).withGroup("w")
		r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
		r.AddAttrs(slog.Int("a", 1))
		if err := c.handle(r, sc); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("got  %s want %s", b.String(), tc.want)
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

// TestConsoleBetterThanSlogReplaceAttr: a group whose members ReplaceAttr
// all drops is left out whole; slog's handlers then lose a separator
// (JSON) or keep the group's prefix on the keys after it (text).
func TestConsoleBetterThanSlogReplaceAttr(t *testing.T) {
	drop := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == "a" {
			return slog.Attr{}
		}
		return a
	}}
	attrs := []slog.Attr{slog.Group("g", slog.Int("a", 1)), slog.Int("b", 2)}
	for _, tc := range []struct {
		json bool
		want string
	}{
		{true, `,"msg":"m","b":2}`},
		{false, ` msg=m b=2`},
	} {
		want, got := encodeBothWith(tc.json, drop, 0, nil, "m", attrs)
		if !strings.HasSuffix(got, tc.want+"\n") {
			t.Errorf("got %s want suffix %s", got, tc.want)
		}
		if got == want {
			t.Errorf("slog's handler no longer writes a broken line here (%s): the parity tests can cover this case", want)
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
		c := newConsole(&b, tc.json, nil).withGroup("w").withAttrs([]slog.Attr{slog.Int("pre", 1)}).withGroup("v")
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
	f.Add("k", "v", "g", int64(3), 0.5, []byte("y"), uint8(0x9d))
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
		var opts *slog.HandlerOptions
		var pc uintptr
		if shape&128 != 0 {
			opts, pc = &slog.HandlerOptions{AddSource: true, ReplaceAttr: showGroups}, callerPC()
		}
		for _, jsonFormat := range []bool{true, false} {
			want, got := encodeBothWith(jsonFormat, opts, pc, steps, s, attrs)
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
