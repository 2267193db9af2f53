package aihttp_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"io"
	"net"
	"net/http"
	"os"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
)

// floorServerEnv makes the test binary serve benchJSON (TestMain).
const floorServerEnv = "AIHTTP_FLOOR_SERVER"

// serveFloor is BenchmarkFloorLoopback's server, in a child process so
// that the benchmark's CPU time is the client's alone.
func serveFloor() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	body := []byte(benchJSON)
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
}

// BenchmarkFloorLoopback is one non-streaming call over loopback (a
// keep-alive net/http client, the server in a child process), as CPU time
// of the client process per call (getrusage: the batch span processor's
// goroutine and the GC included), on the client modules' benchmark
// pipeline (batch span processor, no-op exporter; metrics on a manual
// reader):
//
//   - what=bare: the request alone;
//   - what=span: the same with an empty sampled client span around it:
//     what any span per call costs (the batch processor's work and
//     wake-ups, the span's allocations);
//   - what=span-attrs+counters: the span with the attributes the call's
//     span has and the four counter Adds of a call, all with attribute
//     sets made once: the SDK's own price for what issue 14 records;
//   - what=tracker: through aihttp (Begin, End, the body parsed, the span
//     and the counters);
//   - what=tracker-unsampled: the same with spans not sampled.
func BenchmarkFloorLoopback(b *testing.B) {
	url := floorServer(b) + "/v1/chat/completions"
	p := aitest.NewPipeline(b)
	r := aihttp.Request{Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}}
	startAttrs, endAttrs := callAttributes(b, r, []byte(benchJSON))
	tracer := p.TP.Tracer("floor")
	kind := trace.WithSpanKind(trace.SpanKindClient)
	counters := newFloorCounters(p.MP)

	reqBody := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}`)
	buf := make([]byte, 32<<10)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	do := func(b *testing.B, ctx context.Context, tr *aihttp.Tracker) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(reqBody))
		var a *aihttp.Attempt
		if tr != nil {
			a = tr.Begin(req, nil, 0, r)
			req = req.WithContext(a.Context())
		}
		resp, err := client.Do(req)
		if tr != nil {
			resp, err = a.End(resp, err, &testHandler)
		}
		if err != nil {
			b.Fatal(err)
		}
		aitest.Drain(resp.Body, buf)
	}
	trSampled := aihttp.NewTracker(aihttp.Config{AI: p.AI, MaxRetries: 2})
	trUnsampled := aihttp.NewTracker(aihttp.Config{AI: p.AIUnsampled, MaxRetries: 2})
	ctx := context.Background()
	for _, v := range []struct {
		what string
		f    func(b *testing.B)
	}{
		{"bare", func(b *testing.B) { do(b, ctx, nil) }},
		{"span", func(b *testing.B) {
			sctx, s := tracer.Start(ctx, "chat gpt-4o", kind)
			do(b, sctx, nil)
			s.End()
		}},
		{"span-attrs+counters", func(b *testing.B) {
			sctx, s := tracer.Start(ctx, "chat gpt-4o", kind, trace.WithAttributes(startAttrs...))
			do(b, sctx, nil)
			counters.add(sctx)
			s.SetAttributes(endAttrs...)
			s.End()
		}},
		{"tracker", func(b *testing.B) { do(b, ctx, trSampled) }},
		{"tracker-unsampled", func(b *testing.B) { do(b, ctx, trUnsampled) }},
	} {
		b.Run("what="+v.what, func(b *testing.B) {
			v.f(b) // warm the connection
			aitest.LoopCPU(b, func() { v.f(b) })
		})
	}
}

// floorServer starts the child process and returns its base URL.
func floorServer(b *testing.B) string {
	b.Helper()
	return "http://" + testutil.StartChild(b, floorServerEnv)
}
