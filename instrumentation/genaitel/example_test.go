package genaitel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/genai"

	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// A stand-in for the Gemini API, for the examples.
func exampleServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"candidates":[{"content":{"parts":[{"text":"Hello!"}],"role":"model"},"finishReason":"STOP"}],`+
			`"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":3,"thoughtsTokenCount":5},`+
			`"modelVersion":"gemini-2.5-flash","responseId":"resp-1"}`)
	}))
}

// Give genai the instrumented HTTP client: every generateContent,
// streamGenerateContent and embedContent call is then recorded, with its
// usage and cost.
func Example() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()

	// In a service: ai, err := metrics.NewAI(tel). Here the metrics go to
	// a reader of the example's own.
	reader := sdkmetric.NewManualReader()
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		fmt.Println(err)
		return
	}

	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      "my-key",
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  genaitel.WrapClient(nil, ai), // the one line
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Say hello"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		fmt.Println(err)
		return
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case "ai_tokens_total":
				for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
					typ, _ := p.Attributes.Value("token_type")
					fmt.Printf("%s tokens: %d\n", typ.AsString(), p.Value)
				}
			case "ai_cost_total":
				fmt.Printf("cost: $%.7f\n", m.Data.(metricdata.Sum[float64]).DataPoints[0].Value)
			}
		}
	}
	// Unordered output:
	// Hello!
	// input tokens: 12
	// output tokens: 8
	// reasoning tokens: 5
	// cost: $0.0000236
}

// A client that retries: tell the transport the same retry options, so
// that each call is one span whatever its attempts.
func ExampleWithRetryOptions() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()
	ai, err := metrics.NewAI(nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	retry := &genai.HTTPRetryOptions{Attempts: genai.Ptr[int32](3)}
	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:     "my-key",
		Backend:    genai.BackendVertexAI,
		HTTPClient: genaitel.WrapClient(nil, ai, genaitel.WithRetryOptions(retry), genaitel.WithBackend(genai.BackendVertexAI)),
		HTTPOptions: genai.HTTPOptions{
			BaseURL:      srv.URL,
			RetryOptions: retry,
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Say hello"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output: Hello!
}

// NewTransport wraps a transport of your own, here for a streamed call:
// the span and the metrics are recorded when the stream ends.
func ExampleNewTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Once upon\"}],\"role\":\"model\"}}],\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n")
		io.WriteString(w, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" a time.\"}],\"role\":\"model\"},\"finishReason\":\"STOP\"}],"+
			"\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":4},\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n")
	}))
	defer srv.Close()
	ctx := context.Background()
	ai, err := metrics.NewAI(nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      "my-key",
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  &http.Client{Transport: genaitel.NewTransport(base, ai)},
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for chunk, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Tell me a story"), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(chunk.Text())
	}
	fmt.Println()
	// Output: Once upon a time.
}
