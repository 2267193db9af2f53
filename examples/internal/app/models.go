package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"

	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
	"github.com/starmates-ai-team/telemetry/instrumentation/anthropictel"
	"github.com/starmates-ai-team/telemetry/instrumentation/openaitel"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// llmURLs are the base URLs the model clients are pointed at.
type llmURLs struct{ OpenAI, Anthropic string }

// modelClients holds the agent's two clients, built once.
type modelClients struct {
	ai        *metrics.AI
	hc        *http.Client
	openai    openai.Client
	anthropic anthropic.Client
}

func newModelClients(ai *metrics.AI, urls llmURLs) *modelClients {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}}
	return &modelClients{
		ai: ai,
		hc: hc,
		openai: openai.NewClient(
			option.WithBaseURL(urls.OpenAI), option.WithAPIKey("fake-openai-key"), option.WithHTTPClient(hc),
			option.WithMiddleware(openaitel.Middleware(ai)), // the one line that records every call
		),
		anthropic: anthropic.NewClient(
			aoption.WithBaseURL(urls.Anthropic), aoption.WithAPIKey("fake-anthropic-key"), aoption.WithHTTPClient(hc),
			anthropictel.WithTelemetry(ai), // the one line that records every Messages call
		),
	}
}

func (m *modelClients) close() { m.hc.CloseIdleConnections() }

// answer is what the agent tells its caller and logs.
type answer struct {
	Model                     string
	InputTokens, OutputTokens int64
	Text                      string
	Stream                    bool
	ToolCalls                 int
}

var errUnknownProvider = errors.New("unknown provider")

// rateLimited reports whether err is the provider's 429 (after the
// client's retries).
func rateLimited(err error) bool {
	var oe *openai.Error
	var ae *anthropic.Error
	return (errors.As(err, &oe) && oe.StatusCode == http.StatusTooManyRequests) ||
		(errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests)
}

// faultOf maps a run's fault to the fake provider's.
func faultOf(run Run) string {
	switch run.Fault {
	case "slow":
		return fakellm.FaultSlow
	case "agent_error":
		return fakellm.FaultError
	case "rate_limited":
		return fakellm.FaultRateLimited
	}
	return ""
}

// The planner may look things up before it answers; the writer streams.
const (
	agentPlanner = "planner"
	agentWriter  = "writer"
	toolSearch   = "search_docs"
)

// invoke runs one agent step: the planner makes a non-streaming call that
// offers the search_docs tool (and, when the model asks for it, runs the
// tool and calls the model again with its result); the writer streams.
func (m *modelClients) invoke(ctx context.Context, agent string, run Run) (answer, error) {
	prompt := fmt.Sprintf("You are the %s agent. %s (for %s)", agent, run.Prompt, run.UserID)
	switch run.Provider {
	case "openai":
		fault := option.WithHeader(fakellm.FaultHeader, faultOf(run))
		switch {
		case agent == agentWriter && strings.HasPrefix(run.Model, "o"):
			// Reasoning models write through the Responses API.
			return m.openAIResponsesStream(ctx, run.Model, prompt, fault)
		case agent == agentWriter:
			return m.openAIStream(ctx, run.Model, prompt, fault)
		}
		return m.openAIChat(ctx, run.Model, prompt, fault)
	case "anthropic":
		fault := aoption.WithHeader(fakellm.FaultHeader, faultOf(run))
		if agent == agentWriter {
			return m.anthropicStream(ctx, run.Model, prompt, fault)
		}
		return m.anthropicMessage(ctx, run.Model, prompt, fault)
	}
	return answer{}, fmt.Errorf("%w %q", errUnknownProvider, run.Provider)
}

// searchDocs is the planner's tool: it runs under an execute_tool span
// and embeds the query (an embeddings call, the tool span's child) to
// search a vector index.
func (m *modelClients) searchDocs(ctx context.Context, callID, args string) (string, error) {
	ctx, tool := m.ai.StartTool(ctx, toolSearch, metrics.WithToolCallID(callID), metrics.WithToolArguments(args))
	_, err := m.openai.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model: embeddingModel, Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(args)},
	})
	tool.End(err)
	if err != nil {
		return "", err
	}
	result := `{"documents":["q3-report.pdf","churn-analysis.md","pricing-notes.md"]}`
	tool.SetResult(result)
	return result, nil
}

// embeddingModel embeds the search tool's queries.
const embeddingModel = "text-embedding-3-small"

func (m *modelClients) openAIChat(ctx context.Context, model, prompt string, opts ...option.RequestOption) (answer, error) {
	p := openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(systemPrompt), openai.UserMessage(prompt)},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: toolSearch, Description: openai.String("Search the company documents"),
			Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"query": map[string]any{"type": "string"}}},
		})},
	}
	res, err := m.openai.Chat.Completions.New(ctx, p, opts...)
	if err != nil {
		return answer{}, err
	}
	ans := answer{Model: res.Model, InputTokens: res.Usage.PromptTokens, OutputTokens: res.Usage.CompletionTokens}
	if len(res.Choices) > 0 && len(res.Choices[0].Message.ToolCalls) > 0 {
		msg := res.Choices[0].Message
		p.Messages = append(p.Messages, msg.ToParam())
		for _, tc := range msg.ToolCalls {
			out, err := m.searchDocs(ctx, tc.ID, tc.Function.Arguments)
			if err != nil {
				return answer{}, err
			}
			p.Messages = append(p.Messages, openai.ToolMessage(out, tc.ID))
			ans.ToolCalls++
		}
		if res, err = m.openai.Chat.Completions.New(ctx, p, opts...); err != nil {
			return answer{}, err
		}
		ans.InputTokens += res.Usage.PromptTokens
		ans.OutputTokens += res.Usage.CompletionTokens
	}
	if len(res.Choices) > 0 {
		ans.Text = res.Choices[0].Message.Content
	}
	return ans, nil
}

func (m *modelClients) openAIStream(ctx context.Context, model, prompt string, opts ...option.RequestOption) (answer, error) {
	s := m.openai.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(systemPrompt), openai.UserMessage(prompt)},
		// The usage arrives in a last chunk only when asked for.
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}, opts...)
	defer s.Close()
	ans := answer{Stream: true}
	var text strings.Builder
	for s.Next() {
		ch := s.Current()
		ans.Model = ch.Model
		if len(ch.Choices) > 0 {
			text.WriteString(ch.Choices[0].Delta.Content)
		}
		if ch.Usage.TotalTokens > 0 {
			ans.InputTokens, ans.OutputTokens = ch.Usage.PromptTokens, ch.Usage.CompletionTokens
		}
	}
	ans.Text = text.String()
	return ans, s.Err()
}

func (m *modelClients) openAIResponsesStream(ctx context.Context, model, prompt string, opts ...option.RequestOption) (answer, error) {
	s := m.openai.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: model, Instructions: openai.String(systemPrompt),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(prompt)},
	}, opts...)
	defer s.Close()
	ans := answer{Stream: true}
	var text strings.Builder
	for s.Next() {
		ev := s.Current()
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			ans.Model = ev.Response.Model
			ans.InputTokens, ans.OutputTokens = ev.Response.Usage.InputTokens, ev.Response.Usage.OutputTokens
		case "error", "response.failed":
			return answer{}, fmt.Errorf("responses stream: %s", ev.RawJSON())
		}
	}
	ans.Text = text.String()
	return ans, s.Err()
}

func (m *modelClients) anthropicParams(model, prompt string) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{
		Model: anthropic.Model(model), MaxTokens: 2048,
		System:   []anthropic.TextBlockParam{{Text: systemPrompt}},
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	}
	if strings.Contains(model, "sonnet") || strings.Contains(model, "opus") {
		p.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
	}
	return p
}

func (m *modelClients) anthropicMessage(ctx context.Context, model, prompt string, opts ...aoption.RequestOption) (answer, error) {
	p := m.anthropicParams(model, prompt)
	p.Tools = []anthropic.ToolUnionParam{anthropic.ToolUnionParamOfTool(anthropic.ToolInputSchemaParam{
		Properties: map[string]any{"query": map[string]any{"type": "string"}},
	}, toolSearch)}
	res, err := m.anthropic.Messages.New(ctx, p, opts...)
	if err != nil {
		return answer{}, err
	}
	ans := answer{Model: string(res.Model), InputTokens: inputOf(res.Usage), OutputTokens: res.Usage.OutputTokens}
	if res.StopReason == anthropic.StopReasonToolUse {
		var results []anthropic.ContentBlockParamUnion
		for _, b := range res.Content {
			if b.Type == "tool_use" {
				out, err := m.searchDocs(ctx, b.ID, string(b.Input))
				if err != nil {
					return answer{}, err
				}
				results = append(results, anthropic.NewToolResultBlock(b.ID, out, false))
				ans.ToolCalls++
			}
		}
		p.Messages = append(p.Messages, res.ToParam(), anthropic.NewUserMessage(results...))
		if res, err = m.anthropic.Messages.New(ctx, p, opts...); err != nil {
			return answer{}, err
		}
		ans.InputTokens += inputOf(res.Usage)
		ans.OutputTokens += res.Usage.OutputTokens
	}
	ans.Text = textOf(res.Content)
	return ans, nil
}

func (m *modelClients) anthropicStream(ctx context.Context, model, prompt string, opts ...aoption.RequestOption) (answer, error) {
	s := m.anthropic.Messages.NewStreaming(ctx, m.anthropicParams(model, prompt), opts...)
	defer s.Close()
	var msg anthropic.Message
	for s.Next() {
		if err := msg.Accumulate(s.Current()); err != nil {
			return answer{}, err
		}
	}
	if err := s.Err(); err != nil {
		return answer{}, err
	}
	return answer{Model: string(msg.Model), InputTokens: inputOf(msg.Usage), OutputTokens: msg.Usage.OutputTokens, Text: textOf(msg.Content), Stream: true}, nil
}

// inputOf is every prompt token of an Anthropic call: input_tokens
// counts only those neither read from nor written to the cache.
func inputOf(u anthropic.Usage) int64 {
	return u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens
}

func textOf(blocks []anthropic.ContentBlockUnion) string {
	var b strings.Builder
	for _, c := range blocks {
		if c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// systemPrompt is long in real agents: the part the providers cache.
const systemPrompt = "You are an agent of the workflow product. Answer briefly, cite the documents you used."
