package fakellm_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
)

// The real clients, pointed at the fake provider: the answers name the
// model snapshot and carry the providers' usage blocks.
func ExampleStart() {
	srv, err := fakellm.Start(fakellm.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	ctx := context.Background()

	oc := openai.NewClient(option.WithBaseURL(srv.OpenAIBaseURL()), option.WithAPIKey("fake"), option.WithHTTPClient(hc))
	chat, err := oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "o4-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Summarise the quarterly report")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	u := chat.Usage
	fmt.Println(chat.Model, chat.Choices[0].FinishReason, u.PromptTokens, u.PromptTokensDetails.CachedTokens, u.CompletionTokens, u.CompletionTokensDetails.ReasoningTokens)

	ac := anthropic.NewClient(aoption.WithBaseURL(srv.AnthropicBaseURL()), aoption.WithAPIKey("fake"), aoption.WithHTTPClient(hc), aoption.WithoutOpenTelemetry())
	msg, err := ac.Messages.New(ctx, anthropic.MessageNewParams{
		Model: "claude-3-5-haiku", MaxTokens: 1024,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Summarise the quarterly report"))},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	au := msg.Usage
	fmt.Println(msg.Model, msg.StopReason, au.InputTokens, au.CacheReadInputTokens, au.CacheCreationInputTokens, au.OutputTokens)
	fmt.Println(srv.Stats().Requests, "requests")
	// Output:
	// o4-mini-2025-04-16 stop 1095 0 607 422
	// claude-3-5-haiku-20241022 end_turn 1451 0 1024 453
	// 2 requests
}
