package openaitel

import (
	"bytes"
	"context"
	"fmt"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// The benchmarks run the real client, bare and instrumented, against a
// fake server over loopback. The server (an httptest.Server) runs in a
// child process, the test binary started again with benchServerEnv set,
// so that the CPU time the benchmarks report (cpu-ns/op, from getrusage
// of this process: every goroutine, the GC and the telemetry pipeline
// included) is the client's alone.
//
//	go test -run '^$' -bench . -benchmem -count 10 > bench.txt
//	benchstat -col /client bench.txt

const benchServerEnv = "OPENAITEL_BENCH_SERVER"

var benchNames = []string{"bare", "otel", "noop"}

// benchChunks is the length of the benchmark stream.
const benchChunks = 500

func serveBench() int {
	stream := []byte(eventsText(chatStream(chatRespModel, benchChunks, true)))
	events := strings.SplitAfter(string(stream), "\n\n")
	completion := []byte(chatCompletionJSON(chatRespModel))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(completion)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for _, ev := range events { // one write and flush per event, as a model server does
			if _, err := io.WriteString(w, ev); err != nil {
				return
			}
			fl.Flush()
		}
	}))
	defer srv.Close()
	fmt.Println(srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
	return 0
}

// startBenchServer starts the server process and returns its base URL.
func startBenchServer(b *testing.B) string {
	b.Helper()
	return testutil.StartChild(b, benchServerEnv) + "/v1"
}

// benchTelemetry is a Telemetry with the production pipeline whose
// exporters discard what they get.
func benchTelemetry(b *testing.B) *metrics.AI {
	b.Helper()
	me, err := stdoutmetric.New(stdoutmetric.WithWriter(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	le, err := stdoutlog.New(stdoutlog.WithWriter(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	tel, err := telemetry.Init(context.Background(), telemetry.WithService("openaitel-bench"),
		telemetry.WithGlobals(false), telemetry.WithRuntimeMetrics(false),
		telemetry.WithSpanExporter(tracetest.NewNoopExporter()), telemetry.WithMetricExporter(me), telemetry.WithLogExporter(le))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	ai, err := metrics.NewAI(tel, metrics.WithPricing(ailabels.DefaultPricing()))
	if err != nil {
		b.Fatal(err)
	}
	return ai
}

// benchClients returns the bare client and the instrumented one, each
// with its own connection pool.
func benchClients(b *testing.B, url string, ai *metrics.AI) map[string]openai.Client {
	b.Helper()
	client := func(opts ...option.RequestOption) openai.Client {
		tr := &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}
		b.Cleanup(tr.CloseIdleConnections)
		return openai.NewClient(append([]option.RequestOption{option.WithAPIKey("bench"), option.WithBaseURL(url),
			option.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
	}
	noop, _ := metrics.NewAI(nil)
	return map[string]openai.Client{
		"bare": client(),
		"otel": client(option.WithMiddleware(Middleware(ai))),
		"noop": client(option.WithMiddleware(Middleware(noop))),
	}
}
func benchVariants(b *testing.B, run func(b *testing.B, c openai.Client)) {
	url := startBenchServer(b)
	clients := benchClients(b, url, benchTelemetry(b))
	for _, name := range benchNames {
		c := clients[name]
		b.Run("client="+name, func(b *testing.B) {
			run(b, c) // warm the connection
			aitest.LoopCPU(b, func() { run(b, c) })
		})
	}
}

// BenchmarkChat is one non-streaming chat completion.
func BenchmarkChat(b *testing.B) {
	p := chatParams()
	benchVariants(b, func(b *testing.B, c openai.Client) {
		res, err := c.Chat.Completions.New(context.Background(), p)
		if err != nil || res.ID == "" {
			b.Fatal(err)
		}
	})
}

// BenchmarkChatStream500 is a chat stream of 500 content chunks (plus the
// role, finish and usage chunks), read to its end.
func BenchmarkChatStream500(b *testing.B) {
	p := streamParams(true)
	benchVariants(b, func(b *testing.B, c openai.Client) {
		s := c.Chat.Completions.NewStreaming(context.Background(), p)
		n := 0
		for s.Next() {
			n++
		}
		if s.Err() != nil || n != benchChunks+3 {
			b.Fatalf("%d chunks, %v", n, s.Err())
		}
	})
}

// benchMW runs one chat completion through mw: a JSON body, or a stream
// of benchChunks chunks read in 4 KiB pieces.
func benchMW(b *testing.B, mw option.Middleware, stream bool) {
	body := []byte(`{"messages":[{"content":"Be brief.","role":"system"},{"content":"Hello","role":"user"}],"model":"gpt-4o-mini","max_completion_tokens":256,"temperature":0.2}`)
	resp, ct := []byte(chatCompletionJSON(chatRespModel)), "application/json"
	if stream {
		body = []byte(`{"messages":[{"content":"Hello","role":"user"}],"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}`)
		resp, ct = []byte(eventsText(chatStream(chatRespModel, benchChunks, true))), "text/event-stream"
	}
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/v1/chat/completions", nil)
	req.Header.Set("X-Stainless-Retry-Count", "0")
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = req.GetBody()
	next := func(r *http.Request) (*http.Response, error) {
		return aitest.Response(ct, bytes.NewReader(resp)), nil
	}
	buf := make([]byte, 4<<10)
	aitest.LoopCPU(b, func() {
		res, _ := mw(req, next)
		aitest.Drain(res.Body, buf)
	})
}

// BenchmarkMiddlewareOnly is the middleware's cost per non-streaming
// call without the network: the next handler returns a canned response at
// once, which the benchmark reads to its end. bare is a middleware that
// only calls next; noop records through a metrics.AI without a Telemetry
// (the parsing and call tracking, no OpenTelemetry SDK); otel records into
// the production pipeline.
func BenchmarkMiddlewareOnly(b *testing.B) { benchMiddlewareOnly(b, false) }

// BenchmarkMiddlewareOnlyStream500 is the same for a stream of 500
// content chunks: what the middleware allocates per call does not grow
// with the chunks.
func BenchmarkMiddlewareOnlyStream500(b *testing.B) { benchMiddlewareOnly(b, true) }

func benchMiddlewareOnly(b *testing.B, stream bool) {
	b.Run("client=bare", func(b *testing.B) {
		benchMW(b, func(r *http.Request, n option.MiddlewareNext) (*http.Response, error) { return n(r) }, stream)
	})
	noop, _ := metrics.NewAI(nil)
	b.Run("client=noop", func(b *testing.B) { benchMW(b, Middleware(noop), stream) })
	ai := benchTelemetry(b)
	b.Run("client=otel", func(b *testing.B) { benchMW(b, Middleware(ai), stream) })
}
