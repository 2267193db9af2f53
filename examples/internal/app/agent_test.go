package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/examples/internal/fakellm"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// startChain runs the three services on in-memory pipelines, with a fast
// fake provider.
func startChain(t *testing.T, llm fakellm.Config) (*Chain, map[string]*telemetrytest.Kit) {
	t.Helper()
	ctx := context.Background()
	kits := map[string]*telemetrytest.Kit{}
	chain, err := Start(ctx, Config{LLM: &llm, NewTelemetry: func(ctx context.Context, service string) (*telemetry.Telemetry, error) {
		k := telemetrytest.New(t, telemetry.WithService(service))
		kits[service] = k
		return k.Telemetry, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := chain.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return chain, kits
}

// post sends one run through the gateway as the internal workload does,
// in the trace traceID, and returns the status.
func post(t *testing.T, chain *Chain, run Run, traceID string) int {
	t.Helper()
	b, _ := json.Marshal(run)
	req, _ := http.NewRequest(http.MethodPost, chain.Gateway.URL+"/v1/workflows/summarize/runs", bytes.NewReader(b))
	req.Header.Set(InternalTokenHeader, chain.internalToken)
	req.Header.Set("traceparent", "00-"+traceID+"-b7ad6b7169203331-01")
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

// TestAgentCallsModels: each run makes the planner's and the writer's
// model calls through the real clients; each call is one GenAI span under
// the agent's server span in the gateway's trace, with the gen_ai.*
// attributes and its cost, and the ai_* series are there for both
// providers.
func TestAgentCallsModels(t *testing.T) {
	chain, kits := startChain(t, fakellm.Config{FirstToken: time.Millisecond, FirstTokenJitter: time.Millisecond, ChunkInterval: 100 * time.Microsecond, RateLimitEvery: 3})
	var runs []Run
	for _, user := range []string{"u1", "u2", "u3"} {
		for _, m := range models {
			runs = append(runs, Run{UserID: user, Provider: m.Provider, Model: m.Model, Prompt: "Summarise the quarterly report"})
		}
	}
	traces := map[string]Run{}
	for i, run := range runs {
		id := fmt.Sprintf("%032x", i+1)
		traces[id] = run
		if got := post(t, chain, run, id); got != http.StatusOK {
			t.Fatalf("%s %s: status %d", run.Provider, run.Model, got)
		}
	}

	spans := kits[Agent].Spans()
	byID := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID().String()] = s
	}
	calls, tools, embeds, retried, streamed := 0, 0, 0, 0, 0
	for _, s := range spans {
		a := attrs(s)
		switch {
		case strings.HasPrefix(s.Name, "chat "):
			calls++
			run, ok := traces[s.SpanContext.TraceID().String()]
			if !ok {
				t.Errorf("span %q in trace %s, which no run started", s.Name, s.SpanContext.TraceID())
				continue
			}
			parent := byID[s.Parent.SpanID().String()]
			if parent.Name != "POST /agents/{agent}/invoke" {
				t.Errorf("%q's parent is %q; want the agent's server span", s.Name, parent.Name)
			}
			if s.Name != "chat "+run.Model || a[ailabels.GenAIProviderNameKey].AsString() != run.Provider ||
				a[ailabels.GenAIRequestModelKey].AsString() != run.Model || a[ailabels.GenAIResponseModelKey].AsString() == "" ||
				a[ailabels.GenAIResponseIDKey].AsString() == "" || a[ailabels.GenAIUsageInputTokensKey].AsInt64() < 800 ||
				a[ailabels.GenAIUsageOutputTokensKey].AsInt64() == 0 || a[ailabels.CostUSDKey].AsFloat64() <= 0 {
				t.Errorf("span %q: %v", s.Name, s.Attributes)
			}
			if a["ai.request.attempts"].AsInt64() == 2 {
				retried++
			}
			if a[ailabels.GenAIRequestStreamKey].AsBool() {
				streamed++
				if a[ailabels.GenAIResponseTimeToFirstChunkKey].AsFloat64() <= 0 {
					t.Errorf("stream span %q without time to first chunk: %v", s.Name, s.Attributes)
				}
			}
		case s.Name == "embeddings "+embeddingModel:
			embeds++
			if byID[s.Parent.SpanID().String()].Name != "execute_tool "+toolSearch || a[ailabels.GenAIUsageInputTokensKey].AsInt64() == 0 {
				t.Errorf("embeddings span under %q: %v", byID[s.Parent.SpanID().String()].Name, s.Attributes)
			}
			if a["ai.request.attempts"].AsInt64() == 2 {
				retried++
			}
		case s.Name == "execute_tool "+toolSearch:
			tools++
			if byID[s.Parent.SpanID().String()].Name != "POST /agents/{agent}/invoke" {
				t.Errorf("tool span's parent is %q", byID[s.Parent.SpanID().String()].Name)
			}
		}
	}
	// Per run: planner (tool call, the tool's embedding, then the answer)
	// and writer.
	if calls != 3*len(runs) || tools != len(runs) || embeds != len(runs) || streamed != len(runs) {
		t.Errorf("%d chat spans, %d tool spans, %d embeddings, %d streams for %d runs; want 3, 1, 1 and 1 per run", calls, tools, embeds, streamed, len(runs))
	}
	if st := chain.LLM.Stats(); retried == 0 || int64(retried) != st.RateLimited {
		t.Errorf("%d spans with two attempts; the provider rate limited %d first attempts", retried, st.RateLimited)
	}

	k := kits[Agent]
	perProvider := map[string]int{}
	for _, run := range runs {
		perProvider[run.Provider] += 3
		perProvider["openai"]++ // the tool's embedding
	}
	for p, want := range perProvider {
		if n, _ := k.Sum(metrics.AIRequestsName, attribute.String("provider", p)); int(n) != want {
			t.Errorf("ai_requests_total{provider=%s} = %v; want %d", p, n, want)
		}
	}
	tokens := map[string]float64{}
	for _, run := range runs {
		label, err := ailabels.NormalizeModel(run.Model) // gpt-4o-2024-08-06 is gpt-4o
		if err != nil {
			t.Fatal(err)
		}
		model := attribute.String("model", label)
		if c, _ := k.Sum(metrics.AICostName, model); c <= 0 {
			t.Errorf("ai_cost_total{model=%s} = %v", run.Model, c)
		}
		for _, tt := range []string{"input", "output", "cache_read", "cache_write", "reasoning"} {
			n, _ := k.Sum(metrics.AITokensName, model, attribute.String("token_type", tt))
			tokens[tt] += n
		}
	}
	for tt, n := range tokens {
		if n <= 0 {
			t.Errorf("ai_tokens_total{token_type=%s} = %v over the runs' models", tt, n)
		}
	}
	if n, _ := k.Sum(metrics.GenAITimeToFirstChunkName); int(n) != len(runs) {
		t.Errorf("%s has %v observations; want one per stream (%d)", metrics.GenAITimeToFirstChunkName, n, len(runs))
	}
}

// TestAgentFaults: the provider's failures reach the caller as before the
// real clients: a 429 after the client's retries is the engine's 503, a
// 500 a 502, and each is one failed GenAI span with error.type.
func TestAgentFaults(t *testing.T) {
	chain, kits := startChain(t, fakellm.Config{FirstToken: time.Millisecond, FirstTokenJitter: time.Millisecond, RetryAfter: time.Millisecond})
	for _, tc := range []struct {
		provider, model string
		fault           string
		status          int
		errType         string
	}{
		{"anthropic", "claude-3-5-haiku", "rate_limited", http.StatusServiceUnavailable, "rate_limit_error"},
		{"anthropic", "claude-3-5-haiku", "agent_error", http.StatusBadGateway, "api_error"},
		{"openai", "gpt-4o-mini", "rate_limited", http.StatusServiceUnavailable, "rate_limit_exceeded"},
		{"openai", "gpt-4o-mini", "agent_error", http.StatusBadGateway, "server_error"},
	} {
		kits[Agent].Reset()
		run := Run{UserID: "u1", Provider: tc.provider, Model: tc.model, Fault: tc.fault}
		if got := post(t, chain, run, "0af7651916cd43dd8448eb211c80319c"); got != tc.status {
			t.Errorf("%s: status %d; want %d", tc.fault, got, tc.status)
		}
		var chat []tracetest.SpanStub
		for _, s := range kits[Agent].Spans() {
			if strings.HasPrefix(s.Name, "chat ") {
				chat = append(chat, s)
			}
		}
		// The engine stops at the planner's failure: one call, three
		// attempts.
		if len(chat) != 1 {
			t.Fatalf("%s: %d chat spans; want 1", tc.fault, len(chat))
		}
		a := attrs(chat[0])
		if a[ailabels.ErrorTypeKey].AsString() != tc.errType || a["ai.request.attempts"].AsInt64() != 3 {
			t.Errorf("%s %s: span %v", tc.provider, tc.fault, chat[0].Attributes)
		}
	}
}
