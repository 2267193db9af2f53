package openaitel

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// splitEvents splits raw SSE text into (event, data) pairs, as the spec
// says (data lines joined by "\n"), for the parser tests.
func splitEvents(raw string) (names, datas []string) {
	for _, block := range strings.Split(raw, "\n\n") {
		if block == "" {
			continue
		}
		var name string
		var data []string
		for _, line := range strings.Split(block, "\n") {
			k, v, _ := strings.Cut(line, ":")
			v = strings.TrimPrefix(v, " ")
			switch k {
			case "event":
				name = v
			case "data":
				data = append(data, v)
			}
		}
		names = append(names, name)
		datas = append(datas, strings.Join(data, "\n"))
	}
	return names, datas
}

var wantChatUsage = ailabels.Usage{InputTokens: 1200, CachedInputTokens: 1000, CacheWriteInputTokens: 100, OutputTokens: 300, ReasoningTokens: 120}

func TestParseChatBody(t *testing.T) {
	var r result
	r.capture = true
	r.parseBody(apiChat, []byte(chatCompletionJSON(chatRespModel)), 200)
	if r.id != "chatcmpl-123" || r.model != chatRespModel || !r.usageKnown || r.usage != wantChatUsage || r.malformed != 0 {
		t.Fatalf("got %+v", r)
	}
	if !reflect.DeepEqual(r.finish, []string{"tool_calls"}) || !reflect.DeepEqual(r.tools, []string{"get_weather"}) {
		t.Fatalf("finish %v tools %v", r.finish, r.tools)
	}
	if string(r.completion) != "Hello there." || r.failed {
		t.Fatalf("completion %q failed %v", r.completion, r.failed)
	}
}

func TestParseResponsesBody(t *testing.T) {
	var r result
	r.parseBody(apiResponses, []byte(responseJSON("gpt-5.4", "completed")), 200)
	want := ailabels.Usage{InputTokens: 800, CachedInputTokens: 500, OutputTokens: 200, ReasoningTokens: 64}
	if r.id != "resp_1" || r.model != "gpt-5.4" || r.usage != want || !r.usageKnown {
		t.Fatalf("got %+v", r)
	}
	if !reflect.DeepEqual(r.finish, []string{"tool_calls"}) || !reflect.DeepEqual(r.tools, []string{"lookup"}) {
		t.Fatalf("finish %v tools %v", r.finish, r.tools)
	}
	var inc result
	inc.parseBody(apiResponses, []byte(strings.Replace(responseJSON("gpt-5.4", "incomplete"),
		`"incomplete_details":null`, `"incomplete_details":{"reason":"max_output_tokens"}`, 1)), 200)
	if !reflect.DeepEqual(inc.finish, []string{"max_output_tokens"}) {
		t.Fatalf("incomplete: finish %v", inc.finish)
	}
}

func TestParseEmbeddingBody(t *testing.T) {
	var r result
	r.parseBody(apiEmbeddings, []byte(embeddingJSON), 200)
	if r.model != "text-embedding-3-small" || r.usage != (ailabels.Usage{InputTokens: 8}) || !r.usageKnown {
		t.Fatalf("got %+v", r)
	}
}

func TestParseErrorBody(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{errorJSON("requests", "rate_limit_exceeded", "Rate limit reached"), "rate_limit_exceeded"},
		{errorJSON("server_error", "", "boom"), "server_error"},
		{errorJSON("bad type with spaces", "", "x"), ""},
		{`not json`, ""},
		{``, ""},
	} {
		var r result
		r.parseBody(apiChat, []byte(tc.body), 429)
		if r.errType != tc.want || !r.failed {
			t.Errorf("%s: errType %q failed %v, want %q", tc.body, r.errType, r.failed, tc.want)
		}
	}
}

func TestChatChunks(t *testing.T) {
	_, datas := splitEvents(eventsText(chatStream(chatRespModel, 3, true)))
	var r result
	outputs := 0
	for _, d := range datas {
		if r.chatChunk([]byte(d)) {
			outputs++
		}
	}
	if outputs != 5 || r.id != "chatcmpl-s1" || r.model != chatRespModel || r.usage != wantChatUsage || !r.usageKnown {
		t.Fatalf("outputs %d, %+v", outputs, r)
	}
	if !reflect.DeepEqual(r.finish, []string{"stop"}) || r.malformed != 0 {
		t.Fatalf("finish %v malformed %d", r.finish, r.malformed)
	}

	_, datas = splitEvents(eventsText(chatStream(chatRespModel, 3, false)))
	var nu result
	for _, d := range datas {
		nu.chatChunk([]byte(d))
	}
	if nu.usageKnown {
		t.Fatal("usage known without a usage chunk")
	}

	var e result
	e.chatChunk([]byte(`{"error":{"message":"overloaded","type":"server_error","code":null}}`))
	if !e.failed || e.errType != "server_error" {
		t.Fatalf("error chunk: %+v", e)
	}
	var bad result
	bad.chatChunk([]byte(`{"id":"x","choices":[{"delta":`))
	if bad.malformed != 1 {
		t.Fatalf("malformed chunk not counted: %+v", bad)
	}
}

func TestChatChunkToolCalls(t *testing.T) {
	var r result
	r.chatChunk([]byte(`{"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}`))
	r.chatChunk([]byte(`{"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}]}`))
	r.chatChunk([]byte(`{"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`))
	if !reflect.DeepEqual(r.tools, []string{"get_weather"}) || !reflect.DeepEqual(r.finish, []string{"tool_calls"}) {
		t.Fatalf("tools %v finish %v", r.tools, r.finish)
	}
}

func TestResponsesEvents(t *testing.T) {
	names, datas := splitEvents(eventsText(responsesStream("gpt-5.4", 4)))
	var r result
	outputs := 0
	for i := range names {
		if r.responsesEvent([]byte(names[i]), []byte(datas[i])) {
			outputs++
		}
	}
	want := ailabels.Usage{InputTokens: 800, CachedInputTokens: 500, OutputTokens: 200, ReasoningTokens: 64}
	if outputs != 4 || r.id != "resp_1" || r.model != "gpt-5.4" || r.usage != want || r.failed {
		t.Fatalf("outputs %d %+v", outputs, r)
	}
	if !reflect.DeepEqual(r.tools, []string{"lookup"}) || !reflect.DeepEqual(r.finish, []string{"tool_calls"}) {
		t.Fatalf("tools %v finish %v", r.tools, r.finish)
	}

	// Without event names, the type field says what the event is.
	var n result
	for i := range datas {
		n.responsesEvent(nil, []byte(datas[i]))
	}
	if n.usage != want || n.id != "resp_1" {
		t.Fatalf("without names: %+v", n)
	}

	var e result
	e.responsesEvent([]byte("error"), []byte(`{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":3}`))
	if !e.failed || e.errType != "rate_limit_exceeded" {
		t.Fatalf("error event: %+v", e)
	}
	var e2 result
	e2.responsesEvent([]byte("error"), []byte(`{"type":"error","code":null,"message":"x"}`))
	if !e2.failed || e2.errType != "error" {
		t.Fatalf("error event without code: %+v", e2)
	}
	var f result
	f.responsesEvent([]byte("response.failed"), []byte(`{"type":"response.failed","response":{"id":"resp_2","model":"gpt-5.4","status":"failed","error":{"code":"server_error","message":"x"},"usage":null}}`))
	if !f.failed || f.errType != "server_error" || !reflect.DeepEqual(f.finish, []string{"failed"}) {
		t.Fatalf("response.failed: %+v", f)
	}
}

func TestParseRequest(t *testing.T) {
	body := `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi \u00e9"}],` +
		`"model":"gpt-4o-mini","max_completion_tokens":256,"temperature":0.2,"top_p":1,"stream":true,` +
		`"stream_options":{"include_usage":false},"tools":[{"type":"function","function":{"name":"f"}}]}`
	r, ok := parseRequest([]byte(body), apiChat, true)
	if !ok || r.model != "gpt-4o-mini" || !r.stream || r.maxTokens != 256 || r.temperature == nil || *r.temperature != 0.2 ||
		r.topP == nil || *r.topP != 1 || r.includeUsage != includeUsageFalse || r.prompt != "Hi é" {
		t.Fatalf("got %+v ok %v", r, ok)
	}
	r, _ = parseRequest([]byte(`{"model":"gpt-5.4","input":"Tell me","max_output_tokens":100}`), apiResponses, true)
	if r.model != "gpt-5.4" || r.maxTokens != 100 || r.prompt != "Tell me" || r.stream {
		t.Fatalf("responses: %+v", r)
	}
	r, _ = parseRequest([]byte(`{"model":"gpt-5.4","input":"Tell me"}`), apiResponses, false)
	if r.prompt != "" {
		t.Fatal("prompt kept without capture")
	}
	if _, ok := parseRequest([]byte(`{"model":`), apiChat, false); ok {
		t.Fatal("truncated body parsed")
	}
}

func TestAPIOf(t *testing.T) {
	for _, tc := range []struct {
		method, url string
		api         api
		deployment  string
		azure       bool
	}{
		{"POST", "https://api.openai.com/v1/chat/completions", apiChat, "", false},
		{"POST", "https://api.openai.com/v1/responses", apiResponses, "", false},
		{"GET", "https://api.openai.com/v1/responses/resp_1", apiOther, "", false},
		{"POST", "https://api.openai.com/v1/embeddings", apiEmbeddings, "", false},
		{"POST", "https://api.openai.com/v1/files", apiOther, "", false},
		{"POST", "https://x.openai.azure.com/openai/deployments/chat-prod/chat/completions?api-version=2024-06-01", apiChat, "chat-prod", true},
		{"POST", "http://127.0.0.1:1/openai/chat/completions?api-version=2024-06-01", apiChat, "", true},
		{"POST", "https://x.openai.azure.com/openai/v1/responses", apiResponses, "", true},
	} {
		u := mustURL(t, tc.url)
		a, d := apiOf(tc.method, u)
		if a != tc.api || d != tc.deployment {
			t.Errorf("%s %s: api %v deployment %q", tc.method, tc.url, a, d)
		}
		if a != apiOther && isAzure(u, d) != tc.azure {
			t.Errorf("%s: azure %v", tc.url, !tc.azure)
		}
	}
}

func TestWithIncludeUsage(t *testing.T) {
	for _, body := range []string{
		`{"model":"m","stream":true}`,
		`{"model":"m","stream":true,"stream_options":null}`,
		`{"model":"m","stream_options":{},"stream":true}`,
		`{"model":"m","stream_options":{"include_obfuscation":false},"stream":true}`,
		` { "model" : "m" , "stream" : true } `,
		`{}`,
	} {
		out := withIncludeUsage([]byte(body))
		if out == nil {
			t.Errorf("%s: not rewritten", body)
			continue
		}
		var got, orig map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Errorf("%s: rewritten to invalid JSON %s: %v", body, out, err)
			continue
		}
		_ = json.Unmarshal([]byte(body), &orig)
		so, _ := got["stream_options"].(map[string]any)
		if so["include_usage"] != true {
			t.Errorf("%s -> %s: include_usage not set", body, out)
		}
		delete(so, "include_usage")
		if len(so) == 0 {
			delete(got, "stream_options")
		}
		if o, _ := orig["stream_options"].(map[string]any); len(o) == 0 {
			delete(orig, "stream_options")
		}
		if !reflect.DeepEqual(got, orig) {
			t.Errorf("%s -> %s: other fields changed", body, out)
		}
	}
	for _, bad := range []string{`[1]`, `{"model":`, ``, `{"stream_options":5}`} {
		if out := withIncludeUsage([]byte(bad)); out != nil {
			t.Errorf("%q rewritten to %s", bad, out)
		}
	}
}

func TestScanner(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{}`, true}, {`[]`, true}, {`{"a":[1,2,{"b":null}],"c":"x\"y"}`, true}, {`"\\"`, true}, {`"a\\\"b"`, true},
		{`{`, false}, {`"abc`, false}, {`"abc\"`, false}, {`{"a":"}`, false}, {`}`, false},
		{strings.Repeat("[", 100000) + strings.Repeat("]", 100000), true}, // no recursion to exhaust
		{`tru`, true}, // literals are delimited, not checked
	} {
		end, ok := skipValue([]byte(tc.in), 0)
		if ok != tc.ok || (ok && skipWS([]byte(tc.in), end) != len(tc.in)) {
			t.Errorf("skipValue(%s) = %d, %v; want ok %v", tc.in, end, ok, tc.ok)
		}
	}
	// The levels a parser reads are checked.
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{"a":1,"b":[2]}`, true}, {` { } `, true},
		{`{"a":}`, false}, {`{"a" 1}`, false}, {`{"a":1 2}`, false}, {`{"a":1,}`, false}, {`[1]`, false}, {`{"a":1`, false},
	} {
		if ok := eachField([]byte(tc.in), func(k, v []byte) bool { return true }); ok != tc.ok {
			t.Errorf("eachField(%s) = %v, want %v", tc.in, ok, tc.ok)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{{`[1, "a" ,{}]`, true}, {`[]`, true}, {`[1,]`, false}, {`[1 2]`, false}, {`{}`, false}} {
		if ok := eachElem([]byte(tc.in), func(v []byte) bool { return true }); ok != tc.ok {
			t.Errorf("eachElem(%s) = %v, want %v", tc.in, ok, tc.ok)
		}
	}
	if n, ok := intValue([]byte("12345")); !ok || n != 12345 {
		t.Error("intValue")
	}
	for _, bad := range []string{"-1", "1.5", "1e3", "", "9999999999999999999"} {
		if _, ok := intValue([]byte(bad)); ok {
			t.Errorf("intValue(%q) ok", bad)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
