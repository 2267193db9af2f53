package aihttp

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// Defaults of Config.
const (
	// DefaultRetryGrace is how long past the expected retry delay a failed
	// call waits for its next attempt before it is recorded as failed.
	DefaultRetryGrace = 5 * time.Second
	// DefaultMaxBodyBytes bounds the non-streaming bodies that are parsed.
	DefaultMaxBodyBytes = 8 << 20
	// DefaultMaxErrorBodyBytes bounds the part of an error body looked at
	// for the provider's error type.
	DefaultMaxErrorBodyBytes = 64 << 10
)

// maxPending bounds the calls waiting for a retry; past it a failed
// attempt ends its call at once.
const maxPending = 10000

// maxFailureEvents bounds the failed-attempt events of one call.
const maxFailureEvents = 32

// Config configures a Tracker.
type Config struct {
	// AI records the calls (ai_requests_total, ai_tokens_total,
	// ai_cost_total, the span, the optional gen_ai.client.* histograms).
	// A nil AI records nothing: the Tracker then only passes through.
	AI *metrics.AI
	// MaxRetries is the client's retry budget: how many times it sends a
	// request again after a retriable failure (2 for openai-go and
	// anthropic-sdk-go by default, 0 for genai unless
	// HTTPOptions.RetryOptions is set). A retriable failure of an attempt
	// whose number is below it leaves the call open for the next attempt.
	MaxRetries int
	// RetryGrace is how long past the expected retry delay (RetryDelay) a
	// call left open waits for its next attempt; DefaultRetryGrace when 0.
	RetryGrace time.Duration
	// MaxBodyBytes bounds the non-streaming bodies handed to
	// Handler.JSON; DefaultMaxBodyBytes when 0.
	MaxBodyBytes int
	// MaxEventBytes bounds one SSE event handed to Handler.Event;
	// DefaultMaxEventBytes when 0.
	MaxEventBytes int
	// MaxErrorBodyBytes bounds the error body handed to
	// Handler.ErrorType; DefaultMaxErrorBodyBytes when 0.
	MaxErrorBodyBytes int
	// ShouldRetry says whether the client retries an attempt that ended
	// with resp (nil for a connection error) and err; nil is the
	// Stainless clients' rule (the package's ShouldRetry). genai, for one,
	// retries the statuses of its HTTPRetryOptions.HTTPStatusCodes.
	ShouldRetry func(ctx context.Context, resp *http.Response, err error) bool
	// RetryDelay is how long the client waits before the retry that
	// follows attempt number attempt; nil is the Stainless clients' rule
	// (the package's RetryDelay). A call waits for its next attempt this
	// long plus RetryGrace.
	RetryDelay func(resp *http.Response, attempt int) time.Duration
	// BodyErrorsFinal says the client does not retry a non-streaming
	// response whose body breaks while it is read (openai-go and genai
	// return the error; anthropic-sdk-go retries): such a call is recorded
	// as failed at once instead of waiting RetryDelay plus RetryGrace for a
	// retry that will not come.
	BodyErrorsFinal bool
}

// Tracker groups the HTTP attempts of logical AI calls into one call each
// (one span, one ai_requests_total increment) and records them through
// metrics.AI. Build one per client integration with NewTracker; it is safe
// for concurrent use.
type Tracker struct {
	cfg Config

	mu      sync.Mutex
	pending map[any]*call

	// okModel is the last response model the counters accepted as a model
	// label (usableModel), also the string a Response's SetModel reuses
	// for the same bytes.
	okModel atomic.Pointer[string]
}

// NewTracker returns a Tracker for cfg.
func NewTracker(cfg Config) *Tracker {
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryGrace <= 0 {
		cfg.RetryGrace = DefaultRetryGrace
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxEventBytes <= 0 {
		cfg.MaxEventBytes = DefaultMaxEventBytes
	}
	if cfg.MaxErrorBodyBytes <= 0 {
		cfg.MaxErrorBodyBytes = DefaultMaxErrorBodyBytes
	}
	if cfg.ShouldRetry == nil {
		cfg.ShouldRetry = ShouldRetry
	}
	if cfg.RetryDelay == nil {
		cfg.RetryDelay = RetryDelay
	}
	return &Tracker{cfg: cfg, pending: make(map[any]*call)}
}

// shouldRetry and retryDelay apply the Config's rules, whose panics are
// taken as "no retry" and "the default delay".
func (t *Tracker) shouldRetry(ctx context.Context, resp *http.Response, err error) (retry bool) {
	defer func() {
		if recover() != nil {
			retry = false
		}
	}()
	return t.cfg.ShouldRetry(ctx, resp, err)
}

func (t *Tracker) retryDelay(resp *http.Response, attempt int) (d time.Duration) {
	defer func() {
		if recover() != nil || d < 0 {
			d = RetryDelay(resp, attempt)
		}
	}()
	return t.cfg.RetryDelay(resp, attempt)
}

// AI returns the metrics.AI the Tracker records with (nil for none).
func (t *Tracker) AI() *metrics.AI {
	if t == nil {
		return nil
	}
	return t.cfg.AI
}

// Request describes the logical call an attempt belongs to, as the client
// integration reads it from the request: gen_ai.operation.name, the
// provider (which also selects the price list: ailabels.ProviderOpenAI,
// ProviderAzureOpenAI, ProviderAnthropic, ProviderAWSBedrock,
// ProviderGCPVertexAI, ProviderGCPGemini...), the model as requested and
// the request parameters. Prompt is recorded only with content capture
// (metrics.WithContentCapture): fill it only when AI.ContentCapture().
type Request struct {
	ailabels.Request
	// Stream says the request asked for a streamed response.
	Stream bool
	// Attributes are added to the call's span at its start.
	Attributes []attribute.KeyValue
}

// call states
const (
	stateActive  = iota // an attempt is running
	statePending        // the last attempt failed and a retry may come
	stateDone           // recorded
)

// failure is one failed attempt.
type failure struct {
	n       int // attempt number, from 0
	end     time.Time
	status  int // 0 without a response
	errType string
	err     error
	evented bool // its span event was added
}

// call is one logical call: its span and what its attempts did.
type call struct {
	t   *Tracker
	key any
	mc  *metrics.Call
	ctx context.Context // carries the call's span
	req Request

	// first is the call's first Attempt, and body the first non-streaming
	// body: one allocation for the call, not three.
	first    Attempt
	body     jsonBody
	bodyUsed bool // under mu
	// extra holds the attributes finish adds (stream end, attempts).
	extra [4]attribute.KeyValue

	mu       sync.Mutex
	state    int
	attempts int
	events   int
	last     failure // the last failed attempt
	timer    *time.Timer
	stopCtx  func() bool
	oversize bool
	resp     Response
}

// Attempt is one HTTP attempt of a logical call, begun by Tracker.Begin
// and ended by Attempt.End. A zero or nil Attempt passes everything
// through and records nothing.
type Attempt struct {
	c    *call
	n    int
	ctx  context.Context // the attempt's request context
	span context.Context // ctx with the call's span
}

// Begin starts one HTTP attempt of a logical call. key identifies the call
// across its attempts and must be comparable (a struct of strings and
// numbers, a trace.SpanContext, a pointer): a retry of a failed call with
// the same key joins it, anything else starts a new call. A nil key never
// joins: every attempt is then its own call. attempt is the client's retry
// number (0 for the first attempt, X-Stainless-Retry-Count), or -1 when the
// client does not say (an attempt then joins a call waiting for a retry
// under its key). Begin never fails: without an AI, or with a nil request,
// the Attempt just passes through.
func (t *Tracker) Begin(req *http.Request, key any, attempt int, r Request) *Attempt {
	if t == nil || req == nil || t.cfg.AI == nil {
		return &Attempt{}
	}
	ctx := req.Context()
	var c *call
	if key != nil {
		if old := t.takePending(key); old != nil {
			if attempt == 0 {
				// A new call under the key of a call that waited for a
				// retry: that one got none.
				old.expire()
			} else if old.resume() {
				c = old
			}
		}
	}
	if c == nil {
		if r.Operation == "" {
			r.Operation = ailabels.OperationChat
		}
		p := metrics.CallParams{Stream: r.Stream, Attributes: r.Attributes}
		p.ServerAddress, p.ServerPort = serverOf(req)
		sctx, mc := t.cfg.AI.StartCallParams(ctx, r.Request, p)
		r.Prompt = ""
		c = &call{t: t, key: key, mc: mc, ctx: sctx, req: r}
		// The first attempt's context is the call's: the request's
		// context with the call's span.
		c.first = Attempt{c: c, n: attempt, ctx: ctx, span: sctx}
		if attempt < 0 {
			c.first.n = 0
		}
		c.attempts = 1
		return &c.first
	}
	c.mu.Lock()
	n := attempt
	if n < 0 {
		n = c.attempts
	}
	c.attempts++
	c.mu.Unlock()
	return &Attempt{c: c, n: n, ctx: ctx, span: trace.ContextWithSpan(ctx, c.mc.Span())}
}

// SetProvider changes the call's provider (gen_ai.provider.name, the
// counters' provider label, the price list) when the integration learns
// it late, from the response (anthropic-sdk-go behind a base URL of one's
// own): the call is recorded with it whether it succeeds or fails. A
// Handler's Response.Usage.Provider still wins for a success.
func (a *Attempt) SetProvider(provider string) {
	if a == nil || a.c == nil || provider == "" {
		return
	}
	a.c.mu.Lock()
	a.c.req.Provider = provider
	a.c.mu.Unlock()
	a.c.mc.SetProvider(provider)
}

// serverOf returns server.address and server.port from the request URL.
func serverOf(req *http.Request) (string, int) {
	if req.URL == nil {
		return "", 0
	}
	host := req.URL.Host
	if host == "" {
		host = req.Host
	}
	if host == "" {
		return "", 0
	}
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		switch req.URL.Scheme {
		case "https":
			return host, 443
		case "http":
			return host, 80
		}
		return host, 0
	}
	port, _ := strconv.Atoi(p)
	return h, port
}

// Context returns the attempt's request context with the call's span in
// it: send the request with it (req.WithContext) so that HTTP client spans
// (otelhttp, middleware.Transport) become children of the GenAI span. It
// has the request context's deadline and cancellation.
func (a *Attempt) Context() context.Context {
	if a == nil || a.span == nil {
		return context.Background()
	}
	return a.span
}

// Call returns the logical call's metrics.Call (nil for a pass-through
// Attempt), for attributes of the integration's own.
func (a *Attempt) Call() *metrics.Call {
	if a == nil || a.c == nil {
		return nil
	}
	return a.c.mc
}

// Number is the attempt's number in its call, from 0.
func (a *Attempt) Number() int {
	if a == nil {
		return 0
	}
	return a.n
}

// takePending removes and returns the call waiting under key, if any.
func (t *Tracker) takePending(key any) (c *call) {
	defer func() {
		if recover() != nil { // a key that is not comparable
			c = nil
		}
	}()
	t.mu.Lock()
	defer t.mu.Unlock()
	c = t.pending[key]
	if c != nil {
		delete(t.pending, key)
	}
	return c
}

// putPending registers c as waiting for a retry, and reports whether it
// could (false: no key, too many pending, a key that is not comparable).
func (t *Tracker) putPending(c *call) (ok bool) {
	if c.key == nil {
		return false
	}
	var displaced *call
	defer func() {
		if recover() != nil {
			ok = false
		}
		if displaced != nil {
			displaced.expire()
		}
	}()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) >= maxPending {
		return false
	}
	if old := t.pending[c.key]; old != nil && old != c {
		displaced = old
	}
	t.pending[c.key] = c
	return true
}

// dropPending removes c from the pending calls if it is there.
func (t *Tracker) dropPending(c *call) {
	if c.key == nil {
		return
	}
	defer func() { _ = recover() }()
	t.mu.Lock()
	if t.pending[c.key] == c {
		delete(t.pending, c.key)
	}
	t.mu.Unlock()
}

// resume takes a pending call back for its next attempt; false if it was
// recorded meanwhile.
func (c *call) resume() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != statePending {
		return false
	}
	c.state = stateActive
	c.stopTimersLocked()
	return true
}

func (c *call) stopTimersLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if c.stopCtx != nil {
		c.stopCtx()
		c.stopCtx = nil
	}
}

// fail records a settled failed attempt: its event on the span, and it
// becomes the call's last failure.
func (c *call) fail(f failure) {
	f.evented = true
	c.mu.Lock()
	c.last = f
	add := c.events < maxFailureEvents
	c.events++
	c.mu.Unlock()
	if !add {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 3)
	if f.status > 0 {
		attrs = append(attrs, ailabels.HTTPResponseStatusCodeKey.Int(f.status))
	}
	attrs = append(attrs, ailabels.ErrorTypeKey.String(f.errType), ailabels.HTTPRequestResendCountKey.Int(f.n))
	c.mc.Span().AddEvent(ailabels.AttemptEventName, trace.WithTimestamp(f.end), trace.WithAttributes(attrs...))
}

// wait leaves c open for a retry after failure f of an attempt with
// context ctx: it is recorded as failed when no attempt comes within the
// retry delay plus the grace, or when ctx is done. It reports false when
// c cannot wait (then the caller records it).
func (c *call) wait(ctx context.Context, delay time.Duration) bool {
	c.mu.Lock()
	if c.state != stateActive {
		c.mu.Unlock()
		return true // already recorded or waiting
	}
	c.state = statePending
	c.mu.Unlock()
	if !c.t.putPending(c) {
		c.mu.Lock()
		if c.state == statePending {
			c.state = stateActive
		}
		c.mu.Unlock()
		return false
	}
	c.mu.Lock()
	if c.state == statePending {
		c.timer = time.AfterFunc(delay+c.t.cfg.RetryGrace, c.expire)
		if ctx != nil {
			c.stopCtx = afterFunc(ctx, c.expireSoon)
		}
	}
	c.mu.Unlock()
	return true
}

// ctxGrace is how long a call left open for a retry still waits once its
// failed attempt's context is done: a client that gives each attempt a
// context of its own (a per-attempt timeout: anthropic-sdk-go always,
// openai-go with WithRequestTimeout) cancels it just before the next
// attempt, which must still join the call.
const ctxGrace = time.Second

// expireSoon records c within ctxGrace unless an attempt resumes it.
func (c *call) expireSoon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != statePending || c.timer == nil {
		return
	}
	c.timer.Stop()
	c.timer = time.AfterFunc(ctxGrace, c.expire)
}

// guard records c as failed with its last failure if nothing else records
// it within the grace or before ctx is done: for an error response whose
// body the caller should read or close.
func (c *call) guard(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateActive {
		return
	}
	c.stopTimersLocked()
	c.timer = time.AfterFunc(c.t.cfg.RetryGrace, c.expire)
	if ctx != nil {
		c.stopCtx = afterFunc(ctx, c.expireSoon)
	}
}

// expire records c with its last failure (and that failure's event, if
// its body was never read nor closed).
func (c *call) expire() {
	c.mu.Lock()
	f, done := c.last, c.state == stateDone
	c.mu.Unlock()
	if done {
		return
	}
	if !f.evented {
		c.fail(f)
	}
	c.finishFailure(f)
}

// finishFailure records c as failed with f.
func (c *call) finishFailure(f failure) {
	res := metrics.Result{UsageMissing: true, Err: f.err, ErrorType: f.errType, End: f.end}
	if res.ErrorType == "" {
		res.ErrorType = ailabels.ErrorTypeOther
	}
	c.finish(res, "")
}

// finish records c once; streamEnd is ai.stream.end for a stream ("" for
// other calls).
func (c *call) finish(res metrics.Result, streamEnd string) {
	c.mu.Lock()
	if c.state == stateDone {
		c.mu.Unlock()
		return
	}
	wasPending := c.state == statePending
	c.state = stateDone
	c.stopTimersLocked()
	attempts, oversize := c.attempts, c.oversize
	c.mu.Unlock()
	if wasPending {
		c.t.dropPending(c)
	}
	extra := c.extra[:0]
	if streamEnd != "" {
		extra = append(extra, ailabels.StreamEndKey.String(streamEnd))
	}
	res.Attributes = append(append(extra, res.Attributes...), ailabels.AttemptsKey.Int(attempts))
	if attempts > 1 {
		res.Attributes = append(res.Attributes, ailabels.HTTPRequestResendCountKey.Int(attempts-1))
	}
	if oversize {
		res.Attributes = append(res.Attributes, ailabels.ResponseOversizeKey.Bool(true))
	}
	if !res.UsageMissing {
		if err := res.Usage.Validate(); err != nil {
			c.mc.Span().AddEvent("telemetry: usage not recorded", trace.WithAttributes(attribute.String("error", err.Error())))
			res.UsageMissing = true
		}
	}
	_, _ = c.mc.Finish(res) // its only errors are those checked above
}

// usableModel returns model if the counters accept it as a model label,
// else the requested model: a response model the labels refuse must not
// lose the request.
func (c *call) usableModel(model string) string {
	if model == "" {
		return ""
	}
	if p := c.t.okModel.Load(); p != nil && *p == model {
		return model
	}
	if _, err := ailabels.NormalizeModel(model); err != nil {
		return c.req.Model
	}
	c.t.okModel.Store(&model)
	return model
}

// successResult is the Result of a call whose last attempt got a response
// below 400, from what the Handler found in r. c.mu is not held; r is
// owned by the caller (the body, under its lock).
func (c *call) successResult(r *Response, end time.Time) metrics.Result {
	res := metrics.Result{
		Usage:         r.Usage,
		UsageMissing:  !r.HasUsage,
		ErrorType:     r.ErrorType,
		ResponseID:    r.ID,
		FinishReasons: r.FinishReasons,
		ToolCalls:     r.ToolCalls,
		End:           end,
	}
	if res.Usage.Model == "" {
		res.Usage.Model = r.Model
	}
	res.Usage.Model = c.usableModel(res.Usage.Model)
	if len(r.completion) > 0 {
		res.Completion = string(r.completion)
	}
	return res
}

// End ends the attempt with the client's or transport's result and returns
// it unchanged, except for resp.Body, which is wrapped to watch the body
// pass by: the caller reads exactly the bytes, in the same chunks, with
// the same errors and timing, and Close is passed through. h says how to
// read the provider's bodies (nil: nothing is parsed; usage is missing).
//
// What happens next:
//
//   - err != nil (no response): the attempt failed (error.type timeout,
//     canceled, connection_error...). Retriable (ShouldRetry) within the
//     budget: the call waits for the next attempt; otherwise it is
//     recorded as failed now.
//   - status >= 400: the attempt failed with the status, or the
//     provider's error type once the caller reads the body (Handler
//     ErrorType). Retriable within the budget: the call waits for the next
//     attempt (the clients close such a body unread); otherwise it is
//     recorded when the caller has read or closed the body.
//   - a stream (Content-Type text/event-stream): every event goes to
//     Handler.Event as it passes; the call is recorded when the stream
//     ends: EOF, a read error, Close, or the request context's end.
//   - any other body: it is copied (up to Config.MaxBodyBytes) as the
//     caller reads it and parsed by Handler.JSON at its end; a read error
//     is a failed attempt (anthropic-sdk-go retries it).
func (a *Attempt) End(resp *http.Response, err error, h *Handler) (*http.Response, error) {
	if a == nil || a.c == nil {
		return resp, err
	}
	if h == nil {
		h = &Handler{}
	}
	c := a.c
	now := time.Now()
	budget := a.n < c.t.cfg.MaxRetries
	if resp == nil {
		f := failure{n: a.n, end: now, errType: ErrorType(0, "", err), err: err}
		if f.errType == "" {
			f.errType = ailabels.ErrorTypeOther
		}
		c.fail(f)
		if !(budget && c.t.shouldRetry(a.ctx, nil, err) && c.wait(a.ctx, c.t.retryDelay(nil, a.n))) {
			c.finishFailure(f)
		}
		return resp, err
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	if _, rw := resp.Body.(io.Writer); rw || resp.StatusCode < 200 {
		// A 101 Switching Protocols body is read-write: a wrapper would
		// hide that. Nothing to parse in an informational response.
		c.finish(metrics.Result{UsageMissing: true, End: now}, "")
		return resp, err
	}
	if resp.StatusCode >= 400 {
		f := failure{n: a.n, end: now, status: resp.StatusCode, errType: statusText(resp.StatusCode)}
		c.mu.Lock()
		c.last = f
		c.mu.Unlock()
		retry := budget && c.t.shouldRetry(a.ctx, resp, nil) && c.wait(a.ctx, c.t.retryDelay(resp, a.n))
		if !retry {
			c.guard(a.ctx)
		}
		resp.Body = &errorBody{rc: resp.Body, c: c, h: h, f: f, retry: retry, max: c.t.cfg.MaxErrorBodyBytes}
		return resp, err
	}
	c.mu.Lock()
	c.resp.reset(c.t.cfg.AI.ContentCapture(), c.t)
	c.mu.Unlock()
	if isEventStream(resp.Header.Get("Content-Type")) {
		b := &streamBody{rc: resp.Body, a: a, h: h}
		b.split = newSplitter(b, c.t.cfg.MaxEventBytes)
		// Under the lock: a context already done runs contextDone at once,
		// in another goroutine, which must see stop.
		b.mu.Lock()
		b.stop = afterDone(a.ctx, b)
		b.mu.Unlock()
		resp.Body = b
		return resp, err
	}
	var b *jsonBody
	c.mu.Lock()
	if !c.bodyUsed {
		c.bodyUsed = true
		b = &c.body
	}
	c.mu.Unlock()
	if b == nil {
		b = new(jsonBody)
	}
	b.rc, b.a, b.h, b.max = resp.Body, a, h, c.t.cfg.MaxBodyBytes
	b.mu.Lock()
	b.stop = afterDone(a.ctx, b)
	b.mu.Unlock()
	resp.Body = b
	return resp, err
}

// afterFunc is context.AfterFunc, without its allocation for a context
// that never ends.
func afterFunc(ctx context.Context, f func()) func() bool {
	if ctx.Done() == nil {
		return never
	}
	return context.AfterFunc(ctx, f)
}

// afterDone is afterFunc of w.contextDone, whose method value is made only
// for a context that can end.
func afterDone(ctx context.Context, w interface{ contextDone() }) func() bool {
	if ctx.Done() == nil {
		return never
	}
	return context.AfterFunc(ctx, w.contextDone)
}

func never() bool { return false }

// isEventStream reports whether a Content-Type is text/event-stream.
func isEventStream(ct string) bool {
	const want = "text/event-stream"
	for len(ct) > 0 && (ct[0] == ' ' || ct[0] == '\t') {
		ct = ct[1:]
	}
	if len(ct) < len(want) {
		return false
	}
	for i := 0; i < len(want); i++ {
		c := ct[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return len(ct) == len(want) || ct[len(want)] == ';' || ct[len(want)] == ' '
}
