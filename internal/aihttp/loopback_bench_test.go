package aihttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

const benchJSON = `{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today? Here is a somewhat longer answer so that the body has the size of a real one, with a sentence or two of text.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"in":19,"out":10,"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}`

func loopback(b *testing.B, stream bool) *httptest.Server {
	chunk := strings.TrimSuffix(string(chunkEvent), "\n\n")
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !stream {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, benchJSON)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for range 500 {
			io.WriteString(w, chunk+"\n\n")
		}
		io.WriteString(w, `data: {"id":"c","model":"gpt-4o-2024-08-06","in":19,"out":500}`+"\n\ndata: [DONE]\n\n")
	}))
}

func benchLoopback(b *testing.B, stream, instrumented bool) {
	srv := loopback(b, stream)
	defer srv.Close()
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 2})
	client := srv.Client()
	r := aihttp.Request{Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}, Stream: stream}
	buf := make([]byte, 32<<10)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, nil)
		var a *aihttp.Attempt
		if instrumented {
			a = tr.Begin(req, nil, 0, r)
			req = req.WithContext(a.Context())
		}
		resp, err := client.Do(req)
		if instrumented {
			resp, err = a.End(resp, err, &testHandler)
		}
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := resp.Body.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		resp.Body.Close()
		if b.N%1000 == 0 {
			kit.Reset()
		}
	}
}

// The runtime's cost over loopback, side by side with the bare request:
// a JSON call and a 500-chunk stream.
func BenchmarkLoopbackJSONBare(b *testing.B)           { benchLoopback(b, false, false) }
func BenchmarkLoopbackJSONInstrumented(b *testing.B)   { benchLoopback(b, false, true) }
func BenchmarkLoopbackStreamBare(b *testing.B)         { benchLoopback(b, true, false) }
func BenchmarkLoopbackStreamInstrumented(b *testing.B) { benchLoopback(b, true, true) }
