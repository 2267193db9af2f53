package openaitel

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fake OpenAI server on 127.0.0.1 for the tests: it answers each
// request with the next reply of its script (the last one repeats), and
// records what it received.

type reply struct {
	status  int
	headers map[string]string
	body    string   // a JSON body
	events  []string // SSE: each a complete event ("data: {...}\n\n")
	// cutAfter closes the connection after that many events (a stream cut
	// half-way); 0 sends them all.
	cutAfter int
	// firstDelay holds the first event back (a slow first token); delay
	// waits between events.
	firstDelay, delay time.Duration
	// block, when set, makes the stream wait after cutAfter events until
	// the request's context ends (for cancellation tests).
	block bool
}

type fake struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	script   []reply
	next     int
	requests []received
}

type received struct {
	path, query string
	header      http.Header
	body        []byte
}

func newFake(t testing.TB) *fake {
	f := &fake{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the base URL to give the client (openai-go appends the paths).
func (f *fake) URL() string { return f.srv.URL + "/v1" }

// play replaces the script and forgets the requests.
func (f *fake) play(rs ...reply) {
	f.mu.Lock()
	f.script, f.next, f.requests = rs, 0, nil
	f.mu.Unlock()
}

func (f *fake) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.requests...)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, received{path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone(), body: body})
	var rep reply
	if len(f.script) > 0 {
		rep = f.script[min(f.next, len(f.script)-1)]
		f.next++
	}
	f.mu.Unlock()
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	if rep.events == nil {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(rep.status)
	fl, _ := w.(http.Flusher)
	fl.Flush()
	for i, ev := range rep.events {
		if rep.cutAfter > 0 && i == rep.cutAfter {
			if rep.block {
				<-r.Context().Done()
				return
			}
			// Abort the connection: the client sees an unexpected EOF.
			panic(http.ErrAbortHandler)
		}
		d := rep.delay
		if i == 0 {
			d = rep.firstDelay
		}
		if d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if _, err := io.WriteString(w, ev); err != nil {
			return
		}
		fl.Flush()
	}
}

// Payloads.

const (
	chatModel     = "gpt-4o-mini"
	chatRespModel = "gpt-4o-mini-2024-07-18"
)

// usageJSON is a Chat Completions usage block with cache and reasoning tokens.
const usageJSON = `{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,` +
	`"prompt_tokens_details":{"cached_tokens":1000,"cache_write_tokens":100,"audio_tokens":0},` +
	`"completion_tokens_details":{"reasoning_tokens":120,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`

func chatCompletionJSON(model string) string {
	return `{"id":"chatcmpl-123","object":"chat.completion","created":1764633600,"model":"` + model + `",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello there.","refusal":null,` +
		`"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},` +
		`"logprobs":null,"finish_reason":"tool_calls"}],"usage":` + usageJSON + `,"service_tier":"default","system_fingerprint":"fp_1"}`
}

func sse(data string) string { return "data: " + data + "\n\n" }

func sseEvent(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }

// chatChunk is one content chunk of a chat stream.
func chatChunk(model, content string) string {
	return `{"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1764633600,"model":"` + model +
		`","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":` +
		jsonString(content) + `},"logprobs":null,"finish_reason":null}],"usage":null}`
}

// chatStream is a chat stream of n content chunks, a finish chunk, a
// usage chunk when withUsage, and [DONE].
func chatStream(model string, n int, withUsage bool) []string {
	evs := []string{sse(`{"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1764633600,"model":"` + model +
		`","service_tier":"default","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}`)}
	for i := range n {
		evs = append(evs, sse(chatChunk(model, fmt.Sprintf("word%d ", i))))
	}
	evs = append(evs, sse(`{"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1764633600,"model":"`+model+
		`","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`))
	if withUsage {
		evs = append(evs, sse(`{"id":"chatcmpl-s1","object":"chat.completion.chunk","created":1764633600,"model":"`+model+
			`","choices":[],"usage":`+usageJSON+`}`))
	}
	return append(evs, sse("[DONE]"))
}

// responsesUsageJSON is a Responses API usage block.
const responsesUsageJSON = `{"input_tokens":800,"input_tokens_details":{"cached_tokens":500,"cache_write_tokens":0},` +
	`"output_tokens":200,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":1000}`

func responseJSON(model, status string) string {
	return `{"id":"resp_1","object":"response","created_at":1764633600,"status":"` + status + `","error":null,` +
		`"incomplete_details":null,"model":"` + model + `","output":[` +
		`{"type":"reasoning","id":"rs_1","summary":[]},` +
		`{"type":"function_call","id":"fc_1","call_id":"call_1","name":"lookup","arguments":"{}","status":"completed"},` +
		`{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi.","annotations":[]}]}],` +
		`"parallel_tool_calls":true,"service_tier":"default","tool_choice":"auto","tools":[],"usage":` + responsesUsageJSON + `}`
}

// responsesStream is a Responses stream of n text deltas ending with
// response.completed.
func responsesStream(model string, n int) []string {
	created := `{"id":"resp_1","object":"response","created_at":1764633600,"status":"in_progress","error":null,"incomplete_details":null,"model":"` +
		model + `","output":[],"usage":null}`
	evs := []string{
		sseEvent("response.created", `{"type":"response.created","sequence_number":0,"response":`+created+`}`),
		sseEvent("response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":`+created+`}`),
		sseEvent("response.output_item.added", `{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1","status":"in_progress","role":"assistant","content":[]}}`),
	}
	for i := range n {
		evs = append(evs, sseEvent("response.output_text.delta", fmt.Sprintf(
			`{"type":"response.output_text.delta","sequence_number":%d,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"word%d ","logprobs":[]}`, 3+i, i)))
	}
	evs = append(evs,
		sseEvent("response.output_item.done", fmt.Sprintf(`{"type":"response.output_item.done","sequence_number":%d,"output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"lookup","arguments":"{}","status":"completed"}}`, 3+n)),
		sseEvent("response.completed", fmt.Sprintf(`{"type":"response.completed","sequence_number":%d,"response":%s}`, 4+n, responseJSON(model, "completed"))),
	)
	return evs
}

const embeddingJSON = `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2,0.3]}],` +
	`"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}`

func errorJSON(typ, code, msg string) string {
	c := "null"
	if code != "" {
		c = jsonString(code)
	}
	return `{"error":{"message":` + jsonString(msg) + `,"type":` + jsonString(typ) + `,"param":null,"code":` + c + `}}`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// eventsText joins events into the raw stream (for the parser tests).
func eventsText(evs []string) string { return strings.Join(evs, "") }
