package fakellm_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
)

var paths = []string{"/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/messages"}

// FuzzRequests: any body, on any endpoint, with any fault, gets an answer
// (never a panic) with a status the APIs use.
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"o4-mini","stream":true,"stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"x"}}]}`,
		`{"model":"o4-mini","input":[{"type":"function_call_output"}],"stream":true,"tools":[{"type":"function","name":"x"}]}`,
		`{"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"base64","dimensions":4}`,
		`{"model":"claude-sonnet-4","max_tokens":10,"stream":true,"thinking":{"type":"enabled"},"tools":[{"name":"x"}],"messages":[{"role":"user","content":[{"type":"tool_result"}]}]}`,
		`{"input":1}`, `[`, ``, `null`,
	} {
		for i := range paths {
			f.Add(uint8(i), s, "")
		}
	}
	f.Add(uint8(3), `{"model":"m","stream":true}`, fakellm.FaultCut)
	f.Add(uint8(0), `{"model":"m","stream":true}`, fakellm.FaultMalformed)
	srv := fakellm.New(fakellm.Config{FirstToken: time.Nanosecond, FirstTokenJitter: time.Nanosecond, ChunkInterval: time.Nanosecond, SlowFirstToken: time.Nanosecond, RetryAfter: time.Millisecond, RateLimitEvery: 5})
	f.Fuzz(func(t *testing.T, endpoint uint8, body, fault string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		path := paths[int(endpoint)%len(paths)]
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "http://fake"+path, bytes.NewReader([]byte(body)))
		req.Header.Set(fakellm.FaultHeader, fault)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 404, 405, 429, 500:
		default:
			t.Errorf("%s %q: status %d", path, body, w.Code)
		}
	})
}
