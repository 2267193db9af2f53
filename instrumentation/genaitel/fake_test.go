package genaitel_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fake is a local Gemini API and Vertex AI server speaking the REST shapes
// that google.golang.org/genai calls: generateContent (JSON),
// streamGenerateContent?alt=sse (SSE), batchEmbedContents and embedContent.
// What it answers is chosen per test by its fields, and every request is
// kept for the test to look at.
type fake struct {
	*httptest.Server

	mu       sync.Mutex
	requests []fakeRequest

	// failFirst makes the first n requests fail with failStatus (429 by
	// default), with retry-after headers as the real API may send.
	failFirst  atomic.Int32
	failStatus int
	// chunks is the number of text chunks of a stream before the final one.
	chunks int
	// streamMode picks an unusual stream: "empty", "malformed", "hang"
	// (writes half the chunks then waits for the client to go), "cut"
	// (half the chunks then the connection is closed), "error-event".
	streamMode string
	// firstDelay delays the first chunk (a slow first token).
	firstDelay time.Duration
	// jsonMalformed cuts the generateContent answer in two (a complete
	// body that is not JSON).
	jsonMalformed bool
	// jsonDelay delays the answer (headers included) of generateContent.
	jsonDelay time.Duration
	// crlf ends events with \r\n\r\n, as Google's servers do.
	crlf bool
	// noFinalBlank ends the stream right after the last event's data,
	// without its blank line: genai still hands that chunk to the caller.
	noFinalBlank bool
	// gone is closed when a "hang" stream's client went away.
	gone chan struct{}
}

type fakeRequest struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

func newFake(t testing.TB) *fake {
	f := &fake{failStatus: http.StatusTooManyRequests, chunks: 3, crlf: true, gone: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) reqs() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// The answers. The usage block has cache and reasoning (thoughts) counts;
// totalTokenCount includes them as Gemini's does.
const (
	fakeUsage = `"usageMetadata":{"promptTokenCount":1200,"candidatesTokenCount":300,"totalTokenCount":1550,` +
		`"cachedContentTokenCount":1000,"thoughtsTokenCount":50,"promptTokensDetails":[{"modality":"TEXT","tokenCount":1200}]}`
	fakeJSON = `{"candidates":[{"content":{"parts":[{"text":"It is sunny."},{"functionCall":{"id":"call-1","name":"get_weather","args":{"city":"Paris"}}}],"role":"model"},` +
		`"finishReason":"STOP","index":0}],` + fakeUsage + `,"modelVersion":"gemini-2.5-flash","responseId":"resp-json-1"}`
	fakeEmbed        = `{"embeddings":[{"values":[0.1,-0.2,0.3e-2]},{"values":[1,2,3]}]}`
	fakeVertexEmbed  = `{"embedding":{"values":[0.1,0.2]},"usageMetadata":{"promptTokenCount":8}}`
	fakePredictEmbed = `{"predictions":[{"embeddings":{"values":[0.1,0.2],"statistics":{"token_count":5,"truncated":false}}},` +
		`{"embeddings":{"values":[0.3],"statistics":{"truncated":false,"token_count":4}}}],"metadata":{"billableCharacterCount":12}}`
)

func fakeTextChunk(i int) string {
	return fmt.Sprintf(`{"candidates":[{"content":{"parts":[{"text":"word %d, \"quoted\" {x}"}],"role":"model"},"index":0}],`+
		`"usageMetadata":{"promptTokenCount":1200,"candidatesTokenCount":%d,"totalTokenCount":%d},"modelVersion":"gemini-2.5-flash","responseId":"resp-sse-1"}`, i, i+1, 1201+i)
}

func fakeLastChunk() string {
	return `{"candidates":[{"content":{"parts":[{"text":"."}],"role":"model"},"finishReason":"STOP","index":0}],` + fakeUsage +
		`,"modelVersion":"gemini-2.5-flash","responseId":"resp-sse-1"}`
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
	f.mu.Unlock()
	h := w.Header()
	h["Date"] = nil // identical headers for every call, so results compare
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Server-Timing", "gfet4t7; dur=12")

	if f.failFirst.Add(-1) >= 0 {
		status := f.failStatus
		h.Set("Retry-After", "0")
		h.Set("Retry-After-Ms", "5")
		w.WriteHeader(status)
		grpc := map[int]string{429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 400: "INVALID_ARGUMENT", 501: "UNIMPLEMENTED"}[status]
		fmt.Fprintf(w, `{"error":{"code":%d,"message":"fake failure %d","status":%q}}`, status, status, grpc)
		return
	}
	_, method, _ := strings.Cut(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], ":")
	switch method {
	case "generateContent":
		if f.jsonMalformed {
			io.WriteString(w, fakeJSON[:len(fakeJSON)/2])
			return
		}
		if f.jsonDelay > 0 {
			select {
			case <-time.After(f.jsonDelay):
			case <-r.Context().Done():
				return
			}
		}
		io.WriteString(w, fakeJSON)
	case "batchEmbedContents":
		io.WriteString(w, fakeEmbed)
	case "embedContent":
		io.WriteString(w, fakeVertexEmbed)
	case "predict":
		io.WriteString(w, fakePredictEmbed)
	case "streamGenerateContent":
		f.stream(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fake) stream(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Content-Disposition", "attachment")
	w.WriteHeader(http.StatusOK)
	fl := w.(http.Flusher)
	fl.Flush()
	end := "\n\n"
	if f.crlf {
		end = "\r\n\r\n"
	}
	event := func(data string) {
		io.WriteString(w, "data: "+data+end)
		fl.Flush()
	}
	if f.firstDelay > 0 {
		select {
		case <-time.After(f.firstDelay):
		case <-r.Context().Done():
			return
		}
	}
	switch f.streamMode {
	case "empty":
		return
	case "malformed":
		// genai ends the stream at the malformed event: wait for it to go,
		// so that it cannot have read further.
		event(fakeTextChunk(0))
		event(`{"candidates":[{"content":{"parts":[{"text":"broken`)
		<-r.Context().Done()
		return
	case "error-event":
		event(fakeTextChunk(0))
		event(`{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`)
		return
	case "hang", "cut":
		for i := range max(1, f.chunks/2) {
			event(fakeTextChunk(i))
		}
		if f.streamMode == "cut" {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err == nil {
				buf.Flush()
				conn.Close()
			}
			return
		}
		<-r.Context().Done()
		close(f.gone)
		return
	}
	for i := range f.chunks {
		event(fakeTextChunk(i))
	}
	if f.noFinalBlank {
		io.WriteString(w, "data: "+fakeLastChunk()) // no blank line: the stream just ends
		return
	}
	event(fakeLastChunk())
}
