package app

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// newAgent is workflow-agent: each invoke is one model call (two for the
// planner when the model asks for its tool), made through the real
// openai-go and anthropic-sdk-go clients against the fake provider, and
// recorded by the SDK's openaitel and anthropictel options: the GenAI
// spans (children of the agent's server span), ai_requests_total,
// ai_tokens_total, ai_cost_total and, with WithSemconvHistograms, the
// streaming histograms (time to first chunk, time per output chunk).
func newAgent(s *Service, llmBase llmURLs) (http.Handler, error) {
	// WithSemconvHistograms: the gen_ai.client.* histograms, time to first
	// chunk among them (the demo prints it, the e2e suite checks it).
	ai, err := metrics.NewAI(s.Tel, metrics.WithSemconvHistograms())
	if err != nil {
		return nil, err
	}
	m := newModelClients(ai, llmBase)
	s.stop = m.close
	mux := http.NewServeMux()
	mux.HandleFunc("POST /agents/{agent}/invoke", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		log := logbridge.From(ctx)
		var run Run
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&run); err != nil {
			http.Error(w, "bad run", http.StatusBadRequest)
			return
		}
		agent := r.PathValue("agent")
		ans, err := m.invoke(ctx, agent, run)
		switch {
		case errors.Is(err, errUnknownProvider):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case rateLimited(err):
			log.WarnContext(ctx, "model call rate limited", "agent", agent, "provider", run.Provider, "model", run.Model, "error", err)
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		case err != nil:
			log.ErrorContext(ctx, "model call failed", "agent", agent, "provider", run.Provider, "model", run.Model, "error", err)
			http.Error(w, "model call failed", http.StatusBadGateway)
			return
		}
		log.InfoContext(ctx, "model call done",
			"agent", agent, "provider", run.Provider, "model", run.Model, "response_model", ans.Model,
			"input_tokens", ans.InputTokens, "output_tokens", ans.OutputTokens, "stream", ans.Stream, "tool_calls", ans.ToolCalls)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"agent": agent, "model": ans.Model, "output_tokens": ans.OutputTokens, "text": ans.Text})
	})
	return instrument(s, mux), nil
}
