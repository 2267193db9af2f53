package openaitel

import (
	"context"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The tests drive the real openai-go client against the fake server,
// once without the middleware and once with it, and check that the
// caller sees the same thing both times and that the call is recorded.

type env struct {
	t    *testing.T
	f    *fake
	kit  *telemetrytest.Kit
	ai   *metrics.AI
	bare openai.Client
	inst openai.Client
}

func newEnv(t *testing.T, aiOpts []metrics.AIOption, mwOpts ...Option) *env {
	t.Helper()
	f := newFake(t)
	kit := telemetrytest.New(t, telemetry.WithService("openaitel-test"))
	aiOpts = append([]metrics.AIOption{metrics.WithPricing(ailabels.DefaultPricing())}, aiOpts...)
	ai, err := metrics.NewAI(kit.Telemetry, aiOpts...)
	if err != nil {
		t.Fatal(err)
	}
	base := []option.RequestOption{option.WithAPIKey("test-key"), option.WithBaseURL(f.URL()), option.WithHTTPClient(f.srv.Client())}
	return &env{
		t: t, f: f, kit: kit, ai: ai,
		bare: openai.NewClient(base...),
		inst: openai.NewClient(append(base, option.WithMiddleware(Middleware(ai, mwOpts...)))...),
	}
}

// outcome is what the caller saw.
type outcome struct {
	raw    []string // the result's raw JSON, or each chunk's
	err    string
	status int // of an *openai.Error
}

func errOutcome(o *outcome, err error) {
	if err == nil {
		return
	}
	o.err = err.Error()
	var ae *openai.Error
	if errors.As(err, &ae) {
		o.status = ae.StatusCode
	}
}

// compare runs call with the bare client and the instrumented one, each
// against the script, and checks that they saw the same thing: results,
// errors and the requests the server received. It returns what the
// instrumented client saw.
func (e *env) compare(script []reply, call func(c openai.Client) outcome) outcome {
	e.t.Helper()
	e.f.play(script...)
	want := call(e.bare)
	wantReqs := e.f.received()
	e.f.play(script...)
	got := call(e.inst)
	gotReqs := e.f.received()
	if !reflect.DeepEqual(got, want) {
		e.t.Fatalf("the caller saw something else with the middleware:\n got  %+v\n want %+v", got, want)
	}
	if len(gotReqs) != len(wantReqs) {
		e.t.Fatalf("the server got %d requests with the middleware, %d without", len(gotReqs), len(wantReqs))
	}
	for i := range gotReqs {
		g, w := gotReqs[i], wantReqs[i]
		if g.path != w.path || g.query != w.query || string(g.body) != string(w.body) || !reflect.DeepEqual(g.header, w.header) {
			e.t.Fatalf("request %d differs with the middleware:\n got  %s %s %q %v\n want %s %s %q %v", i, g.path, g.query, g.body, g.header, w.path, w.query, w.body, w.header)
		}
	}
	return got
}

// succeed is compare for a call that must succeed: it returns the call's
// span.
func (e *env) succeed(script []reply, call func(c openai.Client) outcome) tracetest.SpanStub {
	e.t.Helper()
	if got := e.compare(script, call); got.err != "" {
		e.t.Fatal(got.err)
	}
	return e.span()
}

func chatParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:               chatModel,
		Messages:            []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Hello")},
		MaxCompletionTokens: openai.Int(256),
		Temperature:         openai.Float(0.2),
	}
}

func streamParams(includeUsage bool) openai.ChatCompletionNewParams {
	p := chatParams()
	if includeUsage {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	}
	return p
}

// resultOutcome is what the caller saw of a call with one result: the
// result's raw JSON (when there is a result) and the error.
func resultOutcome[T any, P interface {
	*T
	RawJSON() string
}](res P, err error) outcome {
	var o outcome
	if res != nil {
		o.raw = []string{res.RawJSON()}
	}
	errOutcome(&o, err)
	return o
}

func runChat(ctx context.Context, c openai.Client, p openai.ChatCompletionNewParams) outcome {
	return resultOutcome(c.Chat.Completions.New(ctx, p))
}

// runChatStream reads a chat stream; cancel, if not nil, is called after
// cancelAt chunks.
func runChatStream(ctx context.Context, c openai.Client, p openai.ChatCompletionNewParams, cancelAt int, cancel func()) outcome {
	var o outcome
	s := c.Chat.Completions.NewStreaming(ctx, p)
	for s.Next() {
		o.raw = append(o.raw, s.Current().RawJSON())
		if cancel != nil && len(o.raw) == cancelAt {
			cancel()
		}
	}
	errOutcome(&o, s.Err())
	if err := s.Close(); err != nil && o.err == "" {
		o.err = "close: " + err.Error()
	}
	return o
}

func responsesParams() responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model:           "gpt-5.4",
		Input:           responses.ResponseNewParamsInputUnion{OfString: openai.String("Tell me a joke")},
		MaxOutputTokens: openai.Int(500),
	}
}

// span returns the one GenAI span the test made.
func (e *env) span() tracetest.SpanStub {
	e.t.Helper()
	var found []tracetest.SpanStub
	for _, s := range e.kit.Spans() {
		if s.SpanKind == trace.SpanKindClient {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		names := make([]string, len(found))
		for i, s := range found {
			names[i] = s.Name
		}
		e.t.Fatalf("%d client spans, want 1: %v", len(found), names)
	}
	return found[0]
}

// value reads one metric series.
func (e *env) value(name string, kvs ...attribute.KeyValue) float64 {
	e.t.Helper()
	v, err := e.kit.Value(name, kvs...)
	if err != nil {
		e.t.Fatalf("%s %v: %v", name, kvs, err)
	}
	return v
}

func (e *env) wantTokens(model string, u ailabels.Usage) {
	e.t.Helper()
	for _, tt := range ailabels.TokenTypes() {
		want := u.Tokens(tt)
		got, _ := e.kit.Sum(metrics.AITokensName, ailabels.ModelKey.String(label(model)), ailabels.TokenTypeKey.String(string(tt)))
		if int64(got) != want {
			e.t.Errorf("ai_tokens_total{model=%q,token_type=%q} = %v, want %d", model, tt, got, want)
		}
	}
}

func (e *env) wantCost(model string, usd float64) {
	e.t.Helper()
	got := e.value(metrics.AICostName, ailabels.ModelKey.String(label(model)))
	if math.Abs(got-usd) > 1e-12 {
		e.t.Errorf("ai_cost_total{model=%q} = %.9f, want %.9f", model, got, usd)
	}
}

// label is the model label of a model id.
func label(model string) string {
	l, err := ailabels.NormalizeModel(model)
	if err != nil {
		panic(err)
	}
	return l
}

// wantRequests checks that ai_requests_total{provider,model,outcome} is n
// (the model as labelled).
func (e *env) wantRequests(provider, model, outcome string, n float64) {
	e.t.Helper()
	if v := e.value(metrics.AIRequestsName, ailabels.ProviderKey.String(provider), ailabels.ModelKey.String(label(model)), ailabels.OutcomeKey.String(outcome)); v != n {
		e.t.Errorf("ai_requests_total{provider=%q,model=%q,outcome=%q} = %v, want %v", provider, model, outcome, v, n)
	}
}

// Hand-computed costs (prices per million tokens, ailabels/pricing.json):
// gpt-4o-mini-2024-07-18 on OpenAI is 0.15 input (cache writes bill at
// it), 0.075 cache read, 0.6 output; on Azure 0.165, 0.075 and 0.66. The
// chat usage is 1200 input of which 1000 cached and 100 cache writes, 300
// output.
const (
	chatCostOpenAI = (100*0.15 + 1000*0.075 + 100*0.15 + 300*0.6) / 1e6
	chatCostAzure  = (100*0.165 + 1000*0.075 + 100*0.165 + 300*0.66) / 1e6
)

func TestChatCompletion(t *testing.T) {
	e := newEnv(t, nil)
	s := e.succeed([]reply{{body: chatCompletionJSON(chatRespModel)}}, func(c openai.Client) outcome {
		return runChat(context.Background(), c, chatParams())
	})
	if s.Name != "chat "+chatModel || s.Status.Code == codes.Error {
		t.Fatalf("span %q status %v", s.Name, s.Status)
	}
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.GenAIOperationNameKey:              "chat",
		ailabels.GenAIProviderNameKey:               "openai",
		ailabels.GenAIRequestModelKey:               chatModel,
		ailabels.GenAIRequestMaxTokensKey:           256,
		ailabels.GenAIRequestTemperatureKey:         0.2,
		ailabels.GenAIResponseModelKey:              chatRespModel,
		ailabels.GenAIResponseIDKey:                 "chatcmpl-123",
		ailabels.GenAIResponseFinishReasonsKey:      []string{"tool_calls"},
		ailabels.GenAIUsageInputTokensKey:           1200,
		ailabels.GenAIUsageOutputTokensKey:          300,
		ailabels.GenAIUsageCacheReadInputTokensKey:  1000,
		ailabels.GenAIUsageReasoningOutputTokensKey: 120,
		ailabels.ResponseToolCallsKey:               []string{"get_weather"},
		ailabels.ResponseToolCallIDsKey:             []string{"call_1"},
		ailabels.CostUSDKey:                         chatCostOpenAI,
		ailabels.AttemptsKey:                        1,
		ailabels.ErrorTypeKey:                       nil,
		ailabels.UsageMissingKey:                    nil,
		ailabels.GenAIInputMessagesKey:              nil, // no content capture
		ailabels.GenAIOutputMessagesKey:             nil,
	})
	e.wantRequests("openai", chatRespModel, "ok", 1)
	e.wantTokens(chatRespModel, wantChatUsage)
	e.wantCost(chatRespModel, chatCostOpenAI)
}

func TestChatStream(t *testing.T) {
	e := newEnv(t, nil)
	got := e.compare([]reply{{events: chatStream(chatRespModel, 20, true), firstDelay: 30 * time.Millisecond}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, streamParams(true), 0, nil)
	})
	if got.err != "" || len(got.raw) != 23 {
		t.Fatalf("%d chunks, error %q", len(got.raw), got.err)
	}
	s := e.span()
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.GenAIRequestStreamKey:         true,
		ailabels.GenAIResponseModelKey:         chatRespModel,
		ailabels.GenAIResponseIDKey:            "chatcmpl-s1",
		ailabels.GenAIResponseFinishReasonsKey: []string{"stop"},
		ailabels.GenAIUsageInputTokensKey:      1200,
		ailabels.GenAIUsageOutputTokensKey:     300,
		ailabels.CostUSDKey:                    chatCostOpenAI,
		ailabels.ErrorTypeKey:                  nil,
		ailabels.StreamChunksKey:               22, // the role chunk, 20 words, the finish chunk (not the usage chunk)
	})
	ttfc := aitest.SpanAttrs(s)[ailabels.GenAIResponseTimeToFirstChunkKey].AsFloat64()
	if ttfc < 0.03 || ttfc > 5 {
		t.Errorf("time to first chunk %v s, the server waited 30 ms", ttfc)
	}
	e.wantRequests("openai", chatRespModel, "ok", 1)
	e.wantTokens(chatRespModel, wantChatUsage)
	e.wantCost(chatRespModel, chatCostOpenAI)
}

func TestChatStreamWithoutUsage(t *testing.T) {
	e := newEnv(t, nil)
	got := e.compare([]reply{{events: chatStream(chatRespModel, 5, false)}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, streamParams(false), 0, nil)
	})
	if got.err != "" {
		t.Fatal(got.err)
	}
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{
		ailabels.UsageMissingKey:          true,
		ailabels.GenAIUsageInputTokensKey: nil, // missing, not zero
		ailabels.ErrorTypeKey:             nil,
	})
	e.wantRequests("openai", chatRespModel, "ok", 1)
	if v, _ := e.kit.Sum(metrics.AITokensName); v != 0 {
		t.Errorf("ai_tokens_total = %v, want nothing", v)
	}
}

func TestIncludeUsageOption(t *testing.T) {
	e := newEnv(t, nil, WithIncludeUsage())
	// The server answers with usage only when asked, as OpenAI does.
	askedForUsage := func() bool {
		reqs := e.f.received()
		r, _ := parseRequest(reqs[0].body, apiChat, false)
		return r.includeUsage == includeUsageTrue
	}
	e.f.play(reply{events: chatStream(chatRespModel, 3, true)})
	o := runChatStream(context.Background(), e.inst, streamParams(false), 0, nil)
	if o.err != "" || !askedForUsage() {
		t.Fatalf("error %q, include_usage sent %v", o.err, askedForUsage())
	}
	reqs := e.f.received()
	e.f.play(reply{events: chatStream(chatRespModel, 3, true)})
	runChatStream(context.Background(), e.bare, streamParams(false), 0, nil)
	bare := e.f.received()
	// Only stream_options differs.
	if want := withIncludeUsage(bare[0].body); string(reqs[0].body) != string(want) {
		t.Errorf("body sent\n %s\nwant\n %s", reqs[0].body, want)
	}
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{ailabels.GenAIUsageInputTokensKey: 1200, ailabels.UsageMissingKey: nil})
	e.wantTokens(chatRespModel, wantChatUsage)

	// An explicit false is kept, and non-streaming calls are not touched.
	e.kit.Reset()
	p := streamParams(false)
	p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(false)}
	e.compare([]reply{{events: chatStream(chatRespModel, 3, false)}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, p, 0, nil)
	})
	e.compare([]reply{{body: chatCompletionJSON(chatRespModel)}}, func(c openai.Client) outcome {
		return runChat(context.Background(), c, chatParams())
	})
}

func TestRetryThenSuccess(t *testing.T) {
	e := newEnv(t, nil)
	script := []reply{
		{status: 429, headers: map[string]string{"retry-after-ms": "10"}, body: errorJSON("requests", "rate_limit_exceeded", "Rate limit reached")},
		{body: chatCompletionJSON(chatRespModel)},
	}
	got := e.compare(script, func(c openai.Client) outcome { return runChat(context.Background(), c, chatParams()) })
	if got.err != "" {
		t.Fatal(got.err)
	}
	if n := len(e.f.received()); n != 2 {
		t.Fatalf("%d attempts, want 2", n)
	}
	s := e.span() // one span for the two attempts
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.AttemptsKey:               2,
		ailabels.HTTPRequestResendCountKey: 1,
		ailabels.ErrorTypeKey:              nil,
		ailabels.GenAIUsageInputTokensKey:  1200,
	})
	ev := aitest.AttemptEvent(t, s)
	if ev[ailabels.HTTPResponseStatusCodeKey].AsInt64() != 429 || ev[ailabels.ErrorTypeKey].AsString() != "429" {
		t.Errorf("failed attempt event %v", s.Events[0].Attributes)
	}
	e.wantRequests("openai", chatRespModel, "ok", 1)
	if v, _ := e.kit.Sum(metrics.AIRequestsName, ailabels.OutcomeKey.String("error")); v != 0 {
		t.Errorf("ai_requests_total error = %v", v)
	}
	e.wantCost(chatRespModel, chatCostOpenAI)
}

func TestServerError(t *testing.T) {
	e := newEnv(t, nil)
	script := []reply{{status: 500, headers: map[string]string{"retry-after-ms": "5"}, body: errorJSON("server_error", "", "The server had an error")}}
	got := e.compare(script, func(c openai.Client) outcome { return runChat(context.Background(), c, chatParams()) })
	if got.status != 500 {
		t.Fatalf("caller got %+v, want a 500", got)
	}
	s := e.span()
	if s.Status.Code != codes.Error {
		t.Errorf("status %v", s.Status)
	}
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.ErrorTypeKey:             "server_error", // the provider's type, from the last body
		ailabels.AttemptsKey:              3,              // openai-go tries three times
		ailabels.UsageMissingKey:          true,
		ailabels.GenAIUsageInputTokensKey: nil,
	})
	if len(s.Events) != 3 {
		t.Errorf("%d failed-attempt events, want 3", len(s.Events))
	}
	e.wantRequests("openai", chatModel, "error", 1)
}

func TestStreamCancelled(t *testing.T) {
	e := newEnv(t, nil)
	// The server sends 4 of the 13 events and waits; the caller cancels
	// once it has read them (cancelling earlier would make the number of
	// chunks it still gets depend on what its reader had buffered).
	script := []reply{{events: chatStream(chatRespModel, 10, true), cutAfter: 4, block: true}}
	got := e.compare(script, func(c openai.Client) outcome {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		return runChatStream(ctx, c, streamParams(true), 4, cancel)
	})
	if len(got.raw) != 4 {
		t.Fatalf("caller got %d chunks", len(got.raw))
	}
	if !strings.Contains(got.err, "context canceled") {
		t.Fatalf("caller got %+v", got)
	}
	s := e.span()
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.ErrorTypeKey:                  ailabels.ErrorTypeCanceled,
		ailabels.UsageMissingKey:               true,
		ailabels.GenAIResponseFinishReasonsKey: []string{ailabels.FinishReasonError},
		ailabels.GenAIResponseIDKey:            "chatcmpl-s1",
	})
	e.wantRequests("openai", chatRespModel, "error", 1)
}

func TestStreamCut(t *testing.T) {
	e := newEnv(t, nil)
	got := e.compare([]reply{{events: chatStream(chatRespModel, 10, true), cutAfter: 5}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, streamParams(true), 0, nil)
	})
	if got.err == "" {
		t.Fatal("no error for a cut stream")
	}
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{
		ailabels.ErrorTypeKey:    ailabels.ErrorTypeIncompleteResponse,
		ailabels.UsageMissingKey: true,
	})
}

func TestMalformedEvent(t *testing.T) {
	e := newEnv(t, nil)
	evs := chatStream(chatRespModel, 6, true)
	evs = append(evs[:4:4], append([]string{sse(`{"id":"chatcmpl-s1","choices":[{"delta":{"content":"x"`)}, evs[4:]...)...)
	got := e.compare([]reply{{events: evs}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, streamParams(true), 0, nil)
	})
	if got.err == "" || len(got.raw) != 4 {
		t.Fatalf("caller got %+v", got)
	}
	// openai-go stops at the malformed event; its line reader may have
	// read the rest of the stream already, usage included, which is then
	// recorded: the provider billed it.
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{
		ailabels.ErrorTypeKey: ailabels.ErrorTypeMalformedResponse,
	})
	e.wantRequests("openai", chatRespModel, "error", 1)
}

func TestEmptyStream(t *testing.T) {
	e := newEnv(t, nil)
	got := e.compare([]reply{{events: []string{}}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, streamParams(true), 0, nil)
	})
	if got.err != "" || len(got.raw) != 0 {
		t.Fatalf("caller got %+v", got)
	}
	s := e.span()
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.UsageMissingKey:          true,
		ailabels.GenAIUsageInputTokensKey: nil,
		ailabels.ErrorTypeKey:             nil,
		ailabels.StreamEndKey:             ailabels.StreamEndEOF,
	})
	// No response model: counted under the requested one.
	e.wantRequests("openai", chatModel, "ok", 1)
}

func TestResponses(t *testing.T) {
	e := newEnv(t, nil)
	s := e.succeed([]reply{{body: responseJSON("gpt-5.4", "completed")}}, func(c openai.Client) outcome {
		return resultOutcome(c.Responses.New(context.Background(), responsesParams()))
	})
	if s.Name != "chat gpt-5.4" {
		t.Errorf("span %q", s.Name)
	}
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.GenAIRequestMaxTokensKey:           500,
		ailabels.GenAIResponseIDKey:                 "resp_1",
		ailabels.GenAIUsageInputTokensKey:           800,
		ailabels.GenAIUsageCacheReadInputTokensKey:  500,
		ailabels.GenAIUsageReasoningOutputTokensKey: 64,
		ailabels.GenAIResponseFinishReasonsKey:      []string{"tool_calls"},
		ailabels.ResponseToolCallsKey:               []string{"lookup"},
	})
	e.wantTokens("gpt-5.4", wantResponsesUsage)
	entry := ailabels.DefaultPricing().Entry("openai", "gpt-5.4")
	if entry == nil {
		t.Fatal("gpt-5.4 is not priced")
	}
	e.wantCost("gpt-5.4", entry.Cost(ailabels.Usage{Provider: "openai", Model: "gpt-5.4", InputTokens: 800, CachedInputTokens: 500, OutputTokens: 200, ReasoningTokens: 64}).USD)
}

func runResponsesStream(c openai.Client) outcome {
	var o outcome
	s := c.Responses.NewStreaming(context.Background(), responsesParams())
	for s.Next() {
		o.raw = append(o.raw, s.Current().RawJSON())
	}
	errOutcome(&o, s.Err())
	return o
}

func TestResponsesStream(t *testing.T) {
	e := newEnv(t, nil)
	got := e.compare([]reply{{events: responsesStream("gpt-5.4", 30)}}, runResponsesStream)
	if got.err != "" || len(got.raw) != 35 {
		t.Fatalf("%d events, error %q", len(got.raw), got.err)
	}
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{
		ailabels.GenAIRequestStreamKey:    true,
		ailabels.GenAIResponseIDKey:       "resp_1",
		ailabels.GenAIUsageInputTokensKey: 800,
		ailabels.StreamChunksKey:          30,
		ailabels.ErrorTypeKey:             nil,
		ailabels.ResponseToolCallsKey:     []string{"lookup"},
	})
	e.wantRequests("openai", "gpt-5.4", "ok", 1)
}

// An error event in a Responses stream fails the call, although
// openai-go's stream reports no error.
func TestResponsesStreamErrorEvent(t *testing.T) {
	e := newEnv(t, nil)
	evs := append(responsesStream("gpt-5.4", 3)[:5:5],
		sseEvent("error", `{"type":"error","code":"rate_limit_exceeded","message":"Rate limit reached","param":null,"sequence_number":5}`))
	got := e.compare([]reply{{events: evs}}, runResponsesStream)
	if got.err != "" {
		t.Fatalf("the client reported %q; the test expects it to see no error", got.err)
	}
	s := e.span()
	if s.Status.Code != codes.Error {
		t.Errorf("status %v", s.Status)
	}
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.ErrorTypeKey:    "rate_limit_exceeded",
		ailabels.UsageMissingKey: true,
	})
	e.wantRequests("openai", "gpt-5.4", "error", 1)
}

func TestEmbeddings(t *testing.T) {
	e := newEnv(t, nil)
	s := e.succeed([]reply{{body: embeddingJSON}}, func(c openai.Client) outcome {
		return resultOutcome(c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
			Model: openai.EmbeddingModelTextEmbedding3Small,
			Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")},
		}))
	})
	if s.Name != "embeddings text-embedding-3-small" {
		t.Errorf("span %q", s.Name)
	}
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.GenAIOperationNameKey:     "embeddings",
		ailabels.GenAIUsageInputTokensKey:  8,
		ailabels.GenAIUsageOutputTokensKey: 0,
	})
	e.wantCost("text-embedding-3-small", 8*0.02/1e6)
}

// Azure OpenAI: the deployment is the model, priced as the pricing table
// maps it, with Azure's prices.
func TestAzure(t *testing.T) {
	pricing, err := ailabels.DefaultPricing().WithDeployments(ailabels.ProviderAzureOpenAI,
		map[string]string{"chat-prod": "gpt-4o-mini-2024-07-18"})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, []metrics.AIOption{metrics.WithPricing(pricing)})
	azureOpts := []option.RequestOption{
		azure.WithEndpoint(e.f.srv.URL, "2024-06-01"), azure.WithAPIKey("azure-key"), azure.WithUnsafeAllowHTTP(),
		option.WithHTTPClient(&http.Client{Transport: e.f.srv.Client().Transport}),
	}
	bare := openai.NewClient(azureOpts...)
	inst := openai.NewClient(append(azureOpts, option.WithMiddleware(Middleware(e.ai)))...)
	p := chatParams()
	p.Model = "chat-prod"
	for _, c := range []openai.Client{bare, inst} {
		e.f.play(reply{body: chatCompletionJSON("gpt-4o-mini-2024-07-18")})
		if o := runChat(context.Background(), c, p); o.err != "" {
			t.Fatal(o.err)
		}
	}
	if path := e.f.received()[0].path; path != "/openai/deployments/chat-prod/chat/completions" {
		t.Fatalf("request went to %s", path)
	}
	s := e.span()
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.GenAIProviderNameKey: ailabels.ProviderAzureOpenAI,
		ailabels.GenAIRequestModelKey: "chat-prod",
		ailabels.CostUSDKey:           chatCostAzure,
	})
	e.wantRequests(ailabels.ProviderAzureOpenAI, "chat-prod", "ok", 1)
	e.wantCost("chat-prod", chatCostAzure)

	// A deployment the table does not know is priced as the model the
	// response names, on Azure's list.
	e.kit.Reset()
	p.Model = "chat-dev"
	e.f.play(reply{body: chatCompletionJSON("gpt-4o-mini-2024-07-18")})
	if o := runChat(context.Background(), inst, p); o.err != "" {
		t.Fatal(o.err)
	}
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{
		ailabels.GenAIProviderNameKey:  ailabels.ProviderAzureOpenAI,
		ailabels.GenAIRequestModelKey:  "chat-dev",
		ailabels.GenAIResponseModelKey: "gpt-4o-mini-2024-07-18",
		ailabels.CostUSDKey:            chatCostAzure,
	})
}

func TestContentCapture(t *testing.T) {
	e := newEnv(t, []metrics.AIOption{metrics.WithContentCapture()})
	e.compare([]reply{{body: chatCompletionJSON(chatRespModel)}}, func(c openai.Client) outcome {
		return runChat(context.Background(), c, chatParams())
	})
	a := aitest.SpanAttrs(e.span())
	if in := a[ailabels.GenAIInputMessagesKey].AsString(); !strings.Contains(in, "Hello") {
		t.Errorf("input messages %q", in)
	}
	if out := a[ailabels.GenAIOutputMessagesKey].AsString(); !strings.Contains(out, "Hello there.") || !strings.Contains(out, "get_weather") {
		t.Errorf("output messages %q", out)
	}
	e.kit.Reset()
	e.compare([]reply{{events: chatStream(chatRespModel, 3, true)}}, func(c openai.Client) outcome {
		return runChatStream(context.Background(), c, streamParams(true), 0, nil)
	})
	if out := aitest.SpanAttrs(e.span())[ailabels.GenAIOutputMessagesKey].AsString(); !strings.Contains(out, "word0 word1 word2") {
		t.Errorf("stream output messages %q", out)
	}
	e.kit.Reset()
	e.compare([]reply{{events: responsesStream("gpt-5.4", 3)}}, runResponsesStream)
	a = aitest.SpanAttrs(e.span())
	if in := a[ailabels.GenAIInputMessagesKey].AsString(); !strings.Contains(in, "Tell me a joke") {
		t.Errorf("responses input messages %q", in)
	}
	if out := a[ailabels.GenAIOutputMessagesKey].AsString(); !strings.Contains(out, "word0 word1 word2") || !strings.Contains(out, "lookup") {
		t.Errorf("responses stream output messages %q", out)
	}
}

// Requests the middleware does not record pass through untouched.
func TestOtherRequests(t *testing.T) {
	e := newEnv(t, nil)
	e.compare([]reply{{body: `{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1,"owned_by":"openai"}]}`}}, func(c openai.Client) outcome {
		return resultOutcome(c.Models.List(context.Background()))
	})
	if n := len(e.kit.Spans()); n != 0 {
		t.Errorf("%d spans for a models list", n)
	}
}

// Concurrent calls, some retried, each get their own span.
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t, nil)
	e.f.play(reply{body: chatCompletionJSON(chatRespModel)})
	const n = 16
	errs := make(chan string, n)
	for range n {
		go func() { errs <- runChat(context.Background(), e.inst, chatParams()).err }()
	}
	for range n {
		if err := <-errs; err != "" {
			t.Error(err)
		}
	}
	e.wantRequests("openai", chatRespModel, "ok", n)
}

func TestProviderAndRetriesOptions(t *testing.T) {
	e := newEnv(t, nil, WithProvider(ailabels.ProviderGroq), WithMaxRetries(0))
	c := openai.NewClient(option.WithAPIKey("k"), option.WithBaseURL(e.f.URL()), option.WithHTTPClient(e.f.srv.Client()),
		option.WithMaxRetries(0), option.WithMiddleware(Middleware(e.ai, WithProvider(ailabels.ProviderGroq), WithMaxRetries(0))))
	e.f.play(reply{status: 429, headers: map[string]string{"retry-after-ms": "10"}, body: errorJSON("requests", "rate_limit_exceeded", "slow down")})
	start := time.Now()
	if o := runChat(context.Background(), c, chatParams()); o.status != 429 {
		t.Fatalf("caller got %+v", o)
	}
	// Recorded at once: no retry was expected.
	s := e.span()
	if time.Since(start) > 2*time.Second {
		t.Errorf("recorded after %v", time.Since(start))
	}
	aitest.WantAttrs(t, s, map[attribute.Key]any{
		ailabels.GenAIProviderNameKey: ailabels.ProviderGroq,
		ailabels.ErrorTypeKey:         "rate_limit_exceeded",
		ailabels.AttemptsKey:          1,
	})
	e.wantRequests(ailabels.ProviderGroq, chatModel, "error", 1)
}

func TestTimeout(t *testing.T) {
	e := newEnv(t, nil)
	got := e.compare([]reply{{events: chatStream(chatRespModel, 3, true), firstDelay: 2 * time.Second}}, func(c openai.Client) outcome {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		return runChatStream(ctx, c, streamParams(true), 0, nil)
	})
	if !strings.Contains(got.err, "deadline") {
		t.Fatalf("caller got %+v", got)
	}
	aitest.WantAttrs(t, e.span(), map[attribute.Key]any{
		ailabels.ErrorTypeKey:    ailabels.ErrorTypeTimeout,
		ailabels.UsageMissingKey: true,
	})
}

// The HTTP request carries the GenAI span, so that an instrumented
// transport's spans are its children.
func TestSpanInRequestContext(t *testing.T) {
	e := newEnv(t, nil)
	var seen trace.SpanContext
	tr := e.f.srv.Client().Transport
	c := openai.NewClient(option.WithAPIKey("k"), option.WithBaseURL(e.f.URL()),
		option.WithHTTPClient(&http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			seen = trace.SpanContextFromContext(r.Context())
			return tr.RoundTrip(r)
		})}),
		option.WithMiddleware(Middleware(e.ai)))
	e.f.play(reply{body: chatCompletionJSON(chatRespModel)})
	if o := runChat(context.Background(), c, chatParams()); o.err != "" {
		t.Fatal(o.err)
	}
	if s := e.span(); !seen.IsValid() || seen.SpanID() != s.SpanContext.SpanID() {
		t.Errorf("transport saw span %v, the GenAI span is %v", seen.SpanID(), s.SpanContext.SpanID())
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
