package app

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// errProvider is what the simulated provider returns for the agent_error
// fault.
var errProvider = errors.New("provider returned 500: upstream overloaded")

// errRateLimited is the simulated provider's 429.
var errRateLimited = errors.New("provider returned 429: rate limited")

func newAgent(s *Service) (http.Handler, error) {
	ai, err := metrics.NewAI(s.Tel)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /agents/{agent}/invoke", func(w http.ResponseWriter, r *http.Request) {
		log := logbridge.From(r.Context())
		var run Run
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&run); err != nil {
			http.Error(w, "bad run", http.StatusBadRequest)
			return
		}
		agent := r.PathValue("agent")
		ctx, call := ai.Start(r.Context(), ailabels.Request{Operation: "chat", Provider: run.Provider, Model: run.Model, MaxTokens: 1024})
		usage, err := simulateModelCall(ctx, run, agent)
		cost, recErr := call.End(usage, err)
		if recErr != nil {
			log.WarnContext(ctx, "AI usage not recorded", "error", recErr)
		}
		switch {
		case errors.Is(err, errRateLimited):
			log.WarnContext(ctx, "model call rate limited", "provider", run.Provider, "model", run.Model, "cost_usd", cost.USD)
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		case err != nil:
			log.ErrorContext(ctx, "model call failed", "provider", run.Provider, "model", run.Model, "error", err, "cost_usd", cost.USD)
			http.Error(w, "model call failed", http.StatusBadGateway)
			return
		}
		log.InfoContext(ctx, "model call done",
			"agent", agent, "provider", run.Provider, "model", run.Model,
			"input_tokens", usage.InputTokens, "output_tokens", usage.OutputTokens,
			"cost_usd", cost.USD, "priced", cost.Priced)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"agent": agent, "model": usage.Model, "output_tokens": usage.OutputTokens, "cost_usd": cost.USD})
	})
	return instrument(s, mux), nil
}

// simulateModelCall stands in for a provider SDK call: it takes a realistic
// time and returns realistic token counts for the provider's accounting.
func simulateModelCall(ctx context.Context, run Run, agent string) (ailabels.Usage, error) {
	h := fnv.New64a()
	_, _ = io.WriteString(h, run.UserID+agent+run.Model)
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(time.Now().UnixNano())))

	latency := time.Duration(20+rng.IntN(80)) * time.Millisecond
	if run.Fault == "slow" {
		latency = 1200 * time.Millisecond
	}
	select {
	case <-ctx.Done():
		return ailabels.Usage{Provider: run.Provider, Model: run.Model}, ctx.Err()
	case <-time.After(latency):
	}
	switch run.Fault {
	case "agent_error":
		return ailabels.Usage{Provider: run.Provider, Model: run.Model}, errProvider
	case "rate_limited":
		return ailabels.Usage{Provider: run.Provider, Model: run.Model}, errRateLimited
	}

	u := ailabels.Usage{Provider: run.Provider, Model: run.Model}
	u.InputTokens = int64(800 + rng.IntN(2400))
	if rng.IntN(10) < 4 { // a repeated system prompt hits the cache
		u.CachedInputTokens = 512 + int64(rng.IntN(2))*512
	}
	if run.Provider == "anthropic" && u.CachedInputTokens == 0 && rng.IntN(4) == 0 {
		u.CacheWriteInputTokens = 1024 // first use of a long system prompt
	}
	if u.CachedInputTokens+u.CacheWriteInputTokens > u.InputTokens {
		u.InputTokens = u.CachedInputTokens + u.CacheWriteInputTokens + 200
	}
	u.OutputTokens = int64(100 + rng.IntN(500))
	if run.Model == "o4-mini" {
		u.ReasoningTokens = int64(200 + rng.IntN(800))
		u.OutputTokens += u.ReasoningTokens
	}
	return u, nil
}
