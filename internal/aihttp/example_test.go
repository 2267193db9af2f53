package aihttp_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// transport is the RoundTripper form of an integration.
type transport struct {
	base http.RoundTripper
	tr   *aihttp.Tracker
	h    *aihttp.Handler
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	a := t.tr.Begin(req, nil, -1, aihttp.Request{
		Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"},
		Stream:  true,
	})
	resp, err := t.base.RoundTrip(req.WithContext(a.Context()))
	if resp != nil {
		resp.Request = req
	}
	return a.End(resp, err, t.h)
}

// A stream through an instrumented http.Client: the caller reads the
// stream as it is; the call is recorded when it ends, with the usage of
// its last event.
func ExampleTracker() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"model\":\"gpt-4o-2024-08-06\",\"text\":\"Hi\"}\n\n")
		io.WriteString(w, "data: {\"in\":12,\"out\":1}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()

	ctx := context.Background()
	kit, err := telemetrytest.NewKit(ctx)
	if err != nil {
		panic(err)
	}
	defer kit.Telemetry.Shutdown(ctx)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		panic(err)
	}
	handler := &aihttp.Handler{
		Event: func(name, data []byte, r *aihttp.Response) bool {
			switch {
			case bytes.Equal(data, []byte("[DONE]")):
				r.Done = true
				return false
			case bytes.Contains(data, []byte(`"in"`)):
				r.Usage = ailabels.Usage{InputTokens: 12, OutputTokens: 1} // decoded from data in real code
				r.HasUsage = true
			case bytes.Contains(data, []byte(`"model"`)):
				r.SetModel([]byte("gpt-4o-2024-08-06"))
			}
			return true
		},
	}
	client := &http.Client{Transport: &transport{base: http.DefaultTransport, tr: aihttp.NewTracker(aihttp.Config{AI: ai}), h: handler}}

	resp, err := client.Post(srv.URL, "application/json", nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%d bytes read\n", len(body))

	kit.Flush()
	s := kit.Spans()[0]
	for _, kv := range s.Attributes {
		switch kv.Key {
		case ailabels.GenAIResponseModelKey, ailabels.GenAIUsageInputTokensKey, ailabels.StreamChunksKey, ailabels.StreamEndKey:
			fmt.Println(kv.Key, kv.Value.String())
		}
	}
	// Output:
	// 88 bytes read
	// ai.stream.end eof
	// gen_ai.response.model gpt-4o-2024-08-06
	// ai.stream.chunks 2
	// gen_ai.usage.input_tokens 12
}
