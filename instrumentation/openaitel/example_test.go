package openaitel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/otel/attribute"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/instrumentation/openaitel"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// fakeOpenAI answers every chat completion with the same response.
func fakeOpenAI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1764633600,"model":"gpt-4o-mini-2024-07-18",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":1000}}}`)
	}))
}

func ExampleMiddleware() {
	srv := fakeOpenAI()
	defer srv.Close()
	ctx := context.Background()

	// In a service: tel, err := telemetry.Init(ctx, ...). Here the
	// in-memory kit, to print what was recorded.
	kit, err := telemetrytest.NewKit(ctx, telemetry.WithService("example"))
	if err != nil {
		panic(err)
	}
	defer kit.Telemetry.Shutdown(ctx)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithPricing(ailabels.DefaultPricing()))
	if err != nil {
		panic(err)
	}

	client := openai.NewClient(
		option.WithAPIKey("sk-test"), option.WithBaseURL(srv.URL+"/v1"),
		option.WithMiddleware(openaitel.Middleware(ai)), // the one line
	)
	res, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("answer:", res.Choices[0].Message.Content)

	for _, s := range kit.Spans() {
		fmt.Println("span:", s.Name)
	}
	requests, _ := kit.Sum(metrics.AIRequestsName, attribute.String("provider", "openai"), attribute.String("outcome", "ok"))
	input, _ := kit.Sum(metrics.AITokensName, attribute.String("token_type", "input"))
	cached, _ := kit.Sum(metrics.AITokensName, attribute.String("token_type", "cache_read"))
	cost, _ := kit.Sum(metrics.AICostName)
	fmt.Printf("requests: %v, input tokens: %v (%v cached), cost: $%.6f\n", requests, input, cached, cost)
	// Output:
	// answer: Hi!
	// span: chat gpt-4o-mini
	// requests: 1, input tokens: 1200 (1000 cached), cost: $0.000285
}

// fakeStream streams a chat completion, ending with the usage chunk only
// when the request asked for it, as OpenAI does.
func fakeStream() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta, finish string) string {
			return `data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1764633600,"model":"gpt-4o-mini-2024-07-18",` +
				`"choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + finish + `}]}` + "\n\n"
		}
		_, _ = io.WriteString(w, chunk(`{"role":"assistant","content":"Hi"}`, "null")+chunk(`{"content":"!"}`, "null")+chunk(`{}`, `"stop"`))
		if strings.Contains(string(body), `"include_usage":true`) {
			_, _ = io.WriteString(w, `data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1764633600,"model":"gpt-4o-mini-2024-07-18",`+
				`"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":2,"total_tokens":22}}`+"\n\n")
		}
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	}))
}

// A streamed chat completion is recorded when the stream ends. OpenAI
// sends its usage only when the request asks for it: WithIncludeUsage
// asks on the caller's behalf (without it, such a stream is recorded with
// its usage missing).
func ExampleWithIncludeUsage() {
	srv := fakeStream()
	defer srv.Close()
	ctx := context.Background()
	kit, err := telemetrytest.NewKit(ctx, telemetry.WithService("example"))
	if err != nil {
		panic(err)
	}
	defer kit.Telemetry.Shutdown(ctx)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		panic(err)
	}
	client := openai.NewClient(option.WithAPIKey("sk-test"), option.WithBaseURL(srv.URL+"/v1"),
		option.WithMiddleware(openaitel.Middleware(ai, openaitel.WithIncludeUsage())))

	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")},
	})
	text := ""
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 { // the usage chunk has no choices
			text += c.Choices[0].Delta.Content
		}
	}
	if err := stream.Err(); err != nil {
		panic(err)
	}
	fmt.Println("answer:", text)
	output, _ := kit.Sum(metrics.AITokensName, attribute.String("token_type", "output"))
	fmt.Println("output tokens:", output)
	for _, s := range kit.Spans() {
		for _, kv := range s.Attributes {
			if kv.Key == ailabels.GenAIResponseTimeToFirstChunkKey {
				fmt.Println("time to first chunk recorded:", kv.Value.AsFloat64() > 0)
			}
		}
	}
	// Output:
	// answer: Hi!
	// output tokens: 2
	// time to first chunk recorded: true
}
