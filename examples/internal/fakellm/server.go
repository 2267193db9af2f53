// Package fakellm is a fake LLM provider for the example services and
// their tests: one HTTP server on 127.0.0.1 that speaks OpenAI's Chat
// Completions, Responses and Embeddings APIs and Anthropic's Messages API,
// as JSON and as server-sent events, the way the real APIs do.
//
// Its answers are deterministic functions of the request body: the same
// request gets the same text, token counts and delay. They carry realistic
// usage blocks: cached and cache-write input tokens, and reasoning tokens
// for the requests that ask for reasoning (OpenAI's reasoning_effort or an
// o-series model, Anthropic's thinking). OpenAI chat streams end with the
// usage chunk only when stream_options.include_usage is set; Anthropic
// streams carry message_start and the cumulative message_delta. When the
// request offers tools, the first turn asks for a tool call and the turn
// after the tool's result answers.
//
// Failures on purpose: every Nth call's first attempt answers 429 with a
// short retry-after-ms, so that the client's retry succeeds (one call, two
// attempts); a request can ask for a fault with the FaultHeader header
// (slow first token, 500s, 429s, a stream cut half-way, a malformed event).
//
// The real clients talk to it with their base URL set:
//
//	srv, _ := fakellm.Start(fakellm.Config{RateLimitEvery: 7})
//	defer srv.Close()
//	oc := openai.NewClient(option.WithBaseURL(srv.OpenAIBaseURL()), option.WithAPIKey("fake"))
//	ac := anthropic.NewClient(aoption.WithBaseURL(srv.AnthropicBaseURL()), aoption.WithAPIKey("fake"))
package fakellm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// FaultHeader is the request header that asks for a fault. Its values are
// the Fault constants; anything else is no fault.
const FaultHeader = "X-Fakellm-Fault"

// The faults a request can ask for in FaultHeader.
const (
	// FaultSlow delays the first token by Config.SlowFirstToken.
	FaultSlow = "slow"
	// FaultError answers every attempt with a 500 and the provider's
	// server error body.
	FaultError = "error"
	// FaultRateLimited answers every attempt with a 429 and the
	// provider's rate limit body.
	FaultRateLimited = "rate_limited"
	// FaultCut stops a stream half-way, without its end marker, and a
	// JSON answer half-way through its declared length.
	FaultCut = "cut"
	// FaultMalformed puts an event whose data is not JSON in the middle
	// of a stream (a JSON answer is cut short of its closing brace).
	FaultMalformed = "malformed"
)

// Config sets the server's timing and failures. The zero value is a fast,
// reliable provider.
type Config struct {
	// FirstToken is the time from the request to the first chunk of a
	// stream or to the body of a JSON answer (default 30 ms). Each request
	// adds up to FirstTokenJitter more (default 40 ms), derived from its
	// body.
	FirstToken, FirstTokenJitter time.Duration
	// SlowFirstToken is the first token's delay with FaultSlow (default
	// 1.2 s).
	SlowFirstToken time.Duration
	// ChunkInterval is the time between two content chunks of a stream
	// (default 3 ms); a JSON answer waits for all of them.
	ChunkInterval time.Duration
	// Chunks is the number of content chunks in an answer (default 12).
	Chunks int
	// RateLimitEvery makes the first attempt of every Nth call answer 429
	// (0: never). A first attempt is a request whose
	// X-Stainless-Retry-Count is 0 or absent; retries are never rate
	// limited this way.
	RateLimitEvery int
	// RetryAfter is the retry-after-ms of the 429 and 5xx answers
	// (default 10 ms).
	RetryAfter time.Duration
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.FirstToken, 30*time.Millisecond)
	def(&c.FirstTokenJitter, 40*time.Millisecond)
	def(&c.SlowFirstToken, 1200*time.Millisecond)
	def(&c.ChunkInterval, 3*time.Millisecond)
	def(&c.RetryAfter, 10*time.Millisecond)
	if c.Chunks <= 0 {
		c.Chunks = 12
	}
	return c
}

// Stats counts what the server answered.
type Stats struct {
	Requests    int64 // every request to a model API
	FirstTries  int64 // requests that were a call's first attempt
	RateLimited int64 // 429 answers
	ServerError int64 // 500 answers
	Streams     int64 // streamed answers started
}

// Server is a running fake provider. It is an http.Handler too, for tests
// that bring their own listener.
type Server struct {
	// URL is the server's root, http://127.0.0.1:PORT.
	URL string

	cfg  Config
	srv  *http.Server
	done chan struct{}
	seq  atomic.Uint64 // response ids
	st   struct{ requests, first, limited, failed, streams atomic.Int64 }
	mux  *http.ServeMux
}

// New returns the fake provider as a handler, without listening.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg.withDefaults(), mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/chat/completions", s.chat)
	s.mux.HandleFunc("POST /v1/responses", s.responses)
	s.mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	s.mux.HandleFunc("POST /v1/messages", s.messages)
	return s
}

// Start listens on a free loopback port and serves the fake provider
// until Close.
func Start(cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakellm: %w", err)
	}
	s := New(cfg)
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// Close stops a server that Start started: it closes the listener and
// every connection, in-flight streams included, and waits for the serving
// goroutine.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	<-s.done
	return err
}

// OpenAIBaseURL is the base URL for openai-go's option.WithBaseURL (it
// ends in /v1: the client appends chat/completions, responses,
// embeddings).
func (s *Server) OpenAIBaseURL() string { return s.URL + "/v1/" }

// AnthropicBaseURL is the base URL for anthropic-sdk-go's
// option.WithBaseURL (the client appends v1/messages).
func (s *Server) AnthropicBaseURL() string { return s.URL + "/" }

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	return Stats{
		Requests: s.st.requests.Load(), FirstTries: s.st.first.Load(),
		RateLimited: s.st.limited.Load(), ServerError: s.st.failed.Load(), Streams: s.st.streams.Load(),
	}
}

// ServeHTTP answers the model APIs; anything else is a 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// call is one request as the handlers see it.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	hash  uint64
	fault string
	id    uint64
}

const maxBody = 4 << 20

// begin reads the request and answers the failures that come before any
// model work. It returns nil when it has answered.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, p provider) *call {
	s.st.requests.Add(1)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		p.writeError(w, http.StatusBadRequest, "invalid_request_error", "the request body could not be read or is over 4 MiB", 0)
		return nil
	}
	c := &call{w: w, r: r, body: body, hash: requestHash(body), fault: r.Header.Get(FaultHeader), id: s.seq.Add(1)}
	first := r.Header.Get("X-Stainless-Retry-Count")
	if first == "" || first == "0" {
		n := s.st.first.Add(1)
		if s.cfg.RateLimitEvery > 0 && n%int64(s.cfg.RateLimitEvery) == 0 {
			s.rateLimit(w, p)
			return nil
		}
	}
	switch c.fault {
	case FaultRateLimited:
		s.rateLimit(w, p)
		return nil
	case FaultError:
		// A failing provider takes its time before it fails.
		if !s.wait(r.Context(), s.cfg.FirstToken) {
			return nil
		}
		s.st.failed.Add(1)
		w.Header().Set("Retry-After-Ms", strconv.FormatInt(s.cfg.RetryAfter.Milliseconds(), 10))
		p.writeError(w, http.StatusInternalServerError, "", "", c.id)
		return nil
	}
	return c
}

func (s *Server) rateLimit(w http.ResponseWriter, p provider) {
	s.st.limited.Add(1)
	w.Header().Set("Retry-After-Ms", strconv.FormatInt(max(1, s.cfg.RetryAfter.Milliseconds()), 10))
	w.Header().Set("Retry-After", "1")
	p.writeError(w, http.StatusTooManyRequests, "", "", s.seq.Add(1))
}

// firstTokenDelay is the wait before the first chunk of c's answer.
func (s *Server) firstTokenDelay(c *call) time.Duration {
	if c.fault == FaultSlow {
		return s.cfg.SlowFirstToken
	}
	return s.cfg.FirstToken + time.Duration(c.hash%uint64(s.cfg.FirstTokenJitter+1))
}

// wait sleeps d or until ctx ends; it reports whether d elapsed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// requestHash identifies a request by its body without the fields that
// ask for a stream: a streamed answer is the JSON answer in pieces.
func requestHash(body []byte) uint64 {
	h := fnv.New64a()
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) == nil {
		delete(m, "stream")
		delete(m, "stream_options")
		if b, err := json.Marshal(m); err == nil { // keys sorted
			body = b
		}
	}
	_, _ = h.Write(body)
	return h.Sum64()
}

// beginJSON is begin, then the JSON request body read into a Q, answering
// a 400 if it is not JSON. It returns a nil call when it has answered.
func beginJSON[Q any](s *Server, w http.ResponseWriter, r *http.Request, p provider) (*call, Q) {
	var q Q
	c := s.begin(w, r, p)
	if c == nil {
		return nil, q
	}
	if err := json.Unmarshal(c.body, &q); err != nil {
		p.writeError(c.w, http.StatusBadRequest, "invalid_request_error", "the request body is not JSON: "+err.Error(), c.id)
		return nil, q
	}
	return c, q
}

// writeJSON answers v as JSON; the cut and malformed faults damage it.
func (s *Server) writeJSON(c *call, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(c.w, err.Error(), http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "application/json")
	switch c.fault {
	case FaultCut:
		// Declare the whole length, send half: the client reads an
		// unexpected EOF.
		c.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		c.w.WriteHeader(status)
		_, _ = c.w.Write(b[:len(b)/2])
		return
	case FaultMalformed:
		b = b[:len(b)-1]
	}
	c.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

// sse writes server-sent events, flushing each.
type sse struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s *Server) startSSE(c *call) *sse {
	s.st.streams.Add(1)
	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	c.w.WriteHeader(http.StatusOK)
	return &sse{w: c.w, rc: http.NewResponseController(c.w)}
}

// event writes one event (name may be empty) with v as JSON data, or
// with v itself when it is a string.
func (e *sse) event(name string, v any) error {
	var data []byte
	switch v := v.(type) {
	case string:
		data = []byte(v)
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			return err
		}
	}
	buf := make([]byte, 0, len(name)+len(data)+16)
	if name != "" {
		buf = append(append(append(buf, "event: "...), name...), '\n')
	}
	buf = append(append(append(buf, "data: "...), data...), "\n\n"...)
	if _, err := e.w.Write(buf); err != nil {
		return err
	}
	return e.rc.Flush()
}

// errStop ends a stream early (a fault or the client went away).
var errStop = errors.New("stream stopped")

// provider is what differs between the two providers' error answers.
type provider interface {
	writeError(w http.ResponseWriter, status int, typ, msg string, id uint64)
}
