package genaitel

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"

	"google.golang.org/genai"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// Transport is an http.RoundTripper that records the Gemini API and Vertex
// AI calls of google.golang.org/genai passing through it; every other
// request goes to the base transport untouched. Build it with NewTransport
// (or WrapClient) and give it to genai in ClientConfig.HTTPClient. It is
// safe for concurrent use.
type Transport struct {
	base    http.RoundTripper
	tr      *aihttp.Tracker
	cfg     config
	capture bool
}

var _ http.RoundTripper = (*Transport)(nil)

// NewTransport returns a Transport that records through ai (build it once
// with metrics.NewAI) and sends requests with base (http.DefaultTransport
// when nil). A nil ai records nothing: the Transport then only passes
// requests through.
func NewTransport(base http.RoundTripper, ai *metrics.AI, opts ...Option) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	cfg := newConfig(opts)
	return &Transport{
		base: base,
		tr: aihttp.NewTracker(aihttp.Config{
			AI:         ai,
			MaxRetries: cfg.maxRetries,
			RetryGrace: cfg.retryGrace,
			// genai returns a body that breaks while it is read as the
			// call's error: it never retries it.
			BodyErrorsFinal: true,
		}),
		cfg:     cfg,
		capture: ai.ContentCapture(),
	}
}

// WrapClient returns a copy of c (a new &http.Client{} when nil) whose
// transport is a Transport around c's: the one thing to give genai.
//
//	client, err := genai.NewClient(ctx, &genai.ClientConfig{
//		APIKey:     apiKey,
//		HTTPClient: genaitel.WrapClient(nil, ai),
//	})
//
// On Vertex AI with Application Default Credentials, genai authenticates
// only the client it builds itself: wrap an authenticated client (for
// example from cloud.google.com/go/auth/httptransport.NewClient) instead of
// nil.
func WrapClient(c *http.Client, ai *metrics.AI, opts ...Option) *http.Client {
	var nc http.Client
	if c != nil {
		nc = *c
	}
	nc.Transport = NewTransport(nc.Transport, ai, opts...)
	return &nc
}

// callKey identifies the attempts of one genai call: genai sends every
// attempt of a call with the same header map (one per call, built by the
// client), and net/http's clones keep it. Holding the map's pointer keeps
// it alive, so a later call cannot reuse the address while one waits.
type callKey struct{ header any }

// RoundTrip records generateContent, streamGenerateContent and the
// embedding calls, passing the request and the response through unchanged
// (the response body is watched as the caller reads it).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tg := classify(req, t.cfg.provider)
	if tg.method == methodNone || t.tr.AI() == nil {
		return t.base.RoundTrip(req)
	}
	r := t.request(req, tg)
	var key any
	if t.cfg.maxRetries > 0 && req.Header != nil {
		key = callKey{reflect.ValueOf(req.Header).UnsafePointer()}
	}
	a := t.tr.Begin(req, key, -1, r)
	resp, err := t.base.RoundTrip(req.WithContext(a.Context()))
	if resp != nil {
		resp.Request = req // the caller's request, as without us
	}
	if resp == nil || resp.StatusCode < 400 || t.cfg.maxRetries == 0 {
		return a.End(resp, err, handlerFor(tg.method))
	}
	return endWithRetryHint(a, resp, err, tg.method, t.cfg.retries(resp.StatusCode))
}

// endWithRetryHint ends an attempt that failed with a status, telling the
// tracker whether genai retries it: genai's retryable statuses
// (HTTPRetryOptions.HTTPStatusCodes, by default 408, 429, 500, 502, 503,
// 504) are not the Stainless clients' that the tracker assumes. The hint is
// an x-should-retry header, which the tracker honours; it is put back as it
// was before the caller gets the response.
func endWithRetryHint(a *aihttp.Attempt, resp *http.Response, err error, m method, retry bool) (*http.Response, error) {
	const h = "X-Should-Retry"
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	old, had := resp.Header[h]
	if retry {
		resp.Header[h] = hintTrue
	} else {
		resp.Header[h] = hintFalse
	}
	resp, err = a.End(resp, err, handlerFor(m))
	if had {
		resp.Header[h] = old
	} else {
		delete(resp.Header, h)
	}
	return resp, err
}

var (
	hintTrue  = []string{"true"}
	hintFalse = []string{"false"}
)

// request reads the call's description from the URL and, through
// GetBody's copy, the request body; the caller's body is not touched.
func (t *Transport) request(req *http.Request, tg target) aihttp.Request {
	r := aihttp.Request{Stream: tg.method == methodStream}
	r.Operation = tg.operation()
	r.Provider = tg.provider
	r.Model = tg.model
	if req.GetBody == nil || tg.method != methodGenerate && tg.method != methodStream {
		return r
	}
	body, err := req.GetBody()
	if err != nil {
		return r
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err = io.Copy(buf, io.LimitReader(body, maxRequestBody))
	_ = body.Close()
	if err == nil {
		q := requestPool.Get().(*request)
		q.maxTokens, q.hasTemp = 0, false
		q.parse(buf.Bytes())
		r.MaxTokens = q.maxTokens
		if q.hasTemp {
			temp := q.temperature
			r.Temperature = &temp
		}
		requestPool.Put(q)
		if t.capture {
			r.Prompt = promptText(buf.Bytes())
		}
	}
	if buf.Cap() <= 1<<20 {
		bodyPool.Put(buf)
	}
	return r
}

// maxRequestBody bounds the part of a request body that is parsed.
const maxRequestBody = 8 << 20

var (
	bodyPool    = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	requestPool = sync.Pool{New: func() any { return new(request) }}
	respPool    = sync.Pool{New: func() any { return new(response) }}
)

// handlerFor returns the aihttp.Handler of a method. The handlers are
// built once.
func handlerFor(m method) *aihttp.Handler {
	if m == methodStream {
		return &streamHandler
	}
	return &jsonHandler
}

var (
	jsonHandler = aihttp.Handler{JSON: parseJSON, ErrorType: errorType}
	// genai reads a stream's data lines as they come: a last event that
	// the stream's end cuts from its blank line still reaches the caller.
	streamHandler = aihttp.Handler{Event: streamEvent, ErrorType: errorType, JSON: parseJSON, PartialLastEvent: true}
)

// parseJSON reads a non-streaming response: generateContent or an
// embedding call.
func parseJSON(body []byte, out *aihttp.Response) bool {
	r := getResponse()
	ok := r.chunk(body)
	fill(r, out, out.Capture(), body)
	if !ok && out.ErrorType == "" {
		// genai fails the call on a body that is not JSON.
		out.ErrorType = ailabels.ErrorTypeMalformedResponse
	}
	respPool.Put(r)
	return ok
}

// fill copies what r found in a body into out.
func fill(r *response, out *aihttp.Response, capture bool, doc []byte) {
	fillCall(r, out)
	if r.errSeen {
		out.ErrorType = errorTypeOf(r)
	}
	if capture {
		appendText(out, doc)
	}
}

// fillCall copies into out what r found of the call, in a body or a
// stream chunk alike: the response id and model, the finish reasons (a
// candidate that has one is done), the usage and the tool calls.
func fillCall(r *response, out *aihttp.Response) {
	out.SetID(r.responseID)
	out.SetModel(r.modelVersion)
	for i := range r.nFinish {
		if len(r.finish[i]) > 0 {
			out.SetFinishReason(i, r.finish[i])
			out.Done = true
		}
	}
	if u, ok := r.Usage(); ok {
		out.Usage, out.HasUsage = u, true
	}
	for i := range r.nTools {
		out.AddToolCall(r.tools[i].id, r.tools[i].name)
	}
}

// streamEvent reads one event of streamGenerateContent?alt=sse: every
// data event is a complete GenerateContentResponse, so each is parsed on
// its own (with a pooled parser: no allocation once the response id and
// model are known); usage is a running total in each chunk that has it,
// the finish reason comes in the last.
func streamEvent(_, data []byte, out *aihttp.Response) bool {
	if len(data) == 0 {
		return false
	}
	r := getResponse()
	if !r.chunk(data) {
		// genai fails the stream on an event that is not JSON (v1.77.0
		// ends the stream there; older versions went on).
		if out.ErrorType == "" {
			out.ErrorType = ailabels.ErrorTypeMalformedResponse
		}
		respPool.Put(r)
		return false
	}
	fillCall(r, out)
	chunk := true
	if r.errSeen && out.ErrorType == "" {
		// An error event: {"error":{"code":503,"status":"UNAVAILABLE"}}.
		out.ErrorType = errorTypeOf(r)
		chunk = false
	}
	respPool.Put(r)
	if chunk && out.Capture() {
		appendText(out, data)
	}
	return chunk
}

// getResponse returns a pooled parser, emptied but keeping its buffers.
func getResponse() *response {
	r := respPool.Get().(*response)
	r.clear()
	return r
}

// errorTypeOf is the error.type of an error the body reported: its status
// (RESOURCE_EXHAUSTED, UNAVAILABLE), else its code.
func errorTypeOf(r *response) string {
	if len(r.errStatus) > 0 {
		if t := aihttp.ErrorType(0, string(r.errStatus), nil); t != "" {
			return t
		}
	}
	if r.errCode >= 400 {
		return aihttp.ErrorType(int(r.errCode), "", nil)
	}
	return ailabels.ErrorTypeOther
}

// errorType reads Gemini's error body, {"error":{"code":429,
// "message":"...","status":"RESOURCE_EXHAUSTED"}}, for its status.
func errorType(_ int, body []byte) string {
	r := getResponse()
	defer respPool.Put(r)
	r.chunk(body)
	if len(r.errStatus) > 0 {
		return string(r.errStatus)
	}
	return ""
}

// promptText returns the text parts of a request's contents, for content
// capture (opt-in: this decodes the body).
func promptText(body []byte) string {
	var req struct {
		Contents []struct {
			Parts []struct {
				Text string `json:"text"`
			} `json:"parts"`
		} `json:"contents"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	var b bytes.Buffer
	for _, c := range req.Contents {
		for _, p := range c.Parts {
			if p.Text != "" {
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(p.Text)
			}
		}
	}
	return b.String()
}

// appendText adds a response's text parts to the completion, for content
// capture (opt-in: this decodes the document).
func appendText(out *aihttp.Response, doc []byte) {
	var resp struct {
		Candidates []struct {
			Content struct {
				Parts []struct {
					Text    string `json:"text"`
					Thought bool   `json:"thought"`
				} `json:"parts"`
			} `json:"content"`
		} `json:"candidates"`
	}
	if json.Unmarshal(doc, &resp) != nil || len(resp.Candidates) == 0 {
		return
	}
	for _, p := range resp.Candidates[0].Content.Parts {
		if !p.Thought {
			out.AppendCompletion([]byte(p.Text))
		}
	}
}

// genaiRetries is what genai retries with HTTPOptions.RetryOptions: its
// default statuses, and its default number of attempts (the first one
// included).
var genaiRetries = []int32{408, 429, 500, 502, 503, 504}

const genaiDefaultAttempts = 5

// config is the Transport's configuration.
type config struct {
	maxRetries int
	statuses   []int32
	retryGrace time.Duration
	provider   string
}

func (c config) retries(status int) bool {
	if c.maxRetries == 0 {
		return false
	}
	return slices.Contains(c.statuses, int32(status))
}

func newConfig(opts []Option) config {
	c := config{statuses: genaiRetries}
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	return c
}

// Option configures NewTransport and WrapClient.
type Option interface{ apply(config) config }

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithRetryOptions tells the Transport how the genai client retries: pass
// the same value as ClientConfig.HTTPOptions.RetryOptions, so that a call
// the client retries is recorded once, with its attempts. nil (genai's
// default) means no retries.
func WithRetryOptions(o *genai.HTTPRetryOptions) Option {
	return optionFunc(func(c config) config {
		if o == nil {
			c.maxRetries = 0
			return c
		}
		attempts := genaiDefaultAttempts
		if o.Attempts != nil {
			attempts = int(*o.Attempts)
		}
		c.maxRetries = max(0, attempts-1)
		c.statuses = genaiRetries
		if len(o.HTTPStatusCodes) > 0 {
			c.statuses = slices.Clone(o.HTTPStatusCodes)
		}
		// genai waits up to MaxDelay (60 s by default) plus its jitter
		// between attempts: a call waits that long for its next one.
		maxDelay, jitter := 60.0, 1.0
		if o.MaxDelay != nil {
			maxDelay = *o.MaxDelay
		}
		if o.Jitter != nil {
			jitter = *o.Jitter
		}
		c.retryGrace = time.Duration((max(0, maxDelay)+max(0, jitter))*float64(time.Second)) + time.Second
		return c
	})
}

// WithMaxRetries is WithRetryOptions for a client configured with
// HTTPRetryOptions{Attempts: n + 1} and genai's default delays and
// statuses.
func WithMaxRetries(n int) Option {
	return WithRetryOptions(&genai.HTTPRetryOptions{Attempts: genai.Ptr(int32(max(0, n) + 1))})
}

// WithBackend says which backend the client uses, for the provider label
// and price list (ailabels.ProviderGCPGemini for genai.BackendGeminiAPI,
// ailabels.ProviderGCPVertexAI for genai.BackendVertexAI). Without it the
// Transport reads it from each request's URL, which tells them apart
// unless a proxy rewrites it.
func WithBackend(b genai.Backend) Option {
	return optionFunc(func(c config) config {
		switch b {
		case genai.BackendGeminiAPI:
			c.provider = ailabels.ProviderGCPGemini
		case genai.BackendVertexAI, genai.BackendEnterprise:
			c.provider = ailabels.ProviderGCPVertexAI
		default:
			c.provider = ""
		}
		return c
	})
}
