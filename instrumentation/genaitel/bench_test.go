package genaitel_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"google.golang.org/genai"

	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
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
// latter recording on the benchmark pipeline (aitest.Pipeline), its spans
// sampled or not (what the metrics and parsing cost).
func benchClients(b *testing.B, url string) map[string]*genai.Client {
	p := aitest.NewPipeline(b)
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
		"impl=genaitel":           mk(genaitel.WrapClient(&http.Client{Transport: instT}, p.AI)),
		"impl=genaitel-unsampled": mk(genaitel.WrapClient(&http.Client{Transport: unsT}, p.AIUnsampled)),
	}
}

// variants are run side by side in each benchmark.
var variants = []string{"impl=bare", "impl=genaitel", "impl=genaitel-unsampled"}

// benchVariants runs call, once to warm the connection and then in the
// measured loop (aitest.LoopCPU), with the client of each variant against
// the server of benchServer.
func benchVariants(b *testing.B, call func(b *testing.B, c *genai.Client)) {
	clients := benchClients(b, benchServer(b))
	for _, name := range variants {
		c := clients[name]
		b.Run(name, func(b *testing.B) {
			call(b, c) // warm the connection
			aitest.LoopCPU(b, func() { call(b, c) })
		})
	}
}

// BenchmarkGenerate is a non-streaming generateContent call.
func BenchmarkGenerate(b *testing.B) {
	ctx := context.Background()
	benchVariants(b, func(b *testing.B, c *genai.Client) {
		if _, err := c.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("What is the weather in Paris?"),
			&genai.GenerateContentConfig{MaxOutputTokens: 256}); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkStream500 is a streamGenerateContent call of 500 chunks.
func BenchmarkStream500(b *testing.B) {
	ctx := context.Background()
	benchVariants(b, func(b *testing.B, c *genai.Client) {
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
}
