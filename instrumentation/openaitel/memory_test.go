package openaitel

import (
	"bytes"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// chunkReader produces a chat stream of n content chunks and a usage
// chunk, without holding it in memory (and without allocating per chunk).
type chunkReader struct {
	n          int
	chunk, end []byte
	rest       []byte
}

func newChunkReader(n int) *chunkReader {
	return &chunkReader{n: n,
		chunk: []byte(sse(chatChunk(chatRespModel, "a few words of the model's answer "))),
		end: []byte(sse(`{"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1764633600,"model":"`+chatRespModel+`","choices":[],"usage":`+usageJSON+`}`) +
			sse("[DONE]")),
	}
}

func (c *chunkReader) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		if len(c.rest) == 0 {
			switch {
			case c.n > 0:
				c.rest = c.chunk
			case c.n == 0:
				c.rest = c.end
			default:
				if total == 0 {
					return 0, io.EOF
				}
				return total, nil
			}
			c.n--
		}
		m := copy(p, c.rest)
		c.rest, p, total = c.rest[m:], p[m:], total+m
	}
	return total, nil
}

// A 100 MB stream passes through with bounded memory: the heap does not
// grow with the stream.
func TestLargeStreamBoundedMemory(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("openaitel-test"))
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithPricing(ailabels.DefaultPricing()))
	if err != nil {
		t.Fatal(err)
	}
	mw := Middleware(ai)
	chunk := len(sse(chatChunk(chatRespModel, "a few words of the model's answer ")))
	n := 100 << 20 / chunk
	body := []byte(`{"messages":[{"content":"Hello","role":"user"}],"model":"gpt-4o-mini","stream":true}`)
	req, _ := http.NewRequest("POST", "http://127.0.0.1:1/v1/chat/completions", nil)
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = req.GetBody()
	next := func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
			Body: io.NopCloser(newChunkReader(n))}, nil
	}
	res, err := mw(req, next)
	if err != nil {
		t.Fatal(err)
	}
	var before, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	buf := make([]byte, 32<<10)
	total := 0
	for i := 0; ; i++ {
		m, err := res.Body.Read(buf)
		total += m
		if err != nil {
			break
		}
		if i%2000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.HeapInuse {
				peak = ms
			}
		}
	}
	_ = res.Body.Close()
	if total < 100<<20 {
		t.Fatalf("read %d bytes", total)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grew := int64(peak.HeapInuse) - int64(before.HeapInuse)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("heap in use: %d KiB before, %d KiB at most during a %d MiB stream; %d KiB allocated meanwhile",
		before.HeapInuse>>10, peak.HeapInuse>>10, total>>20, allocated>>10)
	if grew > 4<<20 || allocated > 1<<20 {
		t.Errorf("the heap grew by %d KiB (%d KiB allocated) over a %d MiB stream", grew>>10, allocated>>10, total>>20)
	}
	if v, err := kit.Value(metrics.AITokensName, ailabels.TokenTypeKey.String("input")); err != nil || v != 1200 {
		t.Errorf("input tokens %v, %v", v, err)
	}
}
