package fakellm_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a fast fake and returns the real clients pointed at it.
func start(t *testing.T, cfg fakellm.Config) (*fakellm.Server, openai.Client, anthropic.Client) {
	t.Helper()
	if cfg.FirstToken == 0 {
		cfg.FirstToken, cfg.FirstTokenJitter, cfg.ChunkInterval = time.Millisecond, time.Millisecond, time.Microsecond
	}
	srv, err := fakellm.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		hc.CloseIdleConnections()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	oc := openai.NewClient(option.WithBaseURL(srv.OpenAIBaseURL()), option.WithAPIKey("test"), option.WithHTTPClient(hc))
	ac := anthropic.NewClient(aoption.WithBaseURL(srv.AnthropicBaseURL()), aoption.WithAPIKey("test"), aoption.WithHTTPClient(hc), aoption.WithoutOpenTelemetry())
	return srv, oc, ac
}

func chatParams(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Summarise the quarterly report")}}
}

func messageParams(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 2048,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Summarise the quarterly report"))}}
}

func TestOpenAIChat(t *testing.T) {
	_, oc, _ := start(t, fakellm.Config{})
	ctx := context.Background()
	for _, model := range []string{"gpt-4o", "o4-mini"} {
		// Several prompts: some hit the cache, some write it.
		var cached, written, reasoning int64
		for i := range 20 {
			p := chatParams(model)
			p.User = openai.String(strings.Repeat("u", i))
			res, err := oc.Chat.Completions.New(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			u := res.Usage
			if !strings.HasPrefix(res.ID, "chatcmpl-") || res.Model == "" || res.Choices[0].Message.Content == "" || res.Choices[0].FinishReason != "stop" {
				t.Fatalf("answer %+v", res)
			}
			if u.PromptTokens < 800 || u.CompletionTokens < 100 || u.TotalTokens != u.PromptTokens+u.CompletionTokens ||
				u.PromptTokensDetails.CachedTokens+u.PromptTokensDetails.CacheWriteTokens >= u.PromptTokens {
				t.Fatalf("usage %+v", u)
			}
			cached += u.PromptTokensDetails.CachedTokens
			written += u.PromptTokensDetails.CacheWriteTokens
			reasoning += u.CompletionTokensDetails.ReasoningTokens
		}
		if cached == 0 || written == 0 {
			t.Errorf("%s: cached %d, written %d over 20 prompts", model, cached, written)
		}
		if (reasoning > 0) != (model == "o4-mini") {
			t.Errorf("%s: reasoning tokens %d", model, reasoning)
		}
	}
	res, err := oc.Chat.Completions.New(ctx, chatParams("gpt-4o"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "gpt-4o-2024-08-06" {
		t.Errorf("model %q; want the snapshot", res.Model)
	}
	again, err := oc.Chat.Completions.New(ctx, chatParams("gpt-4o"))
	if err != nil {
		t.Fatal(err)
	}
	if again.Usage.RawJSON() != res.Usage.RawJSON() || again.Choices[0].Message.Content != res.Choices[0].Message.Content {
		t.Errorf("the same request got different answers: %s / %s", res.Usage.RawJSON(), again.Usage.RawJSON())
	}
}

func TestOpenAIChatStream(t *testing.T) {
	srv, oc, _ := start(t, fakellm.Config{Chunks: 7})
	ctx := context.Background()
	for _, withUsage := range []bool{true, false} {
		p := chatParams("gpt-4o-mini")
		if withUsage {
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		}
		want, err := oc.Chat.Completions.New(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		s := oc.Chat.Completions.NewStreaming(ctx, p)
		var text strings.Builder
		var usage *openai.CompletionUsage
		var n, finish int
		for s.Next() {
			ch := s.Current()
			n++
			if len(ch.Choices) == 0 {
				u := ch.Usage
				usage = &u
				continue
			}
			text.WriteString(ch.Choices[0].Delta.Content)
			if ch.Choices[0].FinishReason != "" {
				finish++
			}
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if text.String() != want.Choices[0].Message.Content || finish != 1 {
			t.Errorf("streamed %q (finish chunks %d); JSON answer %q", text.String(), finish, want.Choices[0].Message.Content)
		}
		switch {
		case withUsage && (usage == nil || usage.PromptTokens != want.Usage.PromptTokens || usage.CompletionTokens != want.Usage.CompletionTokens ||
			usage.PromptTokensDetails.CacheWriteTokens != want.Usage.PromptTokensDetails.CacheWriteTokens):
			t.Errorf("final usage chunk %+v; want %+v", usage, want.Usage)
		case !withUsage && usage != nil:
			t.Errorf("usage chunk without include_usage: %+v", usage)
		}
		if wantN := 7 + 1 + map[bool]int{true: 1}[withUsage]; n != wantN {
			t.Errorf("%d chunks; want %d", n, wantN)
		}
	}
	if st := srv.Stats(); st.Streams != 2 || st.Requests != 4 {
		t.Errorf("stats %+v", st)
	}
}

func TestOpenAIResponses(t *testing.T) {
	_, oc, _ := start(t, fakellm.Config{})
	ctx := context.Background()
	p := responses.ResponseNewParams{Model: "o4-mini", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Summarise the quarterly report")}}
	res, err := oc.Responses.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.ID, "resp_") || res.OutputText() == "" || res.Usage.OutputTokensDetails.ReasoningTokens == 0 || res.Usage.InputTokens < 800 {
		t.Fatalf("response %s", res.RawJSON())
	}
	s := oc.Responses.NewStreaming(ctx, p)
	var text strings.Builder
	var done *responses.Response
	for s.Next() {
		ev := s.Current()
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			r := ev.Response
			done = &r
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if text.String() != res.OutputText() || done == nil || done.Usage.InputTokens != res.Usage.InputTokens ||
		done.Usage.InputTokensDetails.CachedTokens != res.Usage.InputTokensDetails.CachedTokens || done.OutputText() != res.OutputText() {
		t.Errorf("streamed %q, completed %v; JSON %q", text.String(), done, res.OutputText())
	}
}

func TestOpenAIEmbeddings(t *testing.T) {
	_, oc, _ := start(t, fakellm.Config{})
	for _, format := range []openai.EmbeddingNewParamsEncodingFormat{"", openai.EmbeddingNewParamsEncodingFormatBase64} {
		res, err := oc.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
			Model: "text-embedding-3-small", EncodingFormat: format,
			Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a quarterly report", "churn"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Data) != 2 || len(res.Data[0].Embedding) != 8 || res.Usage.PromptTokens == 0 || res.Usage.TotalTokens != res.Usage.PromptTokens {
			t.Errorf("%q: embeddings %s", format, res.RawJSON())
		}
	}
}

func TestAnthropicMessages(t *testing.T) {
	_, _, ac := start(t, fakellm.Config{})
	ctx := context.Background()
	var read, created int64
	for i := range 20 {
		p := messageParams("claude-3-5-haiku")
		p.System = []anthropic.TextBlockParam{{Text: strings.Repeat("s", i)}}
		res, err := ac.Messages.New(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		u := res.Usage
		if !strings.HasPrefix(res.ID, "msg_") || res.Model != "claude-3-5-haiku-20241022" || res.StopReason != anthropic.StopReasonEndTurn ||
			u.InputTokens+u.CacheReadInputTokens+u.CacheCreationInputTokens < 800 || u.InputTokens < 200 || u.OutputTokens < 100 ||
			u.CacheCreation.Ephemeral5mInputTokens != u.CacheCreationInputTokens || u.OutputTokensDetails.ThinkingTokens != 0 {
			t.Fatalf("message %s", res.RawJSON())
		}
		read += u.CacheReadInputTokens
		created += u.CacheCreationInputTokens
	}
	if read == 0 || created == 0 {
		t.Errorf("cache read %d, written %d over 20 prompts", read, created)
	}
}

func TestAnthropicStream(t *testing.T) {
	_, _, ac := start(t, fakellm.Config{})
	ctx := context.Background()
	p := messageParams("claude-sonnet-4")
	p.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
	want, err := ac.Messages.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if want.Usage.OutputTokensDetails.ThinkingTokens == 0 || want.Content[0].Type != "thinking" {
		t.Fatalf("thinking missing: %s", want.RawJSON())
	}
	s := ac.Messages.NewStreaming(ctx, p)
	var acc anthropic.Message
	var startUsage anthropic.Usage
	for s.Next() {
		ev := s.Current()
		if ev.Type == "message_start" {
			startUsage = ev.Message.Usage
		}
		if err := acc.Accumulate(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	got, w := acc.Usage, want.Usage
	if got.InputTokens != w.InputTokens || got.OutputTokens != w.OutputTokens || got.CacheReadInputTokens != w.CacheReadInputTokens ||
		got.CacheCreationInputTokens != w.CacheCreationInputTokens || got.OutputTokensDetails.ThinkingTokens != w.OutputTokensDetails.ThinkingTokens {
		t.Errorf("accumulated usage %s; JSON %s", got.RawJSON(), w.RawJSON())
	}
	if startUsage.OutputTokens != 1 || startUsage.InputTokens != w.InputTokens {
		t.Errorf("message_start usage %s", startUsage.RawJSON())
	}
	if len(acc.Content) != 2 || acc.Content[1].Text != want.Content[1].Text || acc.Content[0].Thinking == "" || acc.StopReason != anthropic.StopReasonEndTurn {
		t.Errorf("accumulated %s", acc.RawJSON())
	}
}

// TestRateLimitEvery: every Nth call's first attempt is a 429 that the
// client retries: one call, two attempts.
func TestRateLimitEvery(t *testing.T) {
	srv, oc, ac := start(t, fakellm.Config{RateLimitEvery: 3})
	ctx := context.Background()
	for i := range 6 {
		if i%2 == 0 {
			if _, err := oc.Chat.Completions.New(ctx, chatParams("gpt-4o")); err != nil {
				t.Fatal(err)
			}
		} else if _, err := ac.Messages.New(ctx, messageParams("claude-sonnet-4")); err != nil {
			t.Fatal(err)
		}
	}
	if st := srv.Stats(); st.Requests != 8 || st.FirstTries != 6 || st.RateLimited != 2 {
		t.Errorf("stats %+v; want 8 requests for 6 calls, 2 rate limited", st)
	}
}

func TestFaults(t *testing.T) {
	srv, oc, ac := start(t, fakellm.Config{})
	ctx := context.Background()
	fault := func(f string) (option.RequestOption, aoption.RequestOption) {
		return option.WithHeader(fakellm.FaultHeader, f), aoption.WithHeader(fakellm.FaultHeader, f)
	}

	o, a := fault(fakellm.FaultRateLimited)
	_, err := oc.Chat.Completions.New(ctx, chatParams("gpt-4o"), o)
	var oe *openai.Error
	if !errors.As(err, &oe) || oe.StatusCode != 429 || oe.Code != "rate_limit_exceeded" {
		t.Errorf("openai rate limited: %v", err)
	}
	_, err = ac.Messages.New(ctx, messageParams("claude-sonnet-4"), a)
	var ae *anthropic.Error
	if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Type() != "rate_limit_error" || ae.RequestID == "" {
		t.Errorf("anthropic rate limited: %v", err)
	}
	if st := srv.Stats(); st.RateLimited != 6 {
		t.Errorf("%d rate limited; want 3 attempts per call", st.RateLimited)
	}

	o, a = fault(fakellm.FaultError)
	_, err = oc.Chat.Completions.New(ctx, chatParams("gpt-4o"), o, option.WithMaxRetries(0))
	if !errors.As(err, &oe) || oe.StatusCode != 500 || oe.Type != "server_error" {
		t.Errorf("openai error: %v", err)
	}
	_, err = ac.Messages.New(ctx, messageParams("claude-sonnet-4"), a, aoption.WithMaxRetries(0))
	if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Type() != "api_error" {
		t.Errorf("anthropic error: %v", err)
	}

	// A cut stream stops cleanly before its end: no error, no usage.
	o, a = fault(fakellm.FaultCut)
	p := chatParams("gpt-4o")
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	s := oc.Chat.Completions.NewStreaming(ctx, p, o)
	n := 0
	for s.Next() {
		if len(s.Current().Choices) == 0 {
			t.Error("usage in a cut stream")
		}
		n++
	}
	if s.Err() != nil || n == 0 || n >= 12 {
		t.Errorf("cut stream: %d chunks, %v", n, s.Err())
	}
	s.Close()
	as := ac.Messages.NewStreaming(ctx, messageParams("claude-sonnet-4"), a)
	var acc anthropic.Message
	for as.Next() {
		_ = acc.Accumulate(as.Current())
	}
	if as.Err() != nil || acc.StopReason != "" || len(acc.Content) != 1 {
		t.Errorf("cut anthropic stream: %v, %s", as.Err(), acc.RawJSON())
	}
	as.Close()

	// A malformed event is the client's error.
	o, _ = fault(fakellm.FaultMalformed)
	s = oc.Chat.Completions.NewStreaming(ctx, p, o)
	for s.Next() {
	}
	if s.Err() == nil {
		t.Error("malformed event: no error")
	}
	s.Close()
}

// TestSlowFirstToken: the first chunk waits SlowFirstToken (a lower bound:
// a sleep is never shorter).
func TestSlowFirstToken(t *testing.T) {
	_, oc, _ := start(t, fakellm.Config{SlowFirstToken: 150 * time.Millisecond})
	start := time.Now()
	s := oc.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o"), option.WithHeader(fakellm.FaultHeader, fakellm.FaultSlow))
	defer s.Close()
	if !s.Next() {
		t.Fatal(s.Err())
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("first chunk after %v", d)
	}
	for s.Next() {
	}
	if s.Err() != nil {
		t.Error(s.Err())
	}
}

// TestCancelled: a client that gives up mid-stream ends the server's
// handler (goleak checks nothing is left).
func TestCancelled(t *testing.T) {
	_, oc, ac := start(t, fakellm.Config{FirstToken: time.Millisecond, ChunkInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	s := oc.Chat.Completions.NewStreaming(ctx, chatParams("gpt-4o"))
	if !s.Next() {
		t.Fatal(s.Err())
	}
	cancel()
	for s.Next() {
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("err %v", s.Err())
	}
	s.Close()
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := ac.Messages.New(ctx, messageParams("claude-sonnet-4"), aoption.WithMaxRetries(0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v", err)
	}
}

func TestToolCalls(t *testing.T) {
	_, oc, ac := start(t, fakellm.Config{})
	ctx := context.Background()

	p := chatParams("gpt-4o")
	p.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "search_docs"})}
	res, err := oc.Chat.Completions.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	msg := res.Choices[0].Message
	if res.Choices[0].FinishReason != "tool_calls" || len(msg.ToolCalls) != 1 || msg.ToolCalls[0].Function.Name != "search_docs" || msg.ToolCalls[0].Function.Arguments == "" {
		t.Fatalf("no tool call: %s", res.RawJSON())
	}
	// The stream asks for the same call.
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	s := oc.Chat.Completions.NewStreaming(ctx, p)
	acc := openai.ChatCompletionAccumulator{}
	for s.Next() {
		acc.AddChunk(s.Current())
	}
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	s.Close()
	if len(acc.Choices) != 1 || len(acc.Choices[0].Message.ToolCalls) != 1 || acc.Choices[0].Message.ToolCalls[0].Function.Arguments != msg.ToolCalls[0].Function.Arguments {
		t.Errorf("streamed tool call %+v", acc.Choices)
	}
	p.Messages = append(p.Messages, msg.ToParam(), openai.ToolMessage("3 documents", msg.ToolCalls[0].ID))
	res, err = oc.Chat.Completions.New(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Choices[0].FinishReason != "stop" || res.Choices[0].Message.Content == "" {
		t.Errorf("after the tool result: %s", res.RawJSON())
	}

	ap := messageParams("claude-sonnet-4")
	ap.Tools = []anthropic.ToolUnionParam{anthropic.ToolUnionParamOfTool(anthropic.ToolInputSchemaParam{}, "search_docs")}
	am, err := ac.Messages.New(ctx, ap)
	if err != nil {
		t.Fatal(err)
	}
	if am.StopReason != anthropic.StopReasonToolUse || am.Content[0].Type != "tool_use" || am.Content[0].Name != "search_docs" {
		t.Fatalf("no tool use: %s", am.RawJSON())
	}
	as := ac.Messages.NewStreaming(ctx, ap)
	var sacc anthropic.Message
	for as.Next() {
		if err := sacc.Accumulate(as.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if as.Err() != nil || len(sacc.Content) != 1 || string(sacc.Content[0].Input) != string(am.Content[0].Input) {
		t.Errorf("streamed tool use %s (%v); JSON %s", sacc.RawJSON(), as.Err(), am.Content[0].Input)
	}
	as.Close()
	ap.Messages = append(ap.Messages, am.ToParam(), anthropic.NewUserMessage(anthropic.NewToolResultBlock(am.Content[0].ID, "3 documents", false)))
	am, err = ac.Messages.New(ctx, ap)
	if err != nil {
		t.Fatal(err)
	}
	if am.StopReason != anthropic.StopReasonEndTurn || am.Content[0].Text == "" {
		t.Errorf("after the tool result: %s", am.RawJSON())
	}
}
