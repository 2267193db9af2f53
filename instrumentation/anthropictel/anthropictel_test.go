package anthropictel

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// env is one test's telemetry, fake server and clients.
type env struct {
	kit *telemetrytest.Kit
	ai  *metrics.AI
	f   *fakeServer
}

func newEnv(t *testing.T, opts ...telemetry.Option) *env {
	t.Helper()
	kit := telemetrytest.New(t, opts...)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithSemconvHistograms())
	if err != nil {
		t.Fatal(err)
	}
	return &env{kit: kit, ai: ai, f: newFake(t)}
}

// clients returns an instrumented and a bare client for backend b.
func (e *env) clients(t *testing.T, b backend, extra ...option.RequestOption) (instr, bare anthropic.Client) {
	return newClient(t, e.f, b, WithTelemetry(e.ai), extra...), newClient(t, e.f, b, nil, extra...)
}

// The costs of the fake's usage (25 uncached input, 100 cache reads, 30
// five-minute and 20 one-hour cache writes, 42 output tokens), by hand from
// the embedded table's prices per million tokens:
//
//	anthropic claude-sonnet-4-5-20250929 and Vertex claude-sonnet-4-5@20250929:
//	  25x3 + 100x0.3 + 30x3.75 + 20x6 + 42x15 = 967.5
//	Bedrock us.anthropic.claude-sonnet-4-5-20250929-v1:0 (the us. profile, 10 % more):
//	  25x3.3 + 100x0.33 + 30x4.125 + 20x6.6 + 42x16.5 = 1064.25
const (
	costFirstParty = 967.5e-6
	costBedrock    = 1064.25e-6
)

func (b backend) provider() string {
	switch b {
	case onBedrock:
		return ailabels.ProviderAWSBedrock
	case onVertex:
		return ailabels.ProviderGCPVertexAI
	}
	return ailabels.ProviderAnthropic
}

func (b backend) cost() float64 {
	if b == onBedrock {
		return costBedrock
	}
	return costFirstParty
}

// pricedModel is the model id the call is priced and labelled by: the
// response's for the first-party API, the platform's id on Bedrock and Vertex.
func (b backend) pricedModel() string {
	if b == firstParty {
		return fakeModel
	}
	return string(b.model())
}

func (b backend) String() string { return [...]string{"anthropic", "bedrock", "vertex"}[b] }

// oneSpan returns the only span of the test, which must be a GenAI client span.
func oneSpan(t *testing.T, kit *telemetrytest.Kit) tracetest.SpanStub {
	t.Helper()
	spans := kit.Spans()
	if len(spans) != 1 {
		var names []string
		for _, s := range spans {
			names = append(names, s.Name)
		}
		t.Fatalf("%d spans %v, want 1", len(spans), names)
	}
	s := spans[0]
	if s.SpanKind != trace.SpanKindClient {
		t.Errorf("span kind %v", s.SpanKind)
	}
	return s
}

func metric(t *testing.T, kit *telemetrytest.Kit, name string, kv ...attribute.KeyValue) float64 {
	t.Helper()
	v, _ := kit.Sum(name, kv...)
	return v
}

// checkUsageMetrics checks the counters of one successful call with the fake's usage.
func checkUsageMetrics(t *testing.T, e *env, b backend) {
	t.Helper()
	label, err := ailabels.NormalizeModel(b.pricedModel())
	if err != nil {
		t.Fatal(err)
	}
	m := attribute.String("model", label)
	if got := metric(t, e.kit, "ai_requests_total", m, attribute.String("provider", b.provider()), attribute.String("outcome", "ok")); got != 1 {
		t.Errorf("ai_requests_total{provider=%s,outcome=ok} = %v, want 1", b.provider(), got)
	}
	for typ, n := range map[string]float64{
		"input": fakeInput + fakeCacheRead + fakeCache5m + fakeCache1h, "output": fakeOutput,
		"cache_read": fakeCacheRead, "cache_write": fakeCache5m + fakeCache1h, "reasoning": fakeThinking,
	} {
		if got := metric(t, e.kit, "ai_tokens_total", m, attribute.String("token_type", typ)); got != n {
			t.Errorf("ai_tokens_total{token_type=%s} = %v, want %v", typ, got, n)
		}
	}
	if got := metric(t, e.kit, "ai_cost_total", m); math.Abs(got-b.cost()) > 1e-12 {
		t.Errorf("ai_cost_total = %v, want %v", got, b.cost())
	}
}

func checkUsageSpan(t *testing.T, s tracetest.SpanStub, b backend) {
	t.Helper()
	aitest.WantAttrs(t, s, map[string]any{
		"gen_ai.operation.name":                    "chat",
		"gen_ai.provider.name":                     b.provider(),
		"gen_ai.request.model":                     string(b.model()),
		"gen_ai.request.max_tokens":                1024,
		"gen_ai.response.id":                       fakeMsgID,
		"gen_ai.response.finish_reasons":           []string{"tool_use"},
		"gen_ai.usage.input_tokens":                fakeInput + fakeCacheRead + fakeCache5m + fakeCache1h,
		"gen_ai.usage.output_tokens":               fakeOutput,
		"gen_ai.usage.cache_read.input_tokens":     fakeCacheRead,
		"gen_ai.usage.cache_creation.input_tokens": fakeCache5m + fakeCache1h,
		"gen_ai.usage.reasoning.output_tokens":     fakeThinking,
		"ai.response.tool_calls":                   []string{fakeToolNam},
		"ai.response.tool_call_ids":                []string{fakeToolID},
		"ai.cost.priced":                           true,
		"error.type":                               nil,
		"ai.usage.missing":                         nil,
	})
	if got := aitest.SpanAttrs(s)["ai.cost.usd"].AsFloat64(); math.Abs(got-b.cost()) > 1e-12 {
		t.Errorf("ai.cost.usd = %v, want %v", got, b.cost())
	}
	if wantName := "chat " + string(b.model()); s.Name != wantName {
		t.Errorf("span name %q, want %q", s.Name, wantName)
	}
	if s.Status.Code == codes.Error {
		t.Errorf("span status %v", s.Status)
	}
}

// checkNoUsage checks a first-party call recorded without usage: its span's
// name and error.type ("" for none), one ai_requests_total with outcome,
// ai_usage_missing_total, and no tokens or cost.
func checkNoUsage(t *testing.T, e *env, s tracetest.SpanStub, outcome, errType string) {
	t.Helper()
	if want := "chat " + fakeModel; s.Name != want {
		t.Errorf("span name %q, want %q", s.Name, want)
	}
	var et any = errType
	if errType == "" {
		et = nil
	}
	aitest.WantAttrs(t, s, map[string]any{
		"error.type": et, "ai.usage.missing": true, "gen_ai.usage.input_tokens": nil, "gen_ai.usage.output_tokens": nil,
		"gen_ai.provider.name": "anthropic", "gen_ai.request.model": fakeModel, "gen_ai.operation.name": "chat", "ai.cost.usd": nil,
	})
	if (s.Status.Code == codes.Error) != (errType != "") {
		t.Errorf("span status %v with error.type %q", s.Status, errType)
	}
	label, _ := ailabels.NormalizeModel(fakeModel)
	m := attribute.String("model", label)
	if got := metric(t, e.kit, "ai_requests_total", m, attribute.String("provider", "anthropic"), attribute.String("outcome", outcome)); got != 1 {
		t.Errorf("ai_requests_total{outcome=%s} = %v, want 1", outcome, got)
	}
	if got := metric(t, e.kit, "ai_requests_total"); got != 1 {
		t.Errorf("ai_requests_total = %v in all, want 1", got)
	}
	if got := metric(t, e.kit, "ai_usage_missing_total", m); got != 1 {
		t.Errorf("ai_usage_missing_total = %v, want 1", got)
	}
	if v, ok := e.kit.Sum("ai_tokens_total"); ok && v != 0 {
		t.Errorf("ai_tokens_total = %v for a call without usage", v)
	}
	if v, ok := e.kit.Sum("ai_cost_total"); ok && v != 0 {
		t.Errorf("ai_cost_total = %v for a call without usage", v)
	}
}

func TestNew(t *testing.T) {
	for _, b := range []backend{firstParty, onBedrock, onVertex} {
		t.Run(b.String(), func(t *testing.T) {
			e := newEnv(t)
			instr, bare := e.clients(t, b)
			got := callNew(context.Background(), instr, b, scenarioOK)
			sameOutcome(t, got, callNew(context.Background(), bare, b, scenarioOK))
			s := oneSpan(t, e.kit)
			checkUsageSpan(t, s, b)
			aitest.WantAttrs(t, s, map[string]any{"ai.request.attempts": 1, "http.request.resend_count": nil, "gen_ai.response.model": b.pricedModel()})
			checkUsageMetrics(t, e, b)
		})
	}
}

func TestStream(t *testing.T) {
	for _, b := range []backend{firstParty, onBedrock, onVertex} {
		t.Run(b.String(), func(t *testing.T) {
			e := newEnv(t)
			instr, bare := e.clients(t, b)
			got := callStream(context.Background(), instr, b, scenarioOK, 0)
			sameOutcome(t, got, callStream(context.Background(), bare, b, scenarioOK, 0))
			if len(got.Events) == 0 {
				t.Fatal("no events")
			}
			s := oneSpan(t, e.kit)
			checkUsageSpan(t, s, b)
			aitest.WantAttrs(t, s, map[string]any{"gen_ai.request.stream": true, "ai.stream.chunks": e.f.deltas + 1, "ai.stream.end": "eof", "ai.request.attempts": 1})
			if _, ok := aitest.SpanAttrs(s)["gen_ai.response.time_to_first_chunk"]; !ok {
				t.Error("no gen_ai.response.time_to_first_chunk")
			}
			checkUsageMetrics(t, e, b)
		})
	}
}

// A 429 then a 200: one call, two attempts, the failed one an event.
func TestRetryThenSuccess(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			e := newEnv(t)
			instr, bare := e.clients(t, firstParty)
			call := func(c anthropic.Client) outcome {
				if stream {
					return callStream(context.Background(), c, firstParty, scenario429, 0)
				}
				return callNew(context.Background(), c, firstParty, scenario429)
			}
			got := call(instr)
			sameOutcome(t, got, call(bare))
			if e.f.hits.Load() != 4 {
				t.Fatalf("%d requests, want 2 per client", e.f.hits.Load())
			}
			s := oneSpan(t, e.kit)
			checkUsageSpan(t, s, firstParty)
			aitest.WantAttrs(t, s, map[string]any{"ai.request.attempts": 2, "http.request.resend_count": 1})
			var failed int
			for _, ev := range s.Events {
				if ev.Name != "ai.attempt.failed" {
					continue
				}
				failed++
				for _, kv := range ev.Attributes {
					if kv.Key == "http.response.status_code" && kv.Value.AsInt64() != 429 {
						t.Errorf("failed attempt status %v", kv.Value.String())
					}
				}
			}
			if failed != 1 {
				t.Errorf("%d failed-attempt events, want 1: %+v", failed, s.Events)
			}
			checkUsageMetrics(t, e, firstParty)
		})
	}
}

// A 500 every time: the client tries three times and fails; one call, recorded as failed.
func TestServerError(t *testing.T) {
	e := newEnv(t)
	instr, bare := e.clients(t, firstParty)
	got := callNew(context.Background(), instr, firstParty, scenario500)
	sameOutcome(t, got, callNew(context.Background(), bare, firstParty, scenario500))
	if got.Status != 500 {
		t.Fatalf("outcome %v", got)
	}
	s := oneSpan(t, e.kit)
	aitest.WantAttrs(t, s, map[string]any{"ai.request.attempts": 3, "http.request.resend_count": 2})
	checkNoUsage(t, e, s, "error", "api_error")
	var statuses []int64
	for _, ev := range s.Events {
		for _, kv := range ev.Attributes {
			if ev.Name == "ai.attempt.failed" && kv.Key == "http.response.status_code" {
				statuses = append(statuses, kv.Value.AsInt64())
			}
		}
	}
	if len(statuses) < 2 || statuses[0] != 500 {
		t.Errorf("failed-attempt statuses %v, want 500s", statuses)
	}
}

// option.WithMaxRetries(0) is the budget: a 429 ends the call at once.
func TestClientRetryBudget(t *testing.T) {
	e := newEnv(t)
	instr, bare := e.clients(t, firstParty, option.WithMaxRetries(0))
	got := callNew(context.Background(), instr, firstParty, scenario429)
	e.f.hits.Store(0)
	sameOutcome(t, got, callNew(context.Background(), bare, firstParty, scenario429))
	s := oneSpan(t, e.kit) // recorded at once, not after a wait for a retry
	aitest.WantAttrs(t, s, map[string]any{"ai.request.attempts": 1})
	checkNoUsage(t, e, s, "error", "rate_limit_error")
}

// TestWithoutUsage: calls that fail, or end before the final usage, are
// recorded without usage (checkNoUsage); the caller sees what the bare
// client sees.
func TestWithoutUsage(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		stream   bool
		// cancelAt, for a stream, cancels it after that many events.
		cancelAt int
		// saw reports whether the outcome is what the caller must see.
		saw              func(o outcome) bool
		attrs            map[string]any
		outcome, errType string
	}{
		// x-should-retry: false stops the client at once: one attempt.
		{scenario: scenarioNoRetry, attrs: map[string]any{"ai.request.attempts": 1}, outcome: "error", errType: "overloaded_error"},
		// The caller cancels a stream half-way.
		{
			scenario: scenarioHang, stream: true, cancelAt: 2,
			saw:   func(o outcome) bool { return strings.Contains(o.Err, "context canceled") },
			attrs: map[string]any{"gen_ai.response.id": fakeMsgID}, outcome: "error", errType: "canceled",
		},
		// The SDK must not accept a malformed event.
		{
			scenario: scenarioMalformed, stream: true,
			saw:     func(o outcome) bool { return o.Err != "" },
			outcome: "error", errType: "malformed_response",
		},
		{
			scenario: scenarioErrorEvent, stream: true,
			saw:     func(o outcome) bool { return o.ErrType == "overloaded_error" },
			outcome: "error", errType: "overloaded_error",
		},
		// An empty 200 stream is a success for the client: recorded as a
		// success whose usage is missing, not as zero tokens.
		{
			scenario: scenarioEmpty, stream: true,
			saw:     func(o outcome) bool { return o.Err == "" && len(o.Events) == 0 },
			outcome: "ok",
		},
		// A stream that stops cleanly before message_delta has
		// message_start's input counts only: its usage is missing, not a
		// guess.
		{
			scenario: scenarioCutClean, stream: true,
			attrs:   map[string]any{"gen_ai.response.id": fakeMsgID, "ai.stream.end": "eof"},
			outcome: "ok",
		},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			e := newEnv(t)
			instr, bare := e.clients(t, firstParty)
			call := func(c anthropic.Client) outcome {
				if tc.stream {
					return callStream(context.Background(), c, firstParty, tc.scenario, tc.cancelAt)
				}
				return callNew(context.Background(), c, firstParty, tc.scenario)
			}
			got := call(instr)
			sameOutcome(t, got, call(bare))
			if tc.saw != nil && !tc.saw(got) {
				t.Fatalf("outcome %v", got)
			}
			s := oneSpan(t, e.kit)
			aitest.WantAttrs(t, s, tc.attrs)
			checkNoUsage(t, e, s, tc.outcome, tc.errType)
		})
	}
}

func TestSlowFirstChunk(t *testing.T) {
	e := newEnv(t)
	instr, _ := e.clients(t, firstParty)
	got := callStream(context.Background(), instr, firstParty, scenarioSlow, 0)
	if got.Err != "" {
		t.Fatal(got)
	}
	s := oneSpan(t, e.kit)
	ttfc := aitest.SpanAttrs(s)["gen_ai.response.time_to_first_chunk"].AsFloat64()
	if ttfc < slowFirst.Seconds() || ttfc > s.EndTime.Sub(s.StartTime).Seconds() {
		t.Errorf("time to first chunk %v s, want at least %v and at most the span's %v", ttfc, slowFirst, s.EndTime.Sub(s.StartTime))
	}
	if n := metric(t, e.kit, "gen_ai.client.operation.time_to_first_chunk"); n != 1 {
		t.Errorf("time_to_first_chunk observations %v", n)
	}
	if n := metric(t, e.kit, "gen_ai.client.operation.time_per_output_chunk"); n != float64(e.f.deltas) {
		t.Errorf("time_per_output_chunk observations %v, want %d", n, e.f.deltas)
	}
}

// Calls that are not Messages calls pass through unrecorded.
func TestOtherCallsPassThrough(t *testing.T) {
	e := newEnv(t)
	instr, _ := e.clients(t, firstParty)
	_, err := instr.Messages.CountTokens(context.Background(), anthropic.MessageCountTokensParams{
		Model: fakeModel, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	if err == nil {
		t.Fatal("the fake has no count_tokens: want its 404")
	}
	if n := len(e.kit.Spans()); n != 0 {
		t.Errorf("%d spans for count_tokens", n)
	}
}

// A Bedrock client with a base URL of one's own (a proxy, a VPC endpoint):
// the host says nothing, the path the bedrock package writes says Bedrock.
func TestBedrockOwnBaseURL(t *testing.T) {
	e := newEnv(t)
	c := newClient(t, e.f, onBedrock, WithTelemetry(e.ai), option.WithBaseURL(e.f.URL()))
	if o := callNew(context.Background(), c, onBedrock, scenarioOK); o.Err != "" {
		t.Fatal(o)
	}
	s := oneSpan(t, e.kit)
	checkUsageSpan(t, s, onBedrock)
	checkUsageMetrics(t, e, onBedrock)
}

// The default configuration, with the globals installed as Init does: the
// SDK's own span is off, the GenAI span is the only one, and the request
// carries its trace context as the SDK's would.
func TestOneSpanWithGlobals(t *testing.T) {
	telemetrytest.SaveGlobals(t)
	e := newEnv(t, telemetry.WithGlobals(true))
	var traceparent string
	e.f.onRequest = func(r *http.Request) { traceparent = r.Header.Get("traceparent") }
	instr, _ := e.clients(t, firstParty)
	if o := callNew(context.Background(), instr, firstParty, scenarioOK); o.Err != "" {
		t.Fatal(o)
	}
	s := oneSpan(t, e.kit)
	if !strings.Contains(traceparent, s.SpanContext.TraceID().String()) || !strings.Contains(traceparent, s.SpanContext.SpanID().String()) {
		t.Errorf("traceparent %q, span %v", traceparent, s.SpanContext)
	}

	// WithSDKSpans keeps the SDK's span; ours is its child.
	e.kit.Reset()
	c := newClient(t, e.f, firstParty, WithTelemetry(e.ai, WithSDKSpans()))
	if o := callNew(context.Background(), c, firstParty, scenarioOK); o.Err != "" {
		t.Fatal(o)
	}
	spans := e.kit.Spans()
	if len(spans) != 2 {
		t.Fatalf("%d spans with WithSDKSpans, want 2", len(spans))
	}
	var sdk, ours tracetest.SpanStub
	for _, sp := range spans {
		if sp.Name == "anthropic.messages.create" {
			sdk = sp
		} else {
			ours = sp
		}
	}
	if ours.Parent.SpanID() != sdk.SpanContext.SpanID() {
		t.Errorf("GenAI span %q not a child of the SDK's %q", ours.Name, sdk.Name)
	}
}

// Concurrent calls on one client are recorded apart.
func TestConcurrentCalls(t *testing.T) {
	e := newEnv(t)
	instr, _ := e.clients(t, firstParty)
	const n = 8
	done := make(chan outcome, n)
	for i := range n {
		go func() {
			if i%2 == 0 {
				done <- callStream(context.Background(), instr, firstParty, scenarioOK, 0)
			} else {
				done <- callNew(context.Background(), instr, firstParty, scenarioOK)
			}
		}()
	}
	for range n {
		if o := <-done; o.Err != "" {
			t.Error(o)
		}
	}
	if got := len(e.kit.Spans()); got != n {
		t.Errorf("%d spans, want %d", got, n)
	}
	if got := metric(t, e.kit, "ai_requests_total"); got != n {
		t.Errorf("ai_requests_total = %v, want %d", got, n)
	}
}

// recordBody is a middleware registered before the instrumentation (so it
// sees what the instrumentation returns to the client): it reads each
// response body in small reads, keeps the bytes and the final error, and hands
// the client the same bytes.
type recordBody struct {
	mu   sync.Mutex
	seen []string
}

func (rb *recordBody) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	resp, err := next(req)
	if err != nil || resp == nil {
		return resp, err
	}
	var got bytes.Buffer
	buf := make([]byte, 7)
	var rerr error
	for {
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			rerr = err
			break
		}
	}
	_ = resp.Body.Close()
	rb.mu.Lock()
	rb.seen = append(rb.seen, fmt.Sprintf("%d %s %v\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), rerr, got.String()))
	rb.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(got.Bytes()))
	return resp, nil
}

// The bytes of every response, and the error that ends them, are the bare
// client's, for JSON, streams, retried and failed attempts.
func TestCallerBytes(t *testing.T) {
	for _, b := range []backend{firstParty, onBedrock} {
		e := newEnv(t)
		var withUs, bare recordBody
		ci := newClient(t, e.f, b, option.WithMiddleware(withUs.middleware), WithTelemetry(e.ai))
		cb := newClient(t, e.f, b, option.WithMiddleware(bare.middleware))
		for _, sc := range []string{scenarioOK, scenario429, scenario500, scenarioEmpty, scenarioMalformed, scenarioErrorEvent} {
			e.f.hits.Store(0)
			callNew(context.Background(), ci, b, sc)
			e.f.hits.Store(0)
			callNew(context.Background(), cb, b, sc)
			e.f.hits.Store(0)
			callStream(context.Background(), ci, b, sc, 0)
			e.f.hits.Store(0)
			callStream(context.Background(), cb, b, sc, 0)
		}
		if len(withUs.seen) != len(bare.seen) {
			t.Fatalf("%v: %d responses with the instrumentation, %d without", b, len(withUs.seen), len(bare.seen))
		}
		for i := range bare.seen {
			if withUs.seen[i] != bare.seen[i] {
				t.Errorf("%v: response %d differs:\n%s\n---\n%s", b, i, withUs.seen[i], bare.seen[i])
			}
		}
		if n := len(e.kit.Spans()); n != 12 {
			t.Errorf("%v: %d spans, want 12", b, n)
		}
	}
}

// Prompt and completion text are recorded only with content capture.
func TestContentCapture(t *testing.T) {
	for _, capture := range []bool{false, true} {
		kit := telemetrytest.New(t)
		var opts []metrics.AIOption
		if capture {
			opts = append(opts, metrics.WithContentCapture())
		}
		ai, err := metrics.NewAI(kit.Telemetry, opts...)
		if err != nil {
			t.Fatal(err)
		}
		f := newFake(t)
		c := newClient(t, f, firstParty, WithTelemetry(ai))
		callNew(context.Background(), c, firstParty, scenarioOK)
		callStream(context.Background(), c, firstParty, scenarioOK, 0)
		spans := kit.Spans()
		if len(spans) != 2 {
			t.Fatalf("%d spans", len(spans))
		}
		for i, s := range spans {
			a := aitest.SpanAttrs(s)
			in, out := a["gen_ai.input.messages"].AsString(), a["gen_ai.output.messages"].AsString()
			if !capture {
				if in != "" || out != "" {
					t.Errorf("content without capture: %q %q", in, out)
				}
				continue
			}
			wantText := []string{"Let me check.", "word 0 word 1 word 2"}[i]
			if !strings.Contains(in, "weather in Paris") || !strings.Contains(out, wantText) || !strings.Contains(out, fakeToolNam) {
				t.Errorf("span %d: input %q output %q", i, in, out)
			}
		}
	}
}

// Registered after bedrock.WithConfig, the instrumentation sees Bedrock's
// own request (/model/{id}/invoke, no model in the body): a JSON call is
// still priced in full; a stream arrives as the binary AWS event stream and
// is recorded with its usage missing. The caller's results do not change.
func TestAfterBedrockOption(t *testing.T) {
	e := newEnv(t)
	c := newClient(t, e.f, onBedrock, nil, WithTelemetry(e.ai))
	bare := newClient(t, e.f, onBedrock, nil)
	got := callNew(context.Background(), c, onBedrock, scenarioOK)
	sameOutcome(t, got, callNew(context.Background(), bare, onBedrock, scenarioOK))
	s := oneSpan(t, e.kit)
	checkUsageSpan(t, s, onBedrock)
	checkUsageMetrics(t, e, onBedrock)

	e.kit.Reset()
	gotStream := callStream(context.Background(), c, onBedrock, scenarioOK, 0)
	sameOutcome(t, gotStream, callStream(context.Background(), bare, onBedrock, scenarioOK, 0))
	s = oneSpan(t, e.kit)
	aitest.WantAttrs(t, s, map[string]any{"gen_ai.provider.name": ailabels.ProviderAWSBedrock, "gen_ai.request.model": bedrockModel,
		"gen_ai.request.stream": true, "ai.usage.missing": true, "error.type": nil})
}

// endless is a text/event-stream body of n bytes of content_block_delta
// events, made as it is read.
type endless struct {
	left  int
	event []byte
	off   int
}

func (r *endless) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:min(len(p), n+r.left)], r.event[r.off:])
		n, r.left, r.off = n+c, r.left-c, (r.off+c)%len(r.event)
	}
	return n, nil
}

func (r *endless) Close() error { return nil }

// A 100 MB stream passes through with the heap bounded: nothing of it is kept.
func TestLongStreamHeap(t *testing.T) {
	e := newEnv(t)
	in := &instrumentation{ai: e.ai, trackers: map[int]*aihttp.Tracker{}}
	c := &callState{in: in}
	body := []byte(`{"model":"` + fakeModel + `","max_tokens":64000,"stream":true,"messages":[]}`)
	req, err := http.NewRequest(http.MethodPost, "https://api.anthropic.com/v1/messages", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	start := streamEvents(fakeModel, 0)[0]
	event := []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + strings.Repeat("x", 200) + "\"}}\n\n")
	size := (100 << 20) / len(event) * len(event) // whole events (the splitter dispatches a partial last one)
	next := func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
			Body: io.NopCloser(io.MultiReader(strings.NewReader("event: "+start.name+"\ndata: "+start.data+"\n\n"), &endless{left: size, event: event}))}, nil
	}
	resp, err := c.middleware(req, next)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := resp.Body.Read(buf)
		n += int64(m)
		if err != nil {
			break
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	_ = resp.Body.Close()
	if n < int64(size) {
		t.Fatalf("read %d bytes", n)
	}
	if grow := int64(after.HeapInuse) - int64(before.HeapInuse); grow > 4<<20 {
		t.Errorf("heap grew by %d bytes over a %d-byte stream", grow, n)
	}
	s := oneSpan(t, e.kit)
	aitest.WantAttrs(t, s, map[string]any{"ai.stream.chunks": size / len(event), "ai.usage.missing": true})
}

// WithProvider names the provider of every call, whatever the URL says.
func TestWithProvider(t *testing.T) {
	e := newEnv(t)
	c := newClient(t, e.f, firstParty, WithTelemetry(e.ai, WithProvider(ailabels.ProviderGCPVertexAI)))
	if o := callNew(context.Background(), c, firstParty, scenarioOK); o.Err != "" {
		t.Fatal(o)
	}
	s := oneSpan(t, e.kit)
	aitest.WantAttrs(t, s, map[string]any{"gen_ai.provider.name": ailabels.ProviderGCPVertexAI})
	if got := metric(t, e.kit, "ai_requests_total", attribute.String("provider", ailabels.ProviderGCPVertexAI)); got != 1 {
		t.Errorf("ai_requests_total{provider=gcp.vertex_ai} = %v", got)
	}
}

// A nil *metrics.AI gives an option that records nothing and changes nothing.
func TestNilAI(t *testing.T) {
	f := newFake(t)
	c := newClient(t, f, firstParty, WithTelemetry(nil))
	bare := newClient(t, f, firstParty, nil)
	sameOutcome(t, callNew(context.Background(), c, firstParty, scenarioOK), callNew(context.Background(), bare, firstParty, scenarioOK))
	sameOutcome(t, callStream(context.Background(), c, firstParty, scenarioOK, 0), callStream(context.Background(), bare, firstParty, scenarioOK, 0))
}
