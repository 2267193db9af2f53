package anthropictel

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// The fake Anthropic API of the tests, on 127.0.0.1: POST /v1/messages as the
// first-party API serves it (JSON, or SSE when the body has "stream":true),
// Bedrock's /model/{id}/invoke and /invoke-with-response-stream (JSON and the
// AWS event stream) and Vertex AI's .../models/{model}:rawPredict and
// :streamRawPredict. The scenario is the X-Fake header of the request, so that
// the instrumented and the bare client can be sent the same one.

const (
	scenarioOK         = "ok"          // a message with a tool call, cache and thinking tokens
	scenario429        = "429"         // every odd attempt: 429 rate_limit_error with retry-after-ms
	scenario500        = "500"         // always 500 api_error (the client retries, then gives up)
	scenarioHang       = "hang"        // a stream that stops half-way and waits for the client to go
	scenarioMalformed  = "malformed"   // a stream with an event whose data is not JSON
	scenarioEmpty      = "empty"       // a 200 stream without a byte
	scenarioSlow       = "slow"        // a stream whose first event comes late
	scenarioErrorEvent = "error_event" // a stream that ends with an overloaded_error event
	scenarioCutClean   = "cut_clean"   // a stream that ends cleanly before message_stop (no final usage)
	scenarioNoRetry    = "no_retry"    // a 529 overloaded_error with x-should-retry: false
)

const (
	fakeModel   = "claude-sonnet-4-5-20250929"
	fakeMsgID   = "msg_01FAKE"
	slowFirst   = 40 * time.Millisecond
	fakeToolID  = "toolu_01FAKE"
	fakeToolNam = "get_weather"
)

// The usage every successful response carries: input_tokens excludes the
// cache, as the API reports it.
const (
	fakeInput     = 25
	fakeCacheRead = 100
	fakeCache5m   = 30
	fakeCache1h   = 20
	fakeOutput    = 42
	fakeThinking  = 7
)

type fakeServer struct {
	srv      *httptest.Server
	hits     atomic.Int64
	deltas   int                    // content_block_delta events of a stream
	lastBody atomic.Pointer[[]byte] // the last request body
	lastPath atomic.Pointer[string] // the last request path
	// onRequest, when set before the first request, sees each request.
	onRequest func(*http.Request)
	// client sends every request to the server whatever its URL's host, as
	// DNS would for the real API, Bedrock or Vertex AI.
	client *http.Client
}

func newFake(tb testing.TB) *fakeServer {
	f := &fakeServer{deltas: 3}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tr := &http.Transport{}
	f.client = &http.Client{Transport: toFake{host: f.srv.Listener.Addr().String(), base: tr}}
	tb.Cleanup(func() {
		tr.CloseIdleConnections()
		f.srv.Close()
	})
	return f
}

// toFake sends a request to the fake server over plain HTTP, keeping its
// Host header: the clients believe they talk to api.anthropic.com,
// bedrock-runtime.us-east-1.amazonaws.com or us-east5-aiplatform.googleapis.com.
type toFake struct {
	host string
	base http.RoundTripper
}

func (t toFake) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = "http", t.host
	out.Host = r.URL.Host
	resp, err := t.base.RoundTrip(out)
	if resp != nil {
		resp.Request = r
	}
	return resp, err
}

func (f *fakeServer) URL() string { return f.srv.URL }

func usageJSON(final bool) string {
	out := 1
	if final {
		out = fakeOutput
	}
	u := fmt.Sprintf(`{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"cache_creation":{"ephemeral_5m_input_tokens":%d,"ephemeral_1h_input_tokens":%d},"output_tokens":%d`,
		fakeInput, fakeCache5m+fakeCache1h, fakeCacheRead, fakeCache5m, fakeCache1h, out)
	if final {
		u += fmt.Sprintf(`,"output_tokens_details":{"thinking_tokens":%d}`, fakeThinking)
	}
	return u + `,"service_tier":"standard"}`
}

func messageJSON(model string) string {
	return `{"id":"` + fakeMsgID + `","type":"message","role":"assistant","model":"` + model + `",` +
		`"content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Let me check."},` +
		`{"type":"tool_use","id":"` + fakeToolID + `","name":"` + fakeToolNam + `","input":{"city":"Paris"}}],` +
		`"stop_reason":"tool_use","stop_sequence":null,"usage":` + usageJSON(true) + `}`
}

// sseEvent is one event of a stream.
type sseEvent struct{ name, data string }

func streamEvents(model string, deltas int) []sseEvent {
	start := `{"type":"message_start","message":{"id":"` + fakeMsgID + `","type":"message","role":"assistant","model":"` + model +
		`","content":[],"stop_reason":null,"stop_sequence":null,"usage":` + usageJSON(false) + `}}`
	ev := []sseEvent{
		{"message_start", start},
		{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`},
		{"ping", `{"type": "ping"}`},
	}
	for i := range deltas {
		ev = append(ev, sseEvent{"content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"word %d "}}`, i)})
	}
	ev = append(ev,
		sseEvent{"content_block_stop", `{"type":"content_block_stop","index":0}`},
		sseEvent{"content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"` + fakeToolID + `","name":"` + fakeToolNam + `","input":{}}}`},
		sseEvent{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Paris\"}"}}`},
		sseEvent{"content_block_stop", `{"type":"content_block_stop","index":1}`},
		sseEvent{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":` + usageJSON(true) + `}`},
		sseEvent{"message_stop", `{"type":"message_stop"}`},
	)
	return ev
}

func writeError(w http.ResponseWriter, status int, typ string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("request-id", "req_fake")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"type":"error","error":{"type":"`+typ+`","message":"fake `+typ+`"},"request_id":"req_fake"}`)
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	n := f.hits.Add(1)
	if f.onRequest != nil {
		f.onRequest(r)
	}
	body, _ := io.ReadAll(r.Body)
	f.lastBody.Store(&body)
	p := r.URL.Path
	f.lastPath.Store(&p)

	var stream, bedrock bool
	model := fakeModel
	switch {
	case strings.HasPrefix(p, "/model/"):
		bedrock = true
		stream = strings.HasSuffix(p, "/invoke-with-response-stream")
		model = "claude-sonnet-4-5-20250929" // Bedrock answers with Anthropic's model id
	case strings.Contains(p, "/publishers/anthropic/models/"):
		stream = strings.HasSuffix(p, ":streamRawPredict")
	case p == "/v1/messages":
		var req struct {
			Stream bool   `json:"stream"`
			Model  string `json:"model"`
		}
		_ = json.Unmarshal(body, &req)
		stream = req.Stream
	default:
		http.NotFound(w, r)
		return
	}

	scenario := r.Header.Get("X-Fake")
	switch scenario {
	case scenario429:
		if n%2 == 1 {
			w.Header().Set("retry-after-ms", "1")
			w.Header().Set("retry-after", "0")
			writeError(w, http.StatusTooManyRequests, "rate_limit_error")
			return
		}
	case scenario500:
		w.Header().Set("retry-after-ms", "1")
		writeError(w, http.StatusInternalServerError, "api_error")
		return
	case scenarioNoRetry:
		w.Header().Set("x-should-retry", "false")
		writeError(w, 529, "overloaded_error")
		return
	}

	w.Header().Set("request-id", "req_fake")
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, messageJSON(model))
		return
	}

	events := streamEvents(model, f.deltas)
	switch scenario {
	case scenarioMalformed:
		events = append(events[:4:4], sseEvent{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_`})
	case scenarioErrorEvent:
		events = append(events[:4:4], sseEvent{"error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`})
	case scenarioCutClean:
		events = events[:5]
	case scenarioEmpty:
		events = nil
	}

	flusher := w.(http.Flusher)
	if bedrock {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	} else {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	if scenario == scenarioSlow {
		time.Sleep(slowFirst)
	}
	enc := eventstream.NewEncoder()
	for i, e := range events {
		if scenario == scenarioHang && i == 3 { // TestStreamCanceled cancels after the two it can read: nothing is buffered beyond them
			<-r.Context().Done()
			return
		}
		if bedrock {
			var frame bytes.Buffer
			payload, _ := json.Marshal(map[string]string{"bytes": base64.StdEncoding.EncodeToString([]byte(e.data))})
			_ = enc.Encode(&frame, eventstream.Message{
				Headers: eventstream.Headers{
					{Name: ":message-type", Value: eventstream.StringValue("event")},
					{Name: ":event-type", Value: eventstream.StringValue("chunk")},
					{Name: ":content-type", Value: eventstream.StringValue("application/json")},
				},
				Payload: payload,
			})
			_, _ = w.Write(frame.Bytes())
		} else {
			_, _ = io.WriteString(w, "event: "+e.name+"\ndata: "+e.data+"\n\n")
		}
		flusher.Flush()
	}
}
