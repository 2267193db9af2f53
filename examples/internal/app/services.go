package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
)

// Run is what a client asks the gateway for: run a workflow for a user.
// Fault makes the run misbehave on purpose (the demo and the tests use it):
// "panic" (the engine panics), "slow" (the provider's first token takes
// over a second), "agent_error" (the provider answers 500, retries
// included), "rate_limited" (the provider answers 429, retries included).
type Run struct {
	UserID   string `json:"user_id"`
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Prompt   string `json:"prompt"`
	Fault    string `json:"fault,omitempty"`
}

// Workflows the gateway knows; anything else is a 404.
var workflows = map[string]bool{"summarize": true, "research": true, "triage": true}

func newGateway(s *Service, engineURL, internalToken string) (http.Handler, error) {
	c := client(s)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/workflows/{workflow}/runs", func(w http.ResponseWriter, r *http.Request) {
		log := logbridge.From(r.Context())
		wf := r.PathValue("workflow")
		if !workflows[wf] {
			http.Error(w, "unknown workflow", http.StatusNotFound)
			return
		}
		var run Run
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&run); err != nil || run.UserID == "" {
			log.WarnContext(r.Context(), "bad run request", "workflow", wf)
			http.Error(w, "body must be a JSON run with user_id", http.StatusBadRequest)
			return
		}
		log.InfoContext(r.Context(), "workflow run accepted", "workflow", wf, "user_id", run.UserID)
		status, body, err := postJSON(r.Context(), c, engineURL+"/workflows/"+wf+"/execute", run)
		if err != nil {
			log.ErrorContext(r.Context(), "workflow-engine unreachable", "error", err)
			http.Error(w, "engine unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /v1/workflows", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode([]string{"research", "summarize", "triage"})
	})

	// A background job publishes the business figures, as an analytics job
	// would after each computation.
	biz, err := metrics.NewBusiness(s.Tel)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stop = func() { cancel(); <-done }
	go func() {
		defer close(done)
		rng := rand.New(rand.NewPCG(1, 2))
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			publishBusiness(ctx, s, biz, rng)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	// The gateway faces the internet: only internal callers' trace context
	// is continued.
	return instrument(s, mux, middleware.WithPublicEndpointFn(untrusted(internalToken))), nil
}

func publishBusiness(ctx context.Context, s *Service, biz *metrics.Business, rng *rand.Rand) {
	jitter := func(v float64) float64 { return min(1, max(0, v+(rng.Float64()-0.5)*0.02)) }
	errs := []error{
		biz.SetRetention(ctx, "d7", "free", jitter(0.42)),
		biz.SetRetention(ctx, "d7", "pro", jitter(0.71)),
		biz.SetRetention(ctx, "d30", "free", jitter(0.18)),
		biz.SetRetention(ctx, "d30", "pro", jitter(0.55)),
		biz.SetFeatureAdoption(ctx, "workflow_builder", jitter(0.34)),
		biz.SetFeatureAdoption(ctx, "agent_memory", jitter(0.12)),
		biz.SetPMFScore(ctx, "sean_ellis", jitter(0.41)),
	}
	for _, err := range errs {
		if err != nil {
			s.Logger.ErrorContext(ctx, "business metric rejected", "error", err)
		}
	}
}

func newEngine(s *Service, agentURL string) http.Handler {
	c := client(s)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /workflows/{workflow}/execute", func(w http.ResponseWriter, r *http.Request) {
		log := logbridge.From(r.Context())
		var run Run
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&run); err != nil {
			http.Error(w, "bad run", http.StatusBadRequest)
			return
		}
		if run.Fault == "panic" {
			// The middleware records the panic (span, http_errors_total,
			// a 500) and re-panics; net/http recovers it.
			panic("workflow-engine: corrupted workflow state")
		}
		log.InfoContext(r.Context(), "executing workflow", "workflow", r.PathValue("workflow"), "steps", 2)
		var steps []json.RawMessage
		for _, agent := range []string{"planner", "writer"} {
			status, body, err := postJSON(r.Context(), c, agentURL+"/agents/"+agent+"/invoke", run)
			if err != nil || status >= 300 {
				log.ErrorContext(r.Context(), "agent step failed", "agent", agent, "status", status, "error", err)
				code := http.StatusBadGateway
				if status == http.StatusTooManyRequests {
					code = http.StatusServiceUnavailable
				}
				http.Error(w, "agent step failed", code)
				return
			}
			steps = append(steps, body)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"workflow": r.PathValue("workflow"), "steps": steps})
	})
	return instrument(s, mux)
}

// postJSON posts v and returns the status and body.
func postJSON(ctx context.Context, c *http.Client, url string, v any) (int, []byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading %s: %w", url, err)
	}
	return resp.StatusCode, body, nil
}
