package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Models the simulated users ask for: two providers, several models, dated
// snapshots among them.
var models = []struct{ Provider, Model string }{
	{"openai", "gpt-4o"},
	{"openai", "gpt-4o-mini"},
	{"openai", "gpt-4o-2024-08-06"},
	{"openai", "o4-mini"},
	{"anthropic", "claude-sonnet-4"},
	{"anthropic", "claude-3-5-haiku"},
}

// Workload is a bounded, mixed load on the gateway.
type Workload struct {
	GatewayURL  string
	Duration    time.Duration // stop sending after this long
	MaxRequests int           // and after this many (0: no limit)
	Workers     int           // concurrent clients
	Seed        uint64
	// InternalToken, sent in InternalTokenHeader, makes the gateway trust
	// the workload's trace context (Chain.Workload sets it). Without it the
	// workload is an internet caller: each run starts a new trace that
	// links to the one the workload sent.
	InternalToken string
	// Faults: the share of runs that misbehave on purpose.
	PanicRate, SlowRate, AgentErrorRate, RateLimitedRate, BadRequestRate, UnknownRouteRate float64
}

// DefaultWorkload is realistic: mostly successful runs, a few of each kind
// of failure.
func DefaultWorkload(gatewayURL string, d time.Duration) Workload {
	return Workload{
		GatewayURL: gatewayURL, Duration: d, Workers: 4, Seed: 42,
		PanicRate: 0.01, SlowRate: 0.03, AgentErrorRate: 0.03, RateLimitedRate: 0.02,
		BadRequestRate: 0.02, UnknownRouteRate: 0.02,
	}
}

// Sent is one request the workload sent, with the trace id it started (the
// load generator plays an upstream client that samples every request, so
// each request's trace id is known in advance).
type Sent struct {
	TraceID      string
	ParentSpanID string // the span id the load generator sent as the parent
	Status       int    // 0 when the request failed without a response
	Fault        string
}

// Succeeded reports whether the request was answered 200 with no fault
// injected: a request whose trace holds every service's spans and log
// lines.
func (s Sent) Succeeded() bool { return s.Status == 200 && s.Fault == "" }

// Result is what the workload did.
type Result struct {
	Sent     []Sent
	ByStatus map[int]int
	Elapsed  time.Duration
}

// Succeeded returns the requests that succeeded (Sent.Succeeded), in the
// order they were sent.
func (r Result) Succeeded() []Sent {
	var out []Sent
	for _, s := range r.Sent {
		if s.Succeeded() {
			out = append(out, s)
		}
	}
	return out
}

// Run sends requests until the duration or the count is reached, or ctx
// ends.
func (wl Workload) Run(ctx context.Context) Result {
	if wl.Workers <= 0 {
		wl.Workers = 1
	}
	// The deadline stops new requests; those in flight finish.
	reqCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, wl.Duration)
	defer cancel()
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: wl.Workers}}
	defer hc.CloseIdleConnections()

	var (
		mu    sync.Mutex
		res   = Result{ByStatus: map[int]int{}}
		count int
		start = time.Now()
		wg    sync.WaitGroup
	)
	next := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if wl.MaxRequests > 0 && count >= wl.MaxRequests {
			return false
		}
		count++
		return true
	}
	for w := range wl.Workers {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(wl.Seed, uint64(w)))
			for ctx.Err() == nil && next() {
				s := wl.one(reqCtx, hc, rng)
				mu.Lock()
				res.Sent = append(res.Sent, s)
				res.ByStatus[s.Status]++
				mu.Unlock()
				// Think time: a few requests per second per worker.
				select {
				case <-ctx.Done():
				case <-time.After(time.Duration(20+rng.IntN(60)) * time.Millisecond):
				}
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

func (wl Workload) one(ctx context.Context, hc *http.Client, rng *mrand.Rand) Sent {
	m := models[rng.IntN(len(models))]
	run := Run{UserID: fmt.Sprintf("user-%d", rng.IntN(500)), Provider: m.Provider, Model: m.Model, Prompt: "Summarise the quarterly report"}
	workflow := []string{"summarize", "research", "triage"}[rng.IntN(3)]
	p := rng.Float64()
	var body []byte
	switch {
	case p < wl.PanicRate:
		run.Fault = "panic"
	case p < wl.PanicRate+wl.SlowRate:
		run.Fault = "slow"
	case p < wl.PanicRate+wl.SlowRate+wl.AgentErrorRate:
		run.Fault = "agent_error"
	case p < wl.PanicRate+wl.SlowRate+wl.AgentErrorRate+wl.RateLimitedRate:
		run.Fault = "rate_limited"
	case p < wl.PanicRate+wl.SlowRate+wl.AgentErrorRate+wl.RateLimitedRate+wl.BadRequestRate:
		run.Fault = "bad_request"
		body = []byte(`{"prompt": "no user"}`)
	case p < wl.PanicRate+wl.SlowRate+wl.AgentErrorRate+wl.RateLimitedRate+wl.BadRequestRate+wl.UnknownRouteRate:
		run.Fault = "unknown_workflow"
		workflow = fmt.Sprintf("wf-%d", rng.IntN(1e6)) // a flood of raw paths: must not become labels
	}
	if body == nil {
		body, _ = json.Marshal(run)
	}
	traceID, parent := newIDs()
	sent := Sent{TraceID: traceID, ParentSpanID: parent, Fault: run.Fault}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wl.GatewayURL+"/v1/workflows/"+workflow+"/runs", bytes.NewReader(body))
	if err != nil {
		return sent
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-"+parent+"-01")
	if wl.InternalToken != "" {
		req.Header.Set(InternalTokenHeader, wl.InternalToken)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return sent
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	sent.Status = resp.StatusCode
	return sent
}

func newIDs() (traceID, spanID string) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
}
