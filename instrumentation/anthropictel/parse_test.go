package anthropictel

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

// readEvent passes one event of a stream to r, its data read by a Scanner
// of its own (callState.event lends the Response's).
func readEvent(r *result, name, data []byte) {
	var s jsonscan.Scanner
	r.event(name, data, s.Parse(data))
}

// readBody passes the JSON body of a non-streaming response to r.
func readBody(r *result, body []byte) {
	var s jsonscan.Scanner
	r.readBody(s.Parse(body))
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
	readBody(&r, []byte(messageJSON(fakeModel)))
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
	readBody(&e, []byte(`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`))
	if e.ErrorType != "rate_limit_error" {
		t.Errorf("error type %q", e.ErrorType)
	}
	var m result
	readBody(&m, []byte(`{"id":"x",`))
	if !m.Malformed || m.UsageSeen {
		t.Errorf("malformed body: %+v", m)
	}
}

func TestEvents(t *testing.T) {
	var r result
	for _, e := range streamEvents(fakeModel, 3) {
		readEvent(&r, []byte(e.name), []byte(e.data))
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
	readEvent(&o, []byte("message_start"), []byte(`{"type":"message_start","message":{"id":"m","model":"x","usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":1}}}`))
	readEvent(&o, []byte("message_delta"), []byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":20}}`))
	readEvent(&o, []byte("message_delta"), []byte(`{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":30}}`))
	if o.InputTokens != 10 || o.CacheReadTokens != 5 || o.OutputTokens != 30 || o.StopReason != "max_tokens" {
		t.Errorf("overwrite: %+v", o)
	}

	// Without event lines, the type in the data names the event.
	var d result
	readEvent(&d, nil, []byte(`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}`))
	if !d.FinalUsage || d.OutputTokens != 3 {
		t.Errorf("no event name: %+v", d)
	}

	var e result
	readEvent(&e, []byte("error"), []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	if e.ErrorType != "overloaded_error" {
		t.Errorf("error event: %q", e.ErrorType)
	}
	var n result
	readEvent(&n, []byte("error"), []byte(`{"type":"error","error":{"message":"?"}}`))
	if n.ErrorType != "error" {
		t.Errorf("error event without a type: %q", n.ErrorType)
	}
	var m result
	readEvent(&m, []byte("content_block_delta"), []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_`))
	if !m.Malformed {
		t.Error("malformed delta not flagged")
	}
}

// TestMalformedEvents pins which events are malformed: those whose data
// the scanner cannot read where the event is read (content_block_delta,
// ping and content_block_stop are checked whole), and a message_start or
// content_block_start without its object.
func TestMalformedEvents(t *testing.T) {
	for _, c := range []struct {
		name, data string
		malformed  bool
	}{
		{"", `not json`, true},
		{"", `{"index":0}`, false},
		{"", `{"type":1}`, false},
		{"", `{"type":"ping"} x`, true},
		{"ping", ``, false},
		{"ping", `{"type":"ping"`, true},
		{"content_block_stop", `{"index":0}}`, true},
		{"content_block_delta", ` {"delta":{}} `, false},
		{"message_start", `{"type":"message_start"}`, true},
		{"message_start", `{"message":[]}`, true},
		{"message_start", `{"message":{"id":"m","usage":{"input_tokens":1}}}`, false},
		{"message_start", `{"message":{"id":"m",}}`, true},
		{"message_delta", `{"usage":{"output_tokens":1}`, true},
		{"message_delta", `{"delta":{"stop_reason":null},"usage":null}`, false},
		{"content_block_start", `{"index":0}`, true},
		{"content_block_start", `{"content_block":{"type":"text"}} x`, true},
		{"content_block_start", `{"content_block":"text"}`, false},
		{"message_stop", `not json`, false},
		{"error", `not json`, false},
		{"some_new_event", `not json`, false},
	} {
		var r result
		readEvent(&r, []byte(c.name), []byte(c.data))
		if r.Malformed != c.malformed {
			t.Errorf("event %q %s: malformed %v, want %v", c.name, c.data, r.Malformed, c.malformed)
		}
	}
}

func TestParseRequest(t *testing.T) {
	r := parseRequest([]byte(`{"max_tokens":1024,"messages":[{"role":"user","content":"hi \"model\":\"no\""}],"model":"claude-sonnet-4-5","temperature":0.5,"top_p":0.9,"top_k":5,"stream":true,"tools":[{"name":"a"},{"name":"b"}]}`), false)
	if r.Model != "claude-sonnet-4-5" || !r.Stream || r.MaxTokens != 1024 || r.Temperature == nil || *r.Temperature != 0.5 {
		t.Errorf("request %+v", r)
	}
	if r := parseRequest([]byte(`not json`), false); r.Model != "" || r.Stream {
		t.Errorf("bad body: %+v", r)
	}
	// The captured prompt: the system prompt, then the messages, as sent.
	r = parseRequest([]byte(`{"messages":[{"role":"user","content":"hi"}],"model":"m","system":"be brief"}`), true)
	if want := `"be brief"` + "\n" + `[{"role":"user","content":"hi"}]`; r.Prompt != want || r.Model != "m" {
		t.Errorf("prompt %q, want %q (request %+v)", r.Prompt, want, r)
	}
	if r := parseRequest([]byte(`{"model":"m","messages":[1]}`), false); r.Prompt != "" {
		t.Errorf("prompt without capture: %q", r.Prompt)
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
		readEvent(&r, []byte(name), []byte(data))
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
	if strings.Count(s, "[")+strings.Count(s, "{") < jsonscan.MaxDepth && json.Valid([]byte(s)) && !jsonscan.Valid([]byte(s)) {
		t.Fatalf("scanner rejects valid JSON %q", s)
	}
}

func FuzzBody(f *testing.F) {
	f.Add(messageJSON(fakeModel))
	f.Add(`{"type":"error","error":{"type":"rate_limit_error"}}`)
	f.Add(`{"content":[{"type":"tool_use","id":"\u0000","name":"\ud800"}],"usage":{}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var r result
		readBody(&r, []byte(body))
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
		r := parseRequest([]byte(body), false)
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
