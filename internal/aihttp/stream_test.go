package aihttp_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// chunkEvent is an OpenAI chat chunk without usage.
var chunkEvent = []byte(`data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4d","choices":[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}]}` + "\n\n")

// repeatBody returns ev once per Read, limit bytes in all (0: no limit).
type repeatBody struct {
	ev    []byte
	limit int64
	sent  int64
}

func (r *repeatBody) Read(p []byte) (int, error) {
	if r.limit > 0 && r.sent >= r.limit {
		return 0, io.EOF
	}
	n := copy(p, r.ev)
	r.sent += int64(n)
	return n, nil
}

func (r *repeatBody) Close() error { return nil }

// noUsageHandler is what an integration does for a chunk without usage:
// a look at the bytes, no decoding.
var noUsageHandler = aihttp.Handler{
	Event: func(name, data []byte, r *aihttp.Response) bool {
		if bytes.Contains(data, []byte(`"usage"`)) {
			r.HasUsage = true
		}
		return true
	},
}

func streamResponse(body io.ReadCloser) *http.Response {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: body}
}

func beginStream(tb testing.TB, tr *aihttp.Tracker) *aihttp.Attempt {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/chat/completions", nil)
	if err != nil {
		tb.Fatal(err)
	}
	return tr.Begin(req, nil, 0, aihttp.Request{
		Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"},
		Stream:  true,
	})
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// A 100 MB stream goes through with a flat heap: the splitter keeps one
// event, not the stream.
func TestStreamHeapFlat(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithSemconvHistograms(), metrics.WithContentCapture())
	if err != nil {
		t.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai})
	a := beginStream(t, tr)
	const total = 100 << 20
	resp, _ := a.End(streamResponse(&repeatBody{ev: chunkEvent, limit: total}), nil, &noUsageHandler)
	buf := make([]byte, 32<<10)
	base := heapInUse()
	var read int64
	var peak uint64
	for i := 0; ; i++ {
		n, err := resp.Body.Read(buf)
		read += int64(n)
		if i%100000 == 0 {
			if h := heapInUse(); h > peak {
				peak = h
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	resp.Body.Close()
	if read < total {
		t.Fatalf("read %d bytes", read)
	}
	const bound = 4 << 20
	if peak > base+bound {
		t.Errorf("heap in use grew from %d to %d bytes over a %d-byte stream, want less than %d more", base, peak, read, bound)
	}
	kit.Flush()
	if len(kit.Spans()) != 1 {
		t.Errorf("%d spans", len(kit.Spans()))
	}
}

func benchStream(b *testing.B, opts ...metrics.AIOption) {
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry, opts...)
	if err != nil {
		b.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai})
	a := beginStream(b, tr)
	resp, _ := a.End(streamResponse(&repeatBody{ev: chunkEvent}), nil, &noUsageHandler)
	buf := make([]byte, 4096)
	for range 10 { // the first chunk sets the model, the first time
		_, _ = resp.Body.Read(buf)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(chunkEvent)))
	for b.Loop() {
		if _, err := resp.Body.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	resp.Body.Close()
}

// BenchmarkStreamEvent: one chunk without usage through the stream
// wrapper, the splitter, the Handler and the chunk timing (0 allocs/op).
func BenchmarkStreamEvent(b *testing.B) { benchStream(b) }

// BenchmarkStreamEventHistograms: the same with the gen_ai.client.*
// histograms on (time per output chunk recorded for every chunk).
func BenchmarkStreamEventHistograms(b *testing.B) { benchStream(b, metrics.WithSemconvHistograms()) }

// BenchmarkStreamBare: the same Read without the wrapper, for comparison.
func BenchmarkStreamBare(b *testing.B) {
	body := &repeatBody{ev: chunkEvent}
	buf := make([]byte, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(chunkEvent)))
	for b.Loop() {
		if _, err := body.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallJSON: one whole non-streaming call through the Tracker
// (Begin, End, the body read to EOF, the parse, the span and the
// counters), without the network.
func BenchmarkCallJSON(b *testing.B) {
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 2})
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/chat/completions", nil)
	r := aihttp.Request{Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}}
	body := []byte(benchJSON)
	buf := make([]byte, 4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := tr.Begin(req, i, 0, r)
		resp, _ := a.End(jsonResponse(body), nil, &testHandler)
		aitest.Drain(resp.Body, buf)
		if i++; i%1000 == 0 {
			kit.Reset()
		}
	}
}

// BenchmarkCallManual: the same call recorded by hand (AI.Start, Call.End),
// the floor BenchmarkCallJSON is to be compared with.
func BenchmarkCallManual(b *testing.B) {
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	r := ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, call := ai.Start(context.Background(), r)
		call.SetResponse("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "stop")
		_, _ = call.End(ailabels.Usage{Model: "gpt-4o-2024-08-06", InputTokens: 19, OutputTokens: 10}, nil)
		if i++; i%1000 == 0 {
			kit.Reset()
		}
	}
}
