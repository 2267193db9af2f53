package openaitel

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
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

var wantResponsesUsage = ailabels.Usage{InputTokens: 800, CachedInputTokens: 500, OutputTokens: 200, ReasoningTokens: 64}

func toolNames(r *aihttp.Response) []string {
	var names []string
	for _, tc := range r.ToolCalls {
		names = append(names, tc.Name+"/"+tc.ID)
	}
	return names
}

func TestParseChatBody(t *testing.T) {
	var r aihttp.Response
	if !parseBody(apiChat, []byte(chatCompletionJSON(chatRespModel)), &r) {
		t.Fatal("not parsed")
	}
	if r.ID != "chatcmpl-123" || r.Model != chatRespModel || !r.HasUsage || r.Usage != wantChatUsage || r.ErrorType != "" {
		t.Fatalf("got %+v", r)
	}
	if !reflect.DeepEqual(r.FinishReasons, []string{"tool_calls"}) || !reflect.DeepEqual(toolNames(&r), []string{"get_weather/call_1"}) {
		t.Fatalf("finish %v tools %v", r.FinishReasons, toolNames(&r))
	}
	var tier aihttp.Response
	parseBody(apiChat, []byte(strings.Replace(chatCompletionJSON(chatRespModel), `"service_tier":"default"`, `"service_tier":"flex"`, 1)), &tier)
	if tier.Usage.ServiceTier != ailabels.ServiceTierFlex || tier.Usage.InputTokens != 1200 {
		t.Fatalf("service tier: %+v", tier.Usage)
	}
	var bad aihttp.Response
	if parseBody(apiChat, []byte(`{"id":"x","choices":[`), &bad) || bad.ErrorType != ailabels.ErrorTypeMalformedResponse {
		t.Fatalf("truncated body: %+v", bad)
	}
}

func TestParseResponsesBody(t *testing.T) {
	var r aihttp.Response
	parseBody(apiResponses, []byte(responseJSON("gpt-5.4", "completed")), &r)
	if r.ID != "resp_1" || r.Model != "gpt-5.4" || r.Usage != wantResponsesUsage || !r.HasUsage {
		t.Fatalf("got %+v", r)
	}
	if !reflect.DeepEqual(r.FinishReasons, []string{"tool_calls"}) || !reflect.DeepEqual(toolNames(&r), []string{"lookup/call_1"}) {
		t.Fatalf("finish %v tools %v", r.FinishReasons, toolNames(&r))
	}
	var inc aihttp.Response
	parseBody(apiResponses, []byte(strings.Replace(responseJSON("gpt-5.4", "incomplete"),
		`"incomplete_details":null`, `"incomplete_details":{"reason":"max_output_tokens"}`, 1)), &inc)
	if !reflect.DeepEqual(inc.FinishReasons, []string{"max_output_tokens"}) {
		t.Fatalf("incomplete: finish %v", inc.FinishReasons)
	}
	var failed aihttp.Response
	parseBody(apiResponses, []byte(strings.Replace(responseJSON("gpt-5.4", "failed"),
		`"error":null`, `"error":{"code":"server_error","message":"x"}`, 1)), &failed)
	if failed.ErrorType != "server_error" || !reflect.DeepEqual(failed.FinishReasons, []string{"failed"}) {
		t.Fatalf("failed: %+v", failed)
	}
}

func TestParseEmbeddingBody(t *testing.T) {
	var r aihttp.Response
	parseBody(apiEmbeddings, []byte(embeddingJSON), &r)
	if r.Model != "text-embedding-3-small" || r.Usage != (ailabels.Usage{InputTokens: 8}) || !r.HasUsage || r.ID != "" {
		t.Fatalf("got %+v", r)
	}
}

func TestErrorType(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{errorJSON("requests", "rate_limit_exceeded", "Rate limit reached"), "rate_limit_exceeded"},
		{errorJSON("server_error", "", "boom"), "server_error"},
		{errorJSON("bad type with spaces", "", "x"), ""},
		{errorJSON("insufficient_quota", "insufficient_quota", "x"), "insufficient_quota"},
		{`not json`, ""},
		{``, ""},
		{`{"error":"a string"}`, ""},
	} {
		if got := errorType(429, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestChatEvents(t *testing.T) {
	_, datas := splitEvents(eventsText(chatStream(chatRespModel, 3, true)))
	var r aihttp.Response
	outputs := 0
	for _, d := range datas {
		if chatEvent([]byte(d), &r) {
			outputs++
		}
	}
	if outputs != 5 || r.ID != "chatcmpl-s1" || r.Model != chatRespModel || r.Usage != wantChatUsage || !r.HasUsage || !r.Done {
		t.Fatalf("outputs %d, %+v", outputs, r)
	}
	if !reflect.DeepEqual(r.FinishReasons, []string{"stop"}) || r.ErrorType != "" {
		t.Fatalf("finish %v error %q", r.FinishReasons, r.ErrorType)
	}

	_, datas = splitEvents(eventsText(chatStream(chatRespModel, 3, false)))
	var nu aihttp.Response
	for _, d := range datas {
		chatEvent([]byte(d), &nu)
	}
	if nu.HasUsage {
		t.Fatal("usage known without a usage chunk")
	}

	var e aihttp.Response
	chatEvent([]byte(`{"error":{"message":"overloaded","type":"server_error","code":null}}`), &e)
	if e.ErrorType != "server_error" {
		t.Fatalf("error chunk: %+v", e)
	}
	// A malformed chunk, parsed and skimmed.
	for _, known := range []bool{false, true} {
		var bad aihttp.Response
		if known {
			bad.ID, bad.Model = "x", "y"
		}
		chatEvent([]byte(`{"id":"x","choices":[{"delta":`), &bad)
		if bad.ErrorType != ailabels.ErrorTypeMalformedResponse {
			t.Fatalf("malformed chunk (id known %v): %+v", known, bad)
		}
	}
}

func TestChatEventToolCalls(t *testing.T) {
	var r aihttp.Response
	for _, c := range []string{
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}`,
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}]}`,
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]},"finish_reason":null}]}`,
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
	} {
		chatEvent([]byte(c), &r)
	}
	if !reflect.DeepEqual(toolNames(&r), []string{"get_weather/call_1", "get_time/call_2"}) || !reflect.DeepEqual(r.FinishReasons, []string{"tool_calls"}) {
		t.Fatalf("tools %v finish %v", toolNames(&r), r.FinishReasons)
	}
}

func TestResponsesEvents(t *testing.T) {
	names, datas := splitEvents(eventsText(responsesStream("gpt-5.4", 4)))
	var r aihttp.Response
	outputs := 0
	for i := range names {
		if responsesEvent([]byte(names[i]), []byte(datas[i]), &r) {
			outputs++
		}
	}
	if outputs != 4 || r.ID != "resp_1" || r.Model != "gpt-5.4" || r.Usage != wantResponsesUsage || r.ErrorType != "" || !r.Done {
		t.Fatalf("outputs %d %+v", outputs, r)
	}
	if !reflect.DeepEqual(toolNames(&r), []string{"lookup/call_1"}) || !reflect.DeepEqual(r.FinishReasons, []string{"tool_calls"}) {
		t.Fatalf("tools %v finish %v", toolNames(&r), r.FinishReasons)
	}

	// Without event names, the type field says what the event is.
	var n aihttp.Response
	for i := range datas {
		responsesEvent(nil, []byte(datas[i]), &n)
	}
	if n.Usage != wantResponsesUsage || n.ID != "resp_1" {
		t.Fatalf("without names: %+v", n)
	}

	var e aihttp.Response
	responsesEvent([]byte("error"), []byte(`{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,"sequence_number":3}`), &e)
	if e.ErrorType != "rate_limit_exceeded" {
		t.Fatalf("error event: %+v", e)
	}
	var e2 aihttp.Response
	responsesEvent([]byte("error"), []byte(`{"type":"error","code":null,"message":"x"}`), &e2)
	if e2.ErrorType != "error" {
		t.Fatalf("error event without code: %+v", e2)
	}
	var f aihttp.Response
	responsesEvent([]byte("response.failed"), []byte(`{"type":"response.failed","response":{"id":"resp_2","model":"gpt-5.4","status":"failed","error":{"code":"server_error","message":"x"},"usage":null}}`), &f)
	if f.ErrorType != "server_error" || !reflect.DeepEqual(f.FinishReasons, []string{"failed"}) {
		t.Fatalf("response.failed: %+v", f)
	}
	var bad aihttp.Response
	responsesEvent([]byte("response.output_text.delta"), []byte(`{"type":"response.output_text.delta","delta":"x`), &bad)
	if bad.ErrorType != ailabels.ErrorTypeMalformedResponse {
		t.Fatalf("malformed delta: %+v", bad)
	}
}

func TestPricedAs(t *testing.T) {
	h := pricedAs(&chatHandler, "chat-prod")
	var r aihttp.Response
	h.JSON([]byte(chatCompletionJSON("gpt-4o-2024-11-20")), &r)
	if r.Usage.Model != "chat-prod" || r.Model != "gpt-4o-2024-11-20" {
		t.Fatalf("JSON: usage model %q, model %q", r.Usage.Model, r.Model)
	}
	var s aihttp.Response
	_, datas := splitEvents(eventsText(chatStream("gpt-4o-2024-11-20", 1, true)))
	for _, d := range datas {
		h.Event(nil, []byte(d), &s)
	}
	if s.Usage.Model != "chat-prod" || !s.HasUsage {
		t.Fatalf("stream: %+v", s.Usage)
	}
}

func TestParseRequest(t *testing.T) {
	body := `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi \u00e9"}],` +
		`"model":"gpt-4o-mini","max_completion_tokens":256,"temperature":0.2,"top_p":1,"stream":true,` +
		`"stream_options":{"include_usage":false},"tools":[{"type":"function","function":{"name":"f"}}]}`
	r, ok := parseRequest([]byte(body), apiChat, true)
	if !ok || string(r.model) != "gpt-4o-mini" || !r.stream || r.maxTokens != 256 || r.temperature == nil || *r.temperature != 0.2 ||
		r.includeUsage != includeUsageFalse || r.prompt != "Hi é" {
		t.Fatalf("got %+v ok %v", r, ok)
	}
	r, _ = parseRequest([]byte(`{"model":"gpt-5.4","input":"Tell me","max_output_tokens":100}`), apiResponses, true)
	if string(r.model) != "gpt-5.4" || r.maxTokens != 100 || r.prompt != "Tell me" || r.stream {
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

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
