package aihttp

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// Every way a call ends stops its timer and its context callback, and
// leaves nothing in the pending map.
func TestTimersStoppedWhenCallsEnd(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTracker(Config{AI: ai, MaxRetries: 2, RetryGrace: time.Hour})
	r := Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:9/", nil)
	var calls []*call
	check := func(what string) {
		t.Helper()
		for _, c := range calls {
			c.mu.Lock()
			if c.state != stateDone || c.timer != nil || c.stopCtx != nil {
				t.Errorf("%s: call state %d, timer %v, context callback %v", what, c.state, c.timer != nil, c.stopCtx != nil)
			}
			c.mu.Unlock()
		}
		tr.mu.Lock()
		if n := len(tr.pending); n != 0 {
			t.Errorf("%s: %d pending calls", what, n)
		}
		tr.mu.Unlock()
		calls = nil
	}
	fail := func(key any, n int) *Attempt {
		a := tr.Begin(req, key, n, r)
		calls = append(calls, a.c)
		resp, _ := a.End(&http.Response{StatusCode: 503, Body: http.NoBody}, nil, nil)
		resp.Body.Close()
		return a
	}
	ok := func(key any, n int) {
		a := tr.Begin(req, key, n, r)
		calls = append(calls, a.c)
		resp, _ := a.End(&http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}"))}, nil, nil)
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}

	fail("a", 0)
	ok("a", 1)
	check("retry then success")

	fail("b", 0)
	fail("b", 1)
	fail("b", 2) // the budget is used up: recorded at Close
	check("retries used up")

	fail("c", 0)
	fail("c", 0) // a new call under the same key: the first ends
	tr.takePending("c").expire()
	check("displaced")

	a := fail("d", 0)
	a.c.expire() // the grace passed
	check("expired")

	ctx2, cancel2 := context.WithCancel(context.Background())
	req2, _ := http.NewRequestWithContext(ctx2, http.MethodPost, "http://127.0.0.1:9/", nil)
	a = tr.Begin(req2, "e", 0, r)
	calls = append(calls, a.c)
	resp, _ := a.End(&http.Response{StatusCode: 429, Body: http.NoBody}, nil, nil)
	resp.Body.Close()
	cancel2()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		a.c.mu.Lock()
		done := a.c.state == stateDone
		a.c.mu.Unlock()
		if done {
			break
		}
		time.Sleep(time.Millisecond)
	}
	check("context ended")
}
