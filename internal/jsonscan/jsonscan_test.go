package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValid(t *testing.T) {
	good := []string{
		`{}`, `[]`, `""`, `0`, `-1.5e3`, `true`, `false`, `null`, ` {"a" : [1, 2, {"b": null}] } `,
		`{"a":"x\"y\\"}`, `["\\\\"]`, `"\\"`, `"a\\\"b"`, `{"k":{"k":{"k":[[[]]]}}}`, `"` + strings.Repeat("long text ", 20) + `"`,
		`"` + strings.Repeat("x", 20) + `\"` + strings.Repeat("y", 20) + `"`,
		` {"a":[]} `, `"s"`, `{"a":{"b":[{},[]]}}`,
	}
	bad := []string{
		``, ` `, `{`, `[`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`,
		`{"a":[}`, `[{]`, `{"a":"}`, `"abc`, `"abc\"`, `tru`, `nul`, `truex`, `{"a":1}}`, `[1]]`, `{} {}`, `:`, `,`,
		`{"a"`, `{"a":"x`, `[1,2`, `{"a":1]`,
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	}
	for _, s := range good {
		if !Valid([]byte(s)) {
			t.Errorf("Valid(%q) = false", s)
		}
	}
	for _, s := range bad {
		if Valid([]byte(s)) {
			t.Errorf("Valid(%q) = true", s)
		}
	}
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if !Valid([]byte(deep)) {
		t.Errorf("Valid of %d levels = false", MaxDepth)
	}
}

func TestFields(t *testing.T) {
	v := new(Scanner).Parse([]byte(` {"id":"x1","n":42,"f":0.5,"b":true,"z":null,"o":{"p":{"q":7}},"a":[1,{"r":"s"}],"t":"a\u00e9\n"} `))
	got := map[string]string{}
	ok := v.Fields(func(k []byte, f Value) bool {
		switch string(k) {
		case "n":
			n, ok := f.Int()
			got["n"] = strings.Repeat("i", int(n)/42) + map[bool]string{true: "ok"}[ok]
		case "f":
			x, _ := f.Float()
			got["f"] = map[bool]string{true: "half"}[x == 0.5]
		case "b":
			b, ok := f.Bool()
			got["b"] = map[bool]string{true: "yes"}[b && ok]
		case "z":
			got["z"] = map[bool]string{true: "null"}[f.IsNull()]
		case "o":
			f.Fields(func(k []byte, p Value) bool {
				q, _ := p.Path("q")
				n, _ := q.Int()
				got["o."+string(k)] = strings.Repeat("7", int(n)/7)
				return true
			})
		case "a":
			i := 0
			f.Elems(func(e Value) bool {
				if r, ok := e.Field("r"); ok && r.Is("s") {
					got["a"] += "s"
				}
				i++
				return true
			})
			got["a.len"] = strings.Repeat("x", i)
		case "t":
			s, _ := f.String(-1)
			got["t"] = s
		}
		// "id" is not read: skipped.
		return true
	})
	if !ok {
		t.Fatal("Fields = false")
	}
	want := map[string]string{"n": "iok", "f": "half", "b": "yes", "z": "null", "o.p": "7", "a": "s", "a.len": "xx", "t": "aé\n"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if raw, ok := v.Raw(); !ok || raw[len(raw)-1] != '}' {
		t.Errorf("Raw after Fields = %q, %v", raw, ok)
	}
}

func TestFieldsMalformed(t *testing.T) {
	for _, s := range []string{`{"a":{"b":1}`, `{"a":{"b":}}`, `{"a":[1,2}`, `{"a" 1}`, `{"a":1,,"b":2}`, `{"a":1`, `{"a":"x`} {
		v := new(Scanner).Parse([]byte(s))
		if v.Fields(func(k []byte, f Value) bool {
			f.Fields(func([]byte, Value) bool { return true })
			return true
		}) {
			t.Errorf("Fields(%s) = true", s)
		}
		if !v.Malformed() {
			t.Errorf("Fields(%s): not Malformed", s)
		}
	}
	// Not an object: false, not malformed.
	v := new(Scanner).Parse([]byte(`[1]`))
	if v.Fields(func([]byte, Value) bool { return true }) || v.Malformed() {
		t.Error("Fields of an array")
	}
	// A stop is well formed up to it.
	v = new(Scanner).Parse([]byte(`{"a":1,"b":`))
	if !v.Fields(func(k []byte, _ Value) bool { return string(k) != "a" }) {
		t.Error("Fields stopped at a = false")
	}
}

func TestFieldRaw(t *testing.T) {
	v := new(Scanner).Parse([]byte(` { "a" : "x\"}" , "b":[1,{"c":2}], "n": -1.5e3, "t":true, "z":null, "o":{"p":{"q":7}} } `))
	for _, c := range []struct {
		key, want string
	}{
		{"a", `"x\"}"`}, {"b", `[1,{"c":2}]`}, {"n", `-1.5e3`}, {"t", `true`}, {"z", `null`}, {"o", `{"p":{"q":7}}`},
	} {
		f, ok := v.Field(c.key)
		raw, rawOK := f.Raw()
		if !ok || !rawOK || string(raw) != c.want {
			t.Errorf("Field(%q) = %q, %v, %v; want %q", c.key, raw, ok, rawOK, c.want)
		}
	}
	if _, ok := v.Field("missing"); ok {
		t.Error("found a missing key")
	}
	q, ok := v.Path("o", "p", "q")
	if raw, _ := q.Raw(); !ok || string(raw) != "7" {
		t.Errorf("Path = %q, %v", raw, ok)
	}
	if _, ok := v.Path("o", "x", "q"); ok {
		t.Error("Path through a missing key")
	}
}

func TestTypedReadsRefuse(t *testing.T) {
	for _, s := range []string{``, `-1`, `1.5`, `1e3`, `"1"`, `null`, `9999999999999999999`} {
		v := new(Scanner).Parse([]byte(s))
		if n, ok := v.Int(); ok {
			t.Errorf("Int(%s) = %d", s, n)
		}
	}
	for _, s := range []string{`"x"`, `nan`, `1e999`, `-`} {
		v := new(Scanner).Parse([]byte(s))
		if f, ok := v.Float(); ok {
			t.Errorf("Float(%s) = %v", s, f)
		}
	}
	v := new(Scanner).Parse([]byte(`"tru"`))
	if _, ok := v.Bool(); ok {
		t.Error("Bool of a string")
	}
	n := new(Scanner).Parse([]byte(`5`))
	if _, ok := n.Field("a"); ok {
		t.Error("Field of a number")
	}
}

func TestUnquote(t *testing.T) {
	for _, s := range []string{`plain`, `a\"b`, `\\\/\b\f\n\r\t`, `\u00e9\u4e2d`, `\ud83d\ude00 smile`, `\ud83d alone`, `\ude00`, `\ud83d\u0041`, `x\u0000y`} {
		var want string
		if err := json.Unmarshal([]byte(`"`+s+`"`), &want); err != nil {
			t.Fatal(err)
		}
		got, ok := Unquote([]byte(s), -1)
		if !ok || got != want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", s, got, ok, want)
		}
	}
	for _, s := range []string{`\`, `\x`, `\u12`, `\u12g4`} {
		if got, ok := Unquote([]byte(s), -1); ok {
			t.Errorf("Unquote(%s) = %q, want false", s, got)
		}
	}
	if got, _ := Unquote([]byte(`aéé`), 4); got != "aé" {
		t.Errorf("cut = %q, want on a rune boundary", got)
	}
	v := new(Scanner).Parse([]byte(`"abcdef"`))
	if got, _ := v.String(3); got != "abc" {
		t.Errorf("String(3) = %q", got)
	}
	e := new(Scanner).Parse([]byte(`"` + strings.Repeat("é", 10) + `"`))
	if got, _ := e.String(11); got != strings.Repeat("é", 5) {
		t.Errorf("String(11) = %q, want 5 runes", got)
	}
	for _, s := range []string{`x`, `"`, `"\`, `"\q"`, `"\u12"`, `"\uzzzz"`} {
		if got, ok := new(Scanner).Parse([]byte(s)).String(64); ok {
			t.Errorf("String(%s) = %q, want false", s, got)
		}
	}
}

// TestAgainstEncodingJSON checks Valid and the reads on what encoding/json
// accepts: a value it accepts is valid here and reads the same.
func TestAgainstEncodingJSON(t *testing.T) {
	for _, s := range corpus {
		checkAgainstJSON(t, []byte(s))
	}
}

var corpus = []string{
	`{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\"","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5}}`,
	`[1,2.5,-3e2,true,false,null,"s",{"a":[]},[[{}]]]`,
	`{"text":"` + strings.Repeat(`lorem \\ ipsum \" `, 30) + `"}`,
	` "\u00e9\ud83d\ude00" `,
}

func checkAgainstJSON(t *testing.T, b []byte) {
	t.Helper()
	if !json.Valid(b) {
		return
	}
	if !Valid(b) {
		t.Fatalf("Valid(%q) = false, encoding/json accepts it", b)
	}
	var doc any
	if json.Unmarshal(b, &doc) != nil {
		return // valid, but a number out of float64's range
	}
	v := new(Scanner).Parse(b)
	compare(t, v, doc)
}

// compare reads v fully through Fields, Elems and the typed reads and
// checks it against encoding/json's reading.
func compare(t *testing.T, v Value, want any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		n, valid := 0, 0
		if !v.Fields(func(k []byte, f Value) bool {
			key, ok := Unquote(k, -1)
			if !ok {
				t.Fatalf("key %q", k)
			}
			if !utf8.ValidString(key) {
				return true // encoding/json replaces the bad bytes
			}
			valid++
			if _, found := w[key]; found {
				n++
			}
			return true
		}) {
			t.Fatalf("Fields of %v = false", w)
		}
		if valid > 0 && n == 0 {
			t.Fatalf("no key of %v read", w)
		}
	case []any:
		i := 0
		if !v.Elems(func(e Value) bool {
			if i < len(w) {
				compare(t, e, w[i])
			}
			i++
			return true
		}) || i != len(w) {
			t.Fatalf("Elems of %v: %d elements", w, i)
		}
	case string:
		got, ok := v.String(-1)
		if !ok || (utf8.ValidString(got) && got != w) {
			t.Fatalf("String = %q, %v; want %q", got, ok, w)
		}
	case float64:
		if len(v.scalar()) > 64 {
			return // longer than Float reads
		}
		if got, ok := v.Float(); !ok || got != w {
			t.Fatalf("Float = %v, %v; want %v", got, ok, w)
		}
	case bool:
		if got, ok := v.Bool(); !ok || got != w {
			t.Fatalf("Bool = %v, %v; want %v", got, ok, w)
		}
	case nil:
		if !v.IsNull() {
			t.Fatal("IsNull = false")
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range corpus {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"a":{"b":[1,{"c":"\u12"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never a panic, whatever the input; what encoding/json accepts
		// reads the same.
		Valid(b)
		v := new(Scanner).Parse(b)
		v.Fields(func(k []byte, f Value) bool {
			f.Fields(func([]byte, Value) bool { return true })
			f.Elems(func(e Value) bool { e.String(8); e.Int(); return true })
			f.Path("a", "b")
			f.Raw()
			return true
		})
		e := new(Scanner).Parse(b)
		e.Elems(func(e Value) bool { e.Float(); e.Bool(); e.IsNull(); return true })
		s := new(Scanner).Parse(b)
		if raw, ok := s.Str(); ok {
			Unquote(raw, 3)
		}
		checkAgainstJSON(t, b)
	})
}

func BenchmarkFields(b *testing.B) {
	body := []byte(corpus[0])
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var s Scanner
	for b.Loop() {
		v := s.Parse(body)
		v.Fields(func(k []byte, f Value) bool {
			switch string(k) {
			case "usage":
				f.Fields(func(k []byte, f Value) bool { f.Int(); return true })
			case "choices":
				f.Elems(func(c Value) bool {
					c.Fields(func(k []byte, f Value) bool {
						if string(k) == "finish_reason" {
							f.Str()
						}
						return true
					})
					return true
				})
			}
			return true
		})
	}
}

// BenchmarkValid is the check of an event that is not parsed further: a
// streamed text delta.
func BenchmarkValid(b *testing.B) {
	ev := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, how are you doing today?"}}`)
	b.SetBytes(int64(len(ev)))
	for b.Loop() {
		if !Valid(ev) {
			b.Fatal("invalid")
		}
	}
}
