package genaitel_test

import (
	"context"
	"fmt"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/genai"

	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// The benchmarks compare the bare genai client with the instrumented one
// in the same run, over loopback, against a fake server that runs in a
// child process: the CPU time reported (cpu-ns/op, from getrusage) is the
// client's alone.

const benchServerEnv = "GENAITEL_BENCH_SERVER"

// benchChunks is the length of the benchmarked stream.
const benchChunks = 500

// serveBench is the child process: it serves pre-built answers and prints
// its address.
func serveBench() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var sb strings.Builder
	for i := range benchChunks - 1 {
		sb.WriteString("data: " + fakeTextChunk(i) + "\r\n\r\n")
	}
	sb.WriteString("data: " + fakeLastChunk() + "\r\n\r\n")
	streamBody := []byte(sb.String())
	jsonBody := []byte(fakeJSON)
	fmt.Println(ln.Addr().String())
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(streamBody)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(jsonBody)
	}))
}

// benchServer starts the child process and returns its base URL.
func benchServer(b *testing.B) string {
	b.Helper()
	return "http://" + testutil.StartChild(b, benchServerEnv)
}

// benchClients returns the bare and the instrumented genai clients, the
// latter recording on a real SDK pipeline (batched spans to a no-op
// exporter, metrics to a manual reader).
func benchClients(b *testing.B, url string) map[string]*genai.Client {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	// The same with spans not sampled: what the metrics and parsing cost.
	unsampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	aiUnsampled, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(unsampled))
	if err != nil {
		b.Fatal(err)
	}
	mk := func(hc *http.Client) *genai.Client {
		c, err := genai.NewClient(context.Background(), &genai.ClientConfig{APIKey: "k", Backend: genai.BackendGeminiAPI,
			HTTPClient: hc, HTTPOptions: genai.HTTPOptions{BaseURL: url}})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	bareT := http.DefaultTransport.(*http.Transport).Clone()
	instT := http.DefaultTransport.(*http.Transport).Clone()
	unsT := http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(bareT.CloseIdleConnections)
	b.Cleanup(instT.CloseIdleConnections)
	b.Cleanup(unsT.CloseIdleConnections)
	return map[string]*genai.Client{
		"impl=bare":               mk(&http.Client{Transport: bareT}),
		"impl=genaitel":           mk(genaitel.WrapClient(&http.Client{Transport: instT}, ai)),
		"impl=genaitel-unsampled": mk(genaitel.WrapClient(&http.Client{Transport: unsT}, aiUnsampled)),
	}
}

func runCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	f() // warm the connection
	b.ResetTimer()
	start := testutil.CPUTime()
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(testutil.CPUTime()-start)/float64(b.N), "cpu-ns/op")
}

// variants are run side by side in each benchmark.
var variants = []string{"impl=bare", "impl=genaitel", "impl=genaitel-unsampled"}

// BenchmarkGenerate is a non-streaming generateContent call.
func BenchmarkGenerate(b *testing.B) {
	url := benchServer(b)
	clients := benchClients(b, url)
	ctx := context.Background()
	for _, name := range variants {
		c := clients[name]
		b.Run(name, func(b *testing.B) {
			runCPU(b, func() {
				if _, err := c.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("What is the weather in Paris?"),
					&genai.GenerateContentConfig{MaxOutputTokens: 256}); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkStream500 is a streamGenerateContent call of 500 chunks.
func BenchmarkStream500(b *testing.B) {
	url := benchServer(b)
	clients := benchClients(b, url)
	ctx := context.Background()
	for _, name := range variants {
		c := clients[name]
		b.Run(name, func(b *testing.B) {
			runCPU(b, func() {
				n := 0
				for _, err := range c.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Tell me a story"), nil) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != benchChunks {
					b.Fatalf("%d chunks", n)
				}
			})
		})
	}
}
