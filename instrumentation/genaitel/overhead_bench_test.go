package genaitel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/metrics"
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
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	aiUnsampled, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(unsampled))
	if err != nil {
		b.Fatal(err)
	}
	reqBody := `{"contents":[{"parts":[{"text":"What is the weather in Paris?"}],"role":"user"}],"generationConfig":{"maxOutputTokens":256}}`
	for _, v := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"bare", canned{[]byte(fakeJSON), "application/json"}},
		{"genaitel", genaitel.NewTransport(canned{[]byte(fakeJSON), "application/json"}, ai)},
		{"genaitel-unsampled", genaitel.NewTransport(canned{[]byte(fakeJSON), "application/json"}, aiUnsampled)},
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
				for {
					if _, err := resp.Body.Read(buf); err != nil {
						break
					}
				}
				resp.Body.Close()
			}
		})
	}
}
