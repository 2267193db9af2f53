package openaitel

import (
	"encoding/json"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
)

// The fuzz targets feed the parsers what a server (or a proxy in between)
// may send. None may panic; what they keep must be bounded and valid.

func checkResponse(t *testing.T, r *aihttp.Response) {
	t.Helper()
	if r.HasUsage {
		if err := r.Usage.Validate(); err != nil {
			t.Fatalf("parsed usage is invalid: %v", err)
		}
	}
	if len(r.FinishReasons) > maxChoices || len(r.ToolCalls) > 128 {
		t.Fatalf("unbounded response: %d finish reasons, %d tools", len(r.FinishReasons), len(r.ToolCalls))
	}
	if len(r.ErrorType) > maxErrorType {
		t.Fatalf("error type of %d bytes", len(r.ErrorType))
	}
}

func FuzzChatEvent(f *testing.F) {
	_, datas := splitEvents(eventsText(chatStream(chatRespModel, 2, true)))
	for _, d := range datas {
		f.Add([]byte(d))
	}
	f.Add([]byte(`{"error":{"message":"x","type":"server_error","code":"overloaded"}}`))
	f.Add([]byte(`{"choices":[{"index":3,"delta":{"tool_calls":[{"index":2,"function":{"name":"f\u00e9"}}]},"finish_reason":"tool_calls"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r aihttp.Response
		for range 3 { // a stream repeats chunks: bounds must hold
			chatEvent(data, &r)
		}
		checkResponse(t, &r)

		// A chunk the skim lets through without parsing holds nothing a
		// full parse would have kept.
		if needed, _, _ := skimChunk(data); !needed {
			var full aihttp.Response
			chatEvent(data, &full) // id and model unknown: a full parse
			if full.HasUsage || len(full.FinishReasons) > 0 || len(full.ToolCalls) > 0 ||
				(full.ErrorType != "" && full.ErrorType != ailabels.ErrorTypeMalformedResponse) {
				t.Fatalf("skim skipped %q, which holds %+v", data, full)
			}
		}
	})
}

func FuzzResponsesEvent(f *testing.F) {
	names, datas := splitEvents(eventsText(responsesStream("gpt-5.4", 1)))
	for i := range names {
		f.Add([]byte(names[i]), []byte(datas[i]))
	}
	f.Add([]byte("error"), []byte(`{"type":"error","code":"rate_limit_exceeded","message":"x"}`))
	f.Add([]byte(""), []byte(`{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error"}}}`))
	f.Fuzz(func(t *testing.T, event, data []byte) {
		var r aihttp.Response
		for range 3 {
			responsesEvent(event, data, &r)
		}
		checkResponse(t, &r)
	})
}

func FuzzParseBody(f *testing.F) {
	f.Add(uint8(apiChat), []byte(chatCompletionJSON(chatRespModel)))
	f.Add(uint8(apiResponses), []byte(responseJSON("gpt-5.4", "completed")))
	f.Add(uint8(apiEmbeddings), []byte(embeddingJSON))
	f.Add(uint8(apiChat), []byte(errorJSON("requests", "rate_limit_exceeded", "x")))
	f.Fuzz(func(t *testing.T, a uint8, body []byte) {
		var r aihttp.Response
		parseBody(api(a%4), body, &r)
		checkResponse(t, &r)
		if t := errorType(400, body); len(t) > maxErrorType {
			panic("unbounded error type")
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"temperature":0.5}`))
	f.Add([]byte(`{"model":"gpt-5.4","input":[{"role":"user","content":[{"type":"input_text","text":"x"}]}]}`))
	f.Add([]byte(`{"model":"m","stream":true,"stream_options":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for a := apiChat; a <= apiEmbeddings; a++ {
			parseRequest(body, a, true)
		}
		out := withIncludeUsage(body)
		if out == nil {
			return
		}
		// A valid body stays valid, with include_usage true.
		if json.Valid(body) {
			if !json.Valid(out) {
				t.Fatalf("%s rewritten to invalid %s", body, out)
			}
			r, ok := parseRequest(out, apiChat, false)
			if !ok || r.includeUsage != includeUsageTrue {
				var orig request
				orig, _ = parseRequest(body, apiChat, false)
				if orig.includeUsage == includeUsageAbsent {
					t.Fatalf("%s rewritten to %s: include_usage %d", body, out, r.includeUsage)
				}
			}
		}
	})
}
