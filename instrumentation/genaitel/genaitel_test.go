package genaitel_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"google.golang.org/genai"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// setup is one test's recording pipeline: the kit, the AI instruments and
// an instrumented *http.Client for genai.
type setup struct {
	kit *telemetrytest.Kit
	ai  *metrics.AI
}

func newSetup(t *testing.T, aiOpts ...metrics.AIOption) *setup {
	t.Helper()
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry, aiOpts...)
	if err != nil {
		t.Fatal(err)
	}
	return &setup{kit: kit, ai: ai}
}

// client returns an instrumented client with its own transport (so that
// idle connections are closed when the test ends).
func (s *setup) client(t *testing.T, opts ...genaitel.Option) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	return genaitel.WrapClient(&http.Client{Transport: base}, s.ai, opts...)
}

// bare returns an uninstrumented client.
func bare(t *testing.T) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{Transport: base}
}

// value reads one metric series (0 when absent).
func (s *setup) value(t *testing.T, name string, kv ...attribute.KeyValue) float64 {
	t.Helper()
	v, err := s.kit.Value(name, kv...)
	if err != nil {
		return 0
	}
	return v
}

func (s *setup) sum(name string) float64 {
	v, _ := s.kit.Sum(name)
	return v
}

// Usage of the fake's answers: promptTokenCount 1200 of which 1000 cached,
// candidatesTokenCount 300, thoughtsTokenCount 50.
// gemini-2.5-flash costs $0.30 per million input tokens, $0.03 cached and
// $2.50 output (reasoning included): 200 x 0.30 + 1000 x 0.03 + 350 x 2.50
// per million = $0.000965.
const fakeCost = 0.000965

// checkUsageSpan checks the span of a call answered with the fake's usage.
func checkUsageSpan(t *testing.T, sp tracetest.SpanStub) {
	t.Helper()
	aitest.WantAttrs(t, sp, map[attribute.Key]any{
		"gen_ai.response.model":                "gemini-2.5-flash",
		"gen_ai.response.finish_reasons":       []string{"STOP"},
		"gen_ai.usage.input_tokens":            1200,
		"gen_ai.usage.output_tokens":           350,
		"gen_ai.usage.cache_read.input_tokens": 1000,
		"gen_ai.usage.reasoning.output_tokens": 50,
	})
}

func checkUsageMetrics(t *testing.T, s *setup, provider string) {
	t.Helper()
	model := attribute.String("model", "gemini-2.5-flash")
	if got := s.value(t, "ai_requests_total", model, attribute.String("provider", provider), attribute.String("outcome", "ok")); got != 1 {
		t.Errorf("ai_requests_total{provider=%s,outcome=ok} = %v, want 1", provider, got)
	}
	for typ, want := range map[string]float64{"input": 1200, "cache_read": 1000, "output": 350, "reasoning": 50} {
		if got := s.value(t, "ai_tokens_total", model, attribute.String("token_type", typ)); got != want {
			t.Errorf("ai_tokens_total{token_type=%s} = %v, want %v", typ, got, want)
		}
	}
	if got := s.value(t, "ai_cost_total", model); math.Abs(got-fakeCost) > 1e-12 {
		t.Errorf("ai_cost_total = %v, want %v", got, fakeCost)
	}
}

func TestMain(m *testing.M) { goleakMain(m) }

// spanBasics checks name, kind and the request attributes.
func spanBasics(t *testing.T, sp tracetest.SpanStub, op, provider string) {
	t.Helper()
	if want := op + " gemini-2.5-flash"; sp.Name != want || sp.SpanKind != trace.SpanKindClient {
		t.Errorf("span %q kind %v, want %q client", sp.Name, sp.SpanKind, want)
	}
	aitest.WantAttrs(t, sp, map[attribute.Key]any{
		"gen_ai.operation.name": op,
		"gen_ai.provider.name":  provider,
		"gen_ai.request.model":  "gemini-2.5-flash",
		"server.address":        "127.0.0.1",
	})
}

func providerOf(vertex bool) string {
	if vertex {
		return ailabels.ProviderGCPVertexAI
	}
	return ailabels.ProviderGCPGemini
}

func backendName(vertex bool) string {
	if vertex {
		return "vertex"
	}
	return "gemini"
}

func TestGenerateContent(t *testing.T) {
	for _, vertex := range []bool{false, true} {
		t.Run(backendName(vertex), func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			want := generate(context.Background(), newGenai(t, f, bare(t), vertex, 0))
			got := generate(context.Background(), newGenai(t, f, s.client(t), vertex, 0))
			sameResults(t, got, want)

			sp := aitest.WaitSpans(t, s.kit, 1)[0]
			provider := providerOf(vertex)
			spanBasics(t, sp, "generate_content", provider)
			if sp.Status.Code == codes.Error {
				t.Errorf("status %v", sp.Status)
			}
			aitest.WantAttrs(t, sp, map[attribute.Key]any{
				"gen_ai.request.max_tokens":                256,
				"gen_ai.request.temperature":               0.5,
				"gen_ai.response.id":                       "resp-json-1",
				"ai.response.tool_calls":                   []string{"get_weather"},
				"ai.response.tool_call_ids":                []string{"call-1"},
				"ai.request.attempts":                      1,
				"ai.pricing.price_list":                    provider,
				"ai.cost.usd":                              fakeCost,
				"error.type":                               nil,
				"ai.usage.missing":                         nil,
				"gen_ai.usage.cache_creation.input_tokens": nil,
			})
			checkUsageSpan(t, sp)
			checkUsageMetrics(t, s, provider)
		})
	}
}

func TestStream(t *testing.T) {
	for _, vertex := range []bool{false, true} {
		t.Run(backendName(vertex), func(t *testing.T) {
			s := newSetup(t, metrics.WithSemconvHistograms())
			f := newFake(t)
			f.chunks = 20
			f.crlf = !vertex // both line ends
			want := stream(context.Background(), newGenai(t, f, bare(t), vertex, 0), 0, nil)
			got := stream(context.Background(), newGenai(t, f, s.client(t), vertex, 0), 0, nil)
			sameResults(t, got, want)
			if len(got) != 21 {
				t.Fatalf("%d chunks, want 21", len(got))
			}

			sp := aitest.WaitSpans(t, s.kit, 1)[0]
			provider := providerOf(vertex)
			spanBasics(t, sp, "generate_content", provider)
			aitest.WantAttrs(t, sp, map[attribute.Key]any{
				"gen_ai.request.stream": true,
				"gen_ai.response.id":    "resp-sse-1",
				"ai.stream.chunks":      21,
				"ai.stream.end":         "eof",
				"ai.request.attempts":   1,
				"ai.pricing.price_list": provider,
				"error.type":            nil,
			})
			if _, ok := aitest.SpanAttrs(sp)["gen_ai.response.time_to_first_chunk"]; !ok {
				t.Error("no gen_ai.response.time_to_first_chunk")
			}
			checkUsageSpan(t, sp)
			checkUsageMetrics(t, s, provider)
			if n := s.sum("gen_ai.client.operation.time_per_output_chunk"); n != 20 {
				t.Errorf("time_per_output_chunk observations = %v, want 20", n)
			}
			if n := s.sum("gen_ai.client.operation.time_to_first_chunk"); n != 1 {
				t.Errorf("time_to_first_chunk observations = %v, want 1", n)
			}
		})
	}
}

// TestStreamLastEventWithoutBlankLine: genai reads data lines as they
// come, so a last chunk that the stream's end cuts from its blank line
// reaches the caller, and its usage is recorded.
func TestStreamLastEventWithoutBlankLine(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.chunks = 3
	f.noFinalBlank = true
	want := stream(context.Background(), newGenai(t, f, bare(t), false, 0), 0, nil)
	got := stream(context.Background(), newGenai(t, f, s.client(t), false, 0), 0, nil)
	sameResults(t, got, want)
	if len(got) != 4 {
		t.Fatalf("%d chunks, want 4 (the last one without its blank line included)", len(got))
	}
	aitest.WantAttrs(t, aitest.WaitSpans(t, s.kit, 1)[0], map[attribute.Key]any{
		"gen_ai.usage.input_tokens":  1200,
		"gen_ai.usage.output_tokens": 350,
		"ai.stream.chunks":           4,
	})
}

func TestSlowFirstToken(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.firstDelay = 60 * time.Millisecond
	stream(context.Background(), newGenai(t, f, s.client(t), false, 0), 0, nil)
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	v, ok := aitest.SpanAttrs(sp)["gen_ai.response.time_to_first_chunk"]
	if !ok || v.AsFloat64() < 0.06 {
		t.Errorf("time to first chunk %v, want at least 0.06 s", v.String())
	}
}

func TestRetryThenSuccess(t *testing.T) {
	for _, vertex := range []bool{false, true} {
		t.Run(backendName(vertex), func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			f.failFirst.Store(1)
			want := generate(context.Background(), newGenai(t, f, bare(t), vertex, 2))
			f.failFirst.Store(1)
			got := generate(context.Background(), newGenai(t, f, s.client(t, genaitel.WithMaxRetries(2)), vertex, 2))
			sameResults(t, got, want)
			if n := len(f.reqs()); n != 4 {
				t.Fatalf("%d requests, want 4 (two calls of two attempts)", n)
			}

			sp := aitest.WaitSpans(t, s.kit, 1)[0]
			provider := providerOf(vertex)
			spanBasics(t, sp, "generate_content", provider)
			aitest.WantAttrs(t, sp, map[attribute.Key]any{
				"ai.request.attempts":       2,
				"http.request.resend_count": 1,
				"gen_ai.response.id":        "resp-json-1",
				"error.type":                nil,
			})
			ev := aitest.AttemptEvent(t, sp)
			// genai closes a body it retries unread: the status is the type.
			if ev["http.response.status_code"].AsInt64() != 429 || ev["error.type"].AsString() != "429" ||
				ev["http.request.resend_count"].AsInt64() != 0 {
				t.Errorf("attempt event %v", sp.Events[0].Attributes)
			}
			checkUsageMetrics(t, s, provider)
			if got := s.value(t, "ai_requests_total", attribute.String("outcome", "error")); got != 0 {
				t.Errorf("ai_requests_total{outcome=error} = %v, want 0", got)
			}
		})
	}
}

// TestRetriesWithOptions reads the retry budget from genai's own options.
func TestRetriesWithOptions(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.failFirst.Store(3)
	f.failStatus = http.StatusServiceUnavailable
	opts := retryOptions(2)
	got := generate(context.Background(), newGenai(t, f, s.client(t, genaitel.WithRetryOptions(opts)), false, 2))
	if !strings.Contains(got[0], "Error 503") {
		t.Fatalf("got %v, want the third 503", got)
	}
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{
		"ai.request.attempts":       3,
		"http.request.resend_count": 2,
		"error.type":                "UNAVAILABLE",
		"ai.usage.missing":          true,
	})
	if len(sp.Events) != 3 {
		t.Errorf("%d attempt events, want 3", len(sp.Events))
	}
	if got := s.value(t, "ai_requests_total", attribute.String("outcome", "error"), attribute.String("provider", ailabels.ProviderGCPGemini)); got != 1 {
		t.Errorf("ai_requests_total{outcome=error} = %v, want 1", got)
	}
}

func TestServerError(t *testing.T) {
	for _, retries := range []int{0, 2} {
		t.Run(strings.Repeat("retries", min(retries, 1)), func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			f.failStatus = http.StatusInternalServerError
			// genai retries 500 when it retries: fail every attempt.
			f.failFirst.Store(int32(retries + 1))
			want := generate(context.Background(), newGenai(t, f, bare(t), false, retries))
			f.failFirst.Store(int32(retries + 1))
			start := time.Now()
			got := generate(context.Background(), newGenai(t, f, s.client(t, genaitel.WithMaxRetries(retries)), false, retries))
			sameResults(t, got, want)
			if !strings.Contains(got[0], "Error 500") {
				t.Fatalf("got %v", got)
			}
			sp := aitest.WaitSpans(t, s.kit, 1)[0]
			if time.Since(start) > 5*time.Second {
				t.Errorf("the failed call was recorded after %v", time.Since(start))
			}
			spanBasics(t, sp, "generate_content", ailabels.ProviderGCPGemini)
			if sp.Status.Code != codes.Error {
				t.Errorf("status %v, want error", sp.Status)
			}
			aitest.WantAttrs(t, sp, map[attribute.Key]any{
				"error.type":          "INTERNAL",
				"ai.request.attempts": retries + 1,
				"ai.usage.missing":    true,
			})
			if got := s.value(t, "ai_requests_total", attribute.String("outcome", "error"), attribute.String("provider", ailabels.ProviderGCPGemini)); got != 1 {
				t.Errorf("ai_requests_total{outcome=error} = %v, want 1", got)
			}
			if got := s.sum("ai_tokens_total"); got != 0 {
				t.Errorf("ai_tokens_total = %v, want none", got)
			}
		})
	}
}

// TestNotRetriedStatus: a status that genai does not retry (a 501, which
// the Stainless clients would) is recorded at once, even with retries on,
// and the caller's headers are as the server sent them.
func TestNotRetriedStatus(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusNotImplemented} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			f.failStatus = status
			f.failFirst.Store(1)
			want := generate(context.Background(), newGenai(t, f, bare(t), false, 3))
			f.failFirst.Store(1)
			start := time.Now()
			got := generate(context.Background(), newGenai(t, f, s.client(t, genaitel.WithMaxRetries(3)), false, 3))
			sameResults(t, got, want)
			sp := aitest.WaitSpans(t, s.kit, 1)[0]
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("recorded after %v", d)
			}
			want400 := map[int]string{400: "INVALID_ARGUMENT", 501: "UNIMPLEMENTED"}[status]
			aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": want400, "ai.request.attempts": 1})
		})
	}
}

func TestStreamCancel(t *testing.T) {
	s := newSetup(t)
	run := func(hc func(*fake) *http.Client) ([]string, *fake) {
		f := newFake(t)
		f.streamMode = "hang"
		f.chunks = 6
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		return stream(ctx, newGenai(t, f, hc(f), false, 0), 3, cancel), f
	}
	want, _ := run(func(*fake) *http.Client { return bare(t) })
	got, f := run(func(*fake) *http.Client { return s.client(t) })
	sameResults(t, got, want)
	if len(got) != 4 || !strings.HasSuffix(got[3], "error: context canceled") {
		t.Fatalf("got %q", got)
	}
	<-f.gone // the server saw the client go
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{
		"error.type":                     "canceled",
		"gen_ai.response.finish_reasons": []string{"error"},
		"ai.stream.chunks":               3,
		// The last chunk read had a running total: what was used so far.
		"gen_ai.usage.input_tokens":  1200,
		"gen_ai.usage.output_tokens": 3,
	})
	if got := s.value(t, "ai_requests_total", attribute.String("outcome", "error")); got != 1 {
		t.Errorf("ai_requests_total{outcome=error} = %v, want 1", got)
	}
}

// TestStreamBreak: a caller that stops ranging over the stream closes it.
func TestStreamBreak(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.streamMode = "hang"
	f.chunks = 6
	c := newGenai(t, f, s.client(t), false, 0)
	for range c.Models.GenerateContentStream(context.Background(), "gemini-2.5-flash", nil, nil) {
		break
	}
	<-f.gone
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": "canceled", "ai.stream.end": "close"})
	// genai's reader may have read past the chunk the caller saw, up to the
	// three the fake sent.
	if n := aitest.SpanAttrs(sp)["ai.stream.chunks"].AsInt64(); n < 1 || n > 3 {
		t.Errorf("ai.stream.chunks = %d, want 1 to 3", n)
	}
}

// TestStreamEnds: streams that end otherwise than after their last
// chunk. The caller sees what the bare client sees, and the call is
// recorded as the end says.
func TestStreamEnds(t *testing.T) {
	for _, tc := range []struct {
		mode string
		// saw checks what the caller saw, when not nil.
		saw   func(t *testing.T, got []string)
		attrs map[attribute.Key]any
		// outcome is the one call's ai_requests_total outcome; sums are
		// metrics added up over every series.
		outcome string
		sums    map[string]float64
	}{
		{
			mode: "cut",
			attrs: map[attribute.Key]any{
				"error.type":    "incomplete_response",
				"ai.stream.end": "error",
			},
			outcome: "error",
		},
		{
			mode: "malformed",
			saw: func(t *testing.T, got []string) {
				if len(got) != 2 || !strings.Contains(got[1], "error unmarshalling") {
					t.Fatalf("got %q, want a chunk and genai's error for the malformed event", got)
				}
			},
			// genai ends the stream there: recorded as failed, malformed,
			// with the usage of the chunk before.
			attrs: map[attribute.Key]any{
				"error.type":                     "malformed_response",
				"gen_ai.usage.input_tokens":      1200,
				"gen_ai.usage.output_tokens":     1,
				"gen_ai.response.finish_reasons": []string{"error"},
				"ai.stream.chunks":               1,
				"ai.stream.end":                  "close",
			},
			outcome: "error",
		},
		{
			mode:    "error-event",
			attrs:   map[attribute.Key]any{"error.type": "UNAVAILABLE", "ai.stream.chunks": 1},
			outcome: "error",
		},
		{
			mode: "empty",
			saw: func(t *testing.T, got []string) {
				if len(got) != 0 {
					t.Fatalf("got %q, want nothing", got)
				}
			},
			attrs: map[attribute.Key]any{
				"ai.usage.missing":          true,
				"gen_ai.usage.input_tokens": nil,
				"error.type":                nil,
				"ai.stream.end":             "eof",
			},
			outcome: "ok",
			// The usage is missing, not zero.
			sums: map[string]float64{"ai_tokens_total": 0, "ai_usage_missing_total": 1},
		},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			f.streamMode = tc.mode
			f.chunks = 6 // a cut stream sends half of them
			want := stream(context.Background(), newGenai(t, f, bare(t), false, 0), 0, nil)
			got := stream(context.Background(), newGenai(t, f, s.client(t), false, 0), 0, nil)
			sameResults(t, got, want)
			if tc.saw != nil {
				tc.saw(t, got)
			}
			aitest.WantAttrs(t, aitest.WaitSpans(t, s.kit, 1)[0], tc.attrs)
			if got := s.value(t, "ai_requests_total", attribute.String("outcome", tc.outcome)); got != 1 {
				t.Errorf("ai_requests_total{outcome=%s} = %v, want 1", tc.outcome, got)
			}
			for name, want := range tc.sums {
				if got := s.sum(name); got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
		})
	}
}

// TestMalformedBody: a generateContent body that is not JSON fails the
// genai call, and the recorded one.
func TestMalformedBody(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.jsonMalformed = true
	want := generate(context.Background(), newGenai(t, f, bare(t), false, 0))
	got := generate(context.Background(), newGenai(t, f, s.client(t), false, 0))
	sameResults(t, got, want)
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": "malformed_response", "ai.usage.missing": true})
}

func TestEmbedContent(t *testing.T) {
	for _, tc := range []struct {
		backend string
		model   string
		attrs   map[attribute.Key]any
		// metric{series} is the one point the call adds to, want its value.
		metric string
		series []attribute.KeyValue
		want   float64
	}{
		{
			backend: "gemini",
			model:   "gemini-embedding-001",
			// batchEmbedContents reports no usage.
			attrs:  map[attribute.Key]any{"ai.usage.missing": true, "gen_ai.provider.name": ailabels.ProviderGCPGemini, "error.type": nil},
			metric: "ai_requests_total",
			series: []attribute.KeyValue{attribute.String("outcome", "ok"), attribute.String("model", "gemini-embedding")},
			want:   1,
		},
		{
			backend: "vertex",
			model:   "text-embedding-005",
			// :predict's statistics.token_count, 5 + 4.
			attrs:  map[attribute.Key]any{"gen_ai.usage.input_tokens": 9, "gen_ai.provider.name": ailabels.ProviderGCPVertexAI, "ai.usage.missing": nil},
			metric: "ai_tokens_total",
			series: []attribute.KeyValue{attribute.String("token_type", "input")},
			want:   9,
		},
	} {
		t.Run(tc.backend, func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			vertex := tc.backend == "vertex"
			want := embed(context.Background(), newGenai(t, f, bare(t), vertex, 0), tc.model)
			got := embed(context.Background(), newGenai(t, f, s.client(t), vertex, 0), tc.model)
			sameResults(t, got, want)
			sp := aitest.WaitSpans(t, s.kit, 1)[0]
			if sp.Name != "embeddings "+tc.model {
				t.Errorf("span %q", sp.Name)
			}
			aitest.WantAttrs(t, sp, tc.attrs)
			if got := s.value(t, tc.metric, tc.series...); got != tc.want {
				t.Errorf("%s%v = %v, want %v", tc.metric, tc.series, got, tc.want)
			}
		})
	}
}

// TestPassThrough: calls the package does not record go through alone.
func TestPassThrough(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	c := newGenai(t, f, s.client(t), false, 0)
	_, err := c.Models.CountTokens(context.Background(), "gemini-2.5-flash", nil, nil)
	if err == nil {
		t.Fatal("the fake answers countTokens with 404")
	}
	s.kit.Flush()
	if n := len(s.kit.Spans()); n != 0 {
		t.Errorf("%d spans for countTokens", n)
	}
}

// TestContentCapture: prompt and completion only with the AI's opt-in.
func TestContentCapture(t *testing.T) {
	s := newSetup(t, metrics.WithContentCapture())
	f := newFake(t)
	generate(context.Background(), newGenai(t, f, s.client(t), false, 0))
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	a := aitest.SpanAttrs(sp)
	if in := a["gen_ai.input.messages"].AsString(); !strings.Contains(in, "What is the weather in Paris?") {
		t.Errorf("input messages %q", in)
	}
	if out := a["gen_ai.output.messages"].AsString(); !strings.Contains(out, "It is sunny.") {
		t.Errorf("output messages %q", out)
	}

	s = newSetup(t)
	generate(context.Background(), newGenai(t, f, s.client(t), false, 0))
	aitest.WantAttrs(t, aitest.WaitSpans(t, s.kit, 1)[0], map[attribute.Key]any{"gen_ai.input.messages": nil, "gen_ai.output.messages": nil})
}

// TestNilAI: without instruments the transport passes everything through.
func TestNilAI(t *testing.T) {
	f := newFake(t)
	hc := genaitel.WrapClient(bare(t), nil)
	if got := generate(context.Background(), newGenai(t, f, hc, false, 0)); !strings.Contains(got[0], "resp-json-1") {
		t.Errorf("got %v", got)
	}
}

// TestParentSpan: the GenAI span is a child of the caller's span.
func TestParentSpan(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	ctx, parent := s.kit.Telemetry.TracerProvider().Tracer("test").Start(context.Background(), "handler")
	generate(ctx, newGenai(t, f, s.client(t), false, 0))
	parent.End()
	spans := aitest.WaitSpans(t, s.kit, 2)
	for _, sp := range spans {
		if sp.Name == "generate_content gemini-2.5-flash" && sp.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("parent %v, want %v", sp.Parent.SpanID(), parent.SpanContext().SpanID())
		}
	}
}

// TestCustomRetryStatus: a status genai retries only because the options
// say so (400 here) still makes one span of two attempts.
func TestCustomRetryStatus(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.failStatus = http.StatusBadRequest
	f.failFirst.Store(1)
	opts := retryOptions(1)
	opts.HTTPStatusCodes = []int32{400}
	cfgClient := s.client(t, genaitel.WithRetryOptions(opts))
	c := newGeminiAPI(t, cfgClient, genai.HTTPOptions{BaseURL: f.URL, RetryOptions: opts})
	if got := generate(context.Background(), c); !strings.Contains(got[0], "resp-json-1") {
		t.Fatalf("got %v", got)
	}
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"ai.request.attempts": 2, "error.type": nil})
}

func TestVertexEmbedContent(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	want := embed(context.Background(), newGenai(t, f, bare(t), true, 0), "gemini-embedding-2")
	got := embed(context.Background(), newGenai(t, f, s.client(t), true, 0), "gemini-embedding-2")
	sameResults(t, got, want)
	if r := f.reqs(); !strings.HasSuffix(r[len(r)-1].Path, "/publishers/google/models/gemini-embedding-2:embedContent") {
		t.Fatalf("path %s", r[len(r)-1].Path)
	}
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"gen_ai.usage.input_tokens": 8, "gen_ai.provider.name": ailabels.ProviderGCPVertexAI,
		"gen_ai.operation.name": "embeddings", "ai.usage.missing": nil})
}

// TestTimeout: genai's HTTPOptions.Timeout ends a stream that stalls
// after its first chunk: error.type timeout.
func TestTimeout(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.streamMode = "hang"
	f.chunks = 2
	timeout := 200 * time.Millisecond
	c := newGeminiAPI(t, s.client(t), genai.HTTPOptions{BaseURL: f.URL, Timeout: &timeout})
	got := stream(context.Background(), c, 0, nil)
	if len(got) != 2 || !strings.Contains(got[1], "deadline exceeded") {
		t.Fatalf("got %q", got)
	}
	<-f.gone
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": "timeout", "ai.stream.chunks": 1, "gen_ai.response.finish_reasons": []string{"error"}})
}

// TestTimeoutBeforeResponse: a deadline that passes while the request
// waits for its response is one failed call, not retried.
func TestTimeoutBeforeResponse(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.jsonDelay = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	got := generate(ctx, newGenai(t, f, s.client(t, genaitel.WithMaxRetries(2)), false, 2))
	if !strings.Contains(got[0], "deadline exceeded") {
		t.Fatalf("got %q", got)
	}
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": "timeout", "ai.request.attempts": 1, "ai.usage.missing": true})
}

// TestConnectionRefused: no server at all.
func TestConnectionRefused(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	url := f.URL
	f.Close()
	c := newGeminiAPI(t, s.client(t), genai.HTTPOptions{BaseURL: url})
	if _, err := c.Models.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("hi"), nil); err == nil {
		t.Fatal("no error")
	}
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": "connection_error", "ai.usage.missing": true})
}

// TestConcurrentRetries: calls retried side by side keep their attempts
// apart: one span per call, every request counted once.
func TestConcurrentRetries(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.failFirst.Store(4)
	c := newGenai(t, f, s.client(t, genaitel.WithMaxRetries(4)), false, 4)
	const calls = 8
	errs := make(chan string, calls)
	for range calls {
		go func() { errs <- generate(context.Background(), c)[0] }()
	}
	for range calls {
		if e := <-errs; !strings.Contains(e, "resp-json-1") {
			t.Errorf("call failed: %s", e)
		}
	}
	spans := aitest.WaitSpans(t, s.kit, calls)
	attempts := 0
	for _, sp := range spans {
		attempts += int(aitest.SpanAttrs(sp)["ai.request.attempts"].AsInt64())
		aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": nil})
	}
	if n := len(f.reqs()); attempts != n || n != calls+4 {
		t.Errorf("%d attempts on the spans, %d requests, want %d", attempts, n, calls+4)
	}
	if got := s.value(t, "ai_requests_total", attribute.String("outcome", "ok")); got != calls {
		t.Errorf("ai_requests_total{outcome=ok} = %v, want %d", got, calls)
	}
}

// TestStreamContentCapture: the completion of a stream is its text parts.
func TestStreamContentCapture(t *testing.T) {
	s := newSetup(t, metrics.WithContentCapture())
	f := newFake(t)
	f.chunks = 2
	stream(context.Background(), newGenai(t, f, s.client(t), false, 0), 0, nil)
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	if out := aitest.SpanAttrs(sp)["gen_ai.output.messages"].AsString(); !strings.Contains(out, `word 0, \"quoted\" {x}word 1`) {
		t.Errorf("output messages %s", out)
	}
}

// TestTimeoutBeforeFirstChunk: the deadline passes while a stream's first
// chunk is late (the headers came at once).
func TestTimeoutBeforeFirstChunk(t *testing.T) {
	s := newSetup(t)
	f := newFake(t)
	f.firstDelay = 5 * time.Second
	timeout := 100 * time.Millisecond
	c := newGeminiAPI(t, s.client(t), genai.HTTPOptions{BaseURL: f.URL, Timeout: &timeout})
	got := stream(context.Background(), c, 0, nil)
	if len(got) != 1 || !strings.Contains(got[0], "deadline exceeded") {
		t.Fatalf("got %q", got)
	}
	sp := aitest.WaitSpans(t, s.kit, 1)[0]
	aitest.WantAttrs(t, sp, map[attribute.Key]any{"error.type": "timeout", "ai.usage.missing": true, "ai.stream.chunks": nil})
}
