package anthropictel

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
)

func TestFieldAndSkip(t *testing.T) {
	obj := []byte(` { "a" : "x\"}" , "b":[1,{"c":2}], "n": -1.5e3, "t":true, "z":null, "o":{"p":{"q":7}} } `)
	for _, c := range []struct {
		key, want string
	}{
		{"a", `"x\"}"`}, {"b", `[1,{"c":2}]`}, {"n", `-1.5e3`}, {"t", `true`}, {"z", `null`}, {"o", `{"p":{"q":7}}`},
	} {
		v, ok := field(obj, c.key)
		if !ok || string(v) != c.want {
			t.Errorf("field(%q) = %q, %v; want %q", c.key, v, ok, c.want)
		}
	}
	if _, ok := field(obj, "missing"); ok {
		t.Error("found a missing key")
	}
	if v, ok := path(obj, "o", "p", "q"); !ok || string(v) != "7" {
		t.Errorf("path = %q, %v", v, ok)
	}
	for _, bad := range []string{``, `{`, `{"a"`, `{"a":}`, `{"a":[}`, `{"a":"x`, `[1,2`, `{"a":1]`, `nul`, `{"a":1 "b":2}`} {
		if valid([]byte(bad)) {
			t.Errorf("valid(%q) = true", bad)
		}
	}
	for _, good := range []string{`{}`, `[]`, ` {"a":[]} `, `"s"`, `0`, `{"a":{"b":[{},[]]}}`} {
		if !valid([]byte(good)) {
			t.Errorf("valid(%q) = false", good)
		}
	}
}

func TestToString(t *testing.T) {
	for in, want := range map[string]string{
		`"plain"`:                           "plain",
		`"a\"b\\c\/\n\t"`:                   "a\"b\\c/\n\t",
		`"\u00e9t\u00e9"`:                   "été",
		`"` + strings.Repeat("é", 10) + `"`: strings.Repeat("é", 5), // cut at 11 bytes, on a rune boundary
	} {
		got, ok := toString([]byte(in), 11)
		if !ok || got != want {
			t.Errorf("toString(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{`x`, `"`, `"\`, `"\q"`, `"\u12"`, `"\uzzzz"`} {
		if _, ok := toString([]byte(bad), 64); ok {
			t.Errorf("toString(%s) accepted", bad)
		}
	}
	if n, ok := toInt([]byte("12345")); !ok || n != 12345 {
		t.Errorf("toInt = %d, %v", n, ok)
	}
	for _, bad := range []string{"", "-1", "1.5", "null", "99999999999999999999"} {
		if _, ok := toInt([]byte(bad)); ok {
			t.Errorf("toInt(%q) accepted", bad)
		}
	}
}

func wantUsage(provider, model string) ailabels.Usage {
	return ailabels.Usage{
		Provider: provider, Model: model,
		InputTokens:             fakeInput + fakeCacheRead + fakeCache5m + fakeCache1h,
		CachedInputTokens:       fakeCacheRead,
		CacheWriteInputTokens:   fakeCache5m + fakeCache1h,
		CacheWrite1hInputTokens: fakeCache1h,
		OutputTokens:            fakeOutput,
		ReasoningTokens:         fakeThinking,
	}
}

func TestReadBody(t *testing.T) {
	var r result
	r.readBody([]byte(messageJSON(fakeModel)))
	if r.Malformed || !r.UsageSeen || !r.FinalUsage {
		t.Fatalf("result %+v", r)
	}
	if r.ID != fakeMsgID || r.Model != fakeModel || r.StopReason != "tool_use" {
		t.Errorf("id %q model %q stop %q", r.ID, r.Model, r.StopReason)
	}
	if want := []toolCall{{fakeToolID, fakeToolNam}}; !reflect.DeepEqual(r.Tools, want) {
		t.Errorf("tools %+v, want %+v", r.Tools, want)
	}
	if got, want := r.usage(ailabels.ProviderAnthropic, fakeModel), wantUsage(ailabels.ProviderAnthropic, fakeModel); got != want {
		t.Errorf("usage %+v\nwant  %+v", got, want)
	}

	var e result
	e.readBody([]byte(`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`))
	if e.ErrorType != "rate_limit_error" {
		t.Errorf("error type %q", e.ErrorType)
	}
	var m result
	m.readBody([]byte(`{"id":"x",`))
	if !m.Malformed || m.UsageSeen {
		t.Errorf("malformed body: %+v", m)
	}
}

func TestEvents(t *testing.T) {
	var r result
	for _, e := range streamEvents(fakeModel, 3) {
		r.event([]byte(e.name), []byte(e.data))
	}
	if r.Malformed || !r.Started || !r.Stopped || !r.FinalUsage {
		t.Fatalf("result %+v", r)
	}
	if r.OutputChunks != 4 || r.ID != fakeMsgID || r.Model != fakeModel || r.StopReason != "tool_use" {
		t.Errorf("result %+v", r)
	}
	if want := []toolCall{{fakeToolID, fakeToolNam}}; !reflect.DeepEqual(r.Tools, want) {
		t.Errorf("tools %+v", r.Tools)
	}
	if got, want := r.usage(ailabels.ProviderAnthropic, fakeModel), wantUsage(ailabels.ProviderAnthropic, fakeModel); got != want {
		t.Errorf("usage %+v\nwant  %+v", got, want)
	}

	// message_delta overwrites: the newest cumulative count wins, fields it
	// leaves out keep message_start's.
	var o result
	o.event([]byte("message_start"), []byte(`{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}`))
	o.event([]byte("message_delta"), []byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":20}}`))
	o.event([]byte("message_delta"), []byte(`{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":30}}`))
	if o.InputTokens != 10 || o.CacheReadTokens != 5 || o.OutputTokens != 30 || o.StopReason != "max_tokens" {
		t.Errorf("overwrite: %+v", o)
	}

	// Without event lines, the type in the data names the event.
	var d result
	d.event(nil, []byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}`))
	if !d.FinalUsage || d.OutputTokens != 3 {
		t.Errorf("no event name: %+v", d)
	}

	var e result
	e.event([]byte("error"), []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	if e.ErrorType != "overloaded_error" {
		t.Errorf("error event: %q", e.ErrorType)
	}
	var m result
	m.event([]byte("content_block_delta"), []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_`))
	if !m.Malformed {
		t.Error("malformed delta not flagged")
	}
}

func TestParseRequest(t *testing.T) {
	r := parseRequest([]byte(`{"max_tokens":1024,"messages":[{"role":"user","content":"hi \"model\":\"no\""}],"model":"claude-sonnet-4-5","temperature":0.5,"top_p":0.9,"top_k":5,"stream":true,"tools":[{"name":"a"},{"name":"b"}]}`))
	if r.Model != "claude-sonnet-4-5" || !r.Stream || r.MaxTokens != 1024 || r.Temperature == nil || *r.Temperature != 0.5 {
		t.Errorf("request %+v", r)
	}
	if r := parseRequest([]byte(`not json`)); r.Model != "" || r.Stream {
		t.Errorf("bad body: %+v", r)
	}
}

// The parsers never panic and agree with encoding/json on what is valid JSON
// where the scanner claims it is.
func FuzzEvent(f *testing.F) {
	for _, e := range streamEvents(fakeModel, 2) {
		f.Add(e.name, e.data)
	}
	f.Add("error", `{"type":"error","error":{"type":"overloaded_error"}}`)
	f.Add("", `{"type":"message_delta","usage":{"output_tokens":3}}`)
	f.Add("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_`)
	f.Add("message_start", `{"message":{"usage":{"cache_creation":{"ephemeral_1h_input_tokens":99999999999999999999}}}}`)
	f.Fuzz(func(t *testing.T, name, data string) {
		var r result
		r.event([]byte(name), []byte(data))
		u := r.usage(ailabels.ProviderAnthropic, "m")
		if u.InputTokens < 0 || u.CachedInputTokens < 0 || u.CacheWrite1hInputTokens > u.CacheWriteInputTokens || u.ReasoningTokens > u.OutputTokens {
			t.Fatalf("usage %+v from %q", u, data)
		}
		checkScanner(t, data)
	})
}

// checkScanner fails when the scanner rejects what encoding/json accepts (the
// scanner is lenient on details, never stricter, up to its nesting bound).
func checkScanner(t *testing.T, s string) {
	if strings.Count(s, "[")+strings.Count(s, "{") < maxDepth && json.Valid([]byte(s)) && !valid([]byte(s)) {
		t.Fatalf("scanner rejects valid JSON %q", s)
	}
}

func FuzzBody(f *testing.F) {
	f.Add(messageJSON(fakeModel))
	f.Add(`{"type":"error","error":{"type":"rate_limit_error"}}`)
	f.Add(`{"content":[{"type":"tool_use","id":"\u0000","name":"\ud800"}],"usage":{}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var r result
		r.readBody([]byte(body))
		if len(r.Tools) > maxTools {
			t.Fatalf("%d tools", len(r.Tools))
		}
		for _, tc := range r.Tools {
			if len(tc.Name) > maxToolName || len(tc.ID) > maxIDLen {
				t.Fatalf("unbounded tool %+v", tc)
			}
		}
		checkScanner(t, body)
	})
}

func FuzzRequest(f *testing.F) {
	f.Add(`{"model":"claude-sonnet-4-5","max_tokens":10,"temperature":1,"stream":true}`)
	f.Add(`{"model":"\u0063laude","temperature":1e400}`)
	f.Fuzz(func(t *testing.T, body string) {
		r := parseRequest([]byte(body))
		if len(r.Model) > maxIDLen || r.MaxTokens < 0 {
			t.Fatalf("request %+v", r)
		}
	})
}

// A content_block_delta, the bulk of a stream, costs no allocation in the
// instrumentation's handler, whatever came before it; neither do the other
// events without usage.
func TestEventAllocations(t *testing.T) {
	c := &callState{provider: ailabels.ProviderAnthropic}
	var r aihttp.Response
	for _, e := range streamEvents(fakeModel, 2) {
		c.event([]byte(e.name), []byte(e.data), &r)
	}
	for _, e := range []sseEvent{
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"more words"}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}`},
		{"ping", `{"type": "ping"}`},
		{"content_block_stop", `{"type":"content_block_stop","index":0}`},
		{"content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}`},
	} {
		name, data := []byte(e.name), []byte(e.data)
		if n := testing.AllocsPerRun(100, func() { c.event(name, data, &r) }); n != 0 {
			t.Errorf("%s: %v allocations per event", e.name, n)
		}
	}
}
