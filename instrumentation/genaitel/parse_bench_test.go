package genaitel

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/internal/aihttp"
)

// A text chunk as Gemini streams them: a running usage total in each.
var benchTextChunk = []byte(`{"candidates": [{"content": {"parts": [{"text": "Once upon a time, in a land far away, there lived a \"curious\" fox"}],"role": "model"},"index": 0}],` +
	`"usageMetadata": {"promptTokenCount": 12,"candidatesTokenCount": 40,"totalTokenCount": 52},"modelVersion": "gemini-2.5-flash","responseId": "resp-sse-1"}`)

// A text chunk without usage (Vertex AI sends usage in the last chunk only).
var benchBareChunk = []byte(`{"candidates": [{"content": {"parts": [{"text": "Once upon a time, in a land far away, there lived a \"curious\" fox"}],"role": "model"},"index": 0}],` +
	`"modelVersion": "gemini-2.5-flash","responseId": "resp-sse-1","createTime": "2026-12-02T01:00:00.000000Z"}`)

// benchChunkCases are the chunks the per-chunk benchmarks run on.
var benchChunkCases = []struct {
	name string
	doc  []byte
}{{"no-usage", benchBareChunk}, {"usage", benchTextChunk}}

// BenchmarkParseChunk is the parser alone on stream chunks: no
// allocation for a chunk without usage, nor for one with a running total.
func BenchmarkParseChunk(b *testing.B) {
	for _, c := range benchChunkCases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.doc)))
			r := new(response)
			for b.Loop() {
				r.chunk(c.doc)
			}
		})
	}
}

// BenchmarkStreamEvent is the whole per-event work of this package: the
// parse and the hand-over to the aihttp.Response.
func BenchmarkStreamEvent(b *testing.B) {
	for _, c := range benchChunkCases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var out aihttp.Response
			streamEvent(nil, c.doc, &out)
			for b.Loop() {
				streamEvent(nil, c.doc, &out)
			}
		})
	}
}

// BenchmarkParseJSON is a whole non-streaming body.
func BenchmarkParseJSON(b *testing.B) {
	b.ReportAllocs()
	doc := []byte(chunkTool)
	b.SetBytes(int64(len(doc)))
	r := new(response)
	for b.Loop() {
		r.chunk(doc)
	}
}

// BenchmarkOwnPerCall is this package's own work for one generateContent
// call, without the shared runtime's: classify the URL, read the request's
// generation parameters, parse the response body.
func BenchmarkOwnPerCall(b *testing.B) {
	b.ReportAllocs()
	t := NewTransport(nil, nil)
	reqBody := `{"contents":[{"parts":[{"text":"What is the weather in Paris?"}],"role":"user"}],"generationConfig":{"maxOutputTokens":256,"temperature":0.5}}`
	req := httptest.NewRequest("POST", "http://127.0.0.1:1/v1beta/models/gemini-2.5-flash:generateContent", strings.NewReader(reqBody))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(reqBody)), nil }
	body := []byte(chunkTool)
	var out aihttp.Response
	for b.Loop() {
		tg := classify(req, "")
		r := t.request(req, tg)
		if r.MaxTokens != 256 {
			b.Fatal(r)
		}
		out = aihttp.Response{}
		parseJSON(body, &out)
	}
}
