package genaitel_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
)

// canned answers every request with a fixed body, without a network.
type canned struct {
	body []byte
	ct   string
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {c.ct}}, Body: io.NopCloser(bytes.NewReader(c.body)), Request: req}, nil
}

// BenchmarkTransportOverhead is the Transport's own cost for one
// generateContent call: request parsing, span, metrics, body watching.
func BenchmarkTransportOverhead(b *testing.B) {
	p := aitest.NewPipeline(b)
	reqBody := `{"contents":[{"parts":[{"text":"What is the weather in Paris?"}],"role":"user"}],"generationConfig":{"maxOutputTokens":256}}`
	for _, v := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"bare", canned{[]byte(fakeJSON), "application/json"}},
		{"genaitel", genaitel.NewTransport(canned{[]byte(fakeJSON), "application/json"}, p.AI)},
		{"genaitel-unsampled", genaitel.NewTransport(canned{[]byte(fakeJSON), "application/json"}, p.AIUnsampled)},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 1024)
			for b.Loop() {
				req, _ := http.NewRequest("POST", "http://127.0.0.1:1/v1beta/models/gemini-2.5-flash:generateContent", strings.NewReader(reqBody))
				resp, err := v.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				aitest.Drain(resp.Body, buf)
			}
		})
	}
}
