package anthropictel

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// defaultMaxRetries is anthropic-sdk-go's retry budget when the client's
// configuration cannot be read.
const defaultMaxRetries = 2

// Option configures WithTelemetry.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

type config struct {
	provider   string
	sdkSpans   bool
	propagator propagation.TextMapPropagator
}

// WithProvider names the provider (gen_ai.provider.name, and the price list)
// of every Messages call of the client: ailabels.ProviderAnthropic,
// ProviderAWSBedrock, ProviderGCPVertexAI, or another value for a gateway of
// your own. Without it the provider is found from the URL that each call is
// sent to (see the package documentation).
func WithProvider(provider string) Option {
	return optionFunc(func(c config) config {
		c.provider = provider
		return c
	})
}

// WithSDKSpans keeps anthropic-sdk-go's own span of each call (the SDK's
// "anthropic.messages.create" span, through the global TracerProvider),
// which WithTelemetry otherwise turns off. The call's GenAI span of this
// package is then its child: two spans per call, the SDK's with its content
// options and this one with usage, cost and attempts. Use it only when
// something reads the SDK's spans.
func WithSDKSpans() Option {
	return optionFunc(func(c config) config {
		c.sdkSpans = true
		return c
	})
}

// WithPropagator sets the propagator that writes the trace context of the
// call's span into each attempt's headers (the global propagator by
// default, as the SDK does).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c config) config {
		c.propagator = p
		return c
	})
}

// WithTelemetry returns the client option that records every Messages call
// (client.Messages.New and NewStreaming, and their Beta forms) made by the
// client: one GenAI span per call, however often the client retries, and the
// ai_requests_total, ai_tokens_total and ai_cost_total series of ai. Pass it
// to anthropic.NewClient, before bedrock.WithConfig or vertex.WithCredentials
// when the client uses one of them. Other calls (count_tokens, batches,
// models, files, ...) pass through unrecorded.
//
// The option turns off anthropic-sdk-go's own span of each call (see
// WithSDKSpans) and sends the trace context of the GenAI span in its place.
// A nil ai gives an option that changes nothing.
func WithTelemetry(ai *metrics.AI, opts ...Option) option.RequestOption {
	var cfg config
	for _, o := range opts {
		if o != nil {
			cfg = o.apply(cfg)
		}
	}
	if ai == nil {
		return option.WithMiddleware(passThrough)
	}
	in := &instrumentation{cfg: cfg, ai: ai, trackers: map[int]*aihttp.Tracker{}}
	off := option.WithMiddleware() // adds nothing; it gives newPerCall its type
	if !cfg.sdkSpans {
		off = option.WithoutOpenTelemetry()
	}
	return newPerCall(off, in)
}

func passThrough(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	return next(req)
}

// applier is anthropic-sdk-go's option interface (option.RequestOption) with
// its configuration type as a parameter: that type is in an internal package
// of the SDK, and this is how a value of this package can implement the
// interface. C is inferred from option.RequestOption's method.
type applier[C any] interface{ Apply(C) error }

// perCall is the option WithTelemetry returns. The SDK applies a client's
// options to each API call's configuration once, when the call is made, so
// Apply gives every logical call a middleware of its own: its attempts are
// grouped by that, not by a guess from headers.
type perCall[C any] struct {
	off applier[C] // turns the SDK's span off (or does nothing, with WithSDKSpans)
	in  *instrumentation
}

func newPerCall[C any](off applier[C], in *instrumentation) perCall[C] {
	return perCall[C]{off: off, in: in}
}

// Apply implements option.RequestOption.
func (p perCall[C]) Apply(cfg C) error {
	if err := p.off.Apply(cfg); err != nil {
		return err
	}
	mw, ok := any(option.WithMiddleware(p.in.callMiddleware(cfg))).(applier[C])
	if !ok {
		return nil // an SDK whose options changed shape: record nothing, break nothing
	}
	return mw.Apply(cfg)
}

// instrumentation is the state shared by the calls of one client option.
type instrumentation struct {
	cfg config
	ai  *metrics.AI

	mu       sync.Mutex
	trackers map[int]*aihttp.Tracker // by retry budget
}

// tracker returns the Tracker for calls with the retry budget maxRetries.
func (in *instrumentation) tracker(maxRetries int) *aihttp.Tracker {
	in.mu.Lock()
	defer in.mu.Unlock()
	t := in.trackers[maxRetries]
	if t == nil {
		t = aihttp.NewTracker(aihttp.Config{AI: in.ai, MaxRetries: maxRetries})
		in.trackers[maxRetries] = t
	}
	return t
}

// bodyPool holds the buffers request bodies are read into.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// callMiddleware returns the middleware of one logical call, whose
// configuration is cfg (the SDK's *requestconfig.RequestConfig).
func (in *instrumentation) callMiddleware(cfg any) option.Middleware {
	c := &callState{in: in, cfg: cfg}
	return c.middleware
}

// callState is one logical call: it is the key that groups its attempts.
type callState struct {
	in  *instrumentation
	cfg any

	// Set by the first attempt that is a Messages call.
	started  bool
	skip     bool
	tracker  *aihttp.Tracker
	req      request
	provider string
	model    string // the platform's model id (Bedrock, Vertex AI), for the price

	handler aihttp.Handler
	res     result
}

func (c *callState) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	if c.skip || req.Method != http.MethodPost {
		return next(req)
	}
	if !c.started {
		provider, model, _, ok := platform(req.URL)
		if !ok {
			c.skip = true
			return next(req)
		}
		c.started = true
		c.req = readRequest(req, c.in.ai.ContentCapture())
		if model != "" { // the platform's middleware ran before this one
			c.model = model
			c.req.Model = model
			c.req.Stream = c.req.Stream || strings.HasSuffix(req.URL.Path, "-stream") || strings.HasSuffix(req.URL.Path, ":streamRawPredict")
		}
		c.provider = provider
		if in := c.in; in.cfg.provider != "" {
			c.provider = in.cfg.provider
		}
		c.tracker = c.in.tracker(maxRetries(c.cfg))
		c.handler = aihttp.Handler{JSON: c.json, Event: c.event, ErrorType: errorType}
	}
	attempt, err := strconv.Atoi(req.Header.Get("X-Stainless-Retry-Count"))
	if err != nil {
		attempt = -1
	}
	r := aihttp.Request{
		Request: ailabels.Request{
			Operation:   ailabels.OperationChat,
			Provider:    c.provider,
			Model:       c.req.Model,
			MaxTokens:   c.req.MaxTokens,
			Temperature: c.req.Temperature,
			Prompt:      c.req.Prompt,
		},
		Stream: c.req.Stream,
	}
	// The call waits for a retry under the caller's context: each attempt of
	// a non-streaming call has a context of its own (its timeout), which the
	// SDK cancels before the next attempt. Its parent span is the request's
	// (the SDK's span with WithSDKSpans, else the caller's).
	callCtx := trace.ContextWithSpan(callerContext(c.cfg, req), trace.SpanFromContext(req.Context()))
	a := c.tracker.Begin(req.WithContext(callCtx), c, attempt, r)
	ctx := trace.ContextWithSpan(req.Context(), a.Call().Span())
	if !c.in.cfg.sdkSpans && propagates(c.cfg) {
		p := c.in.cfg.propagator
		if p == nil {
			p = otel.GetTextMapPropagator()
		}
		p.Inject(ctx, propagation.HeaderCarrier(req.Header))
	}
	c.res = result{} // each attempt's response is read afresh
	sent := req.WithContext(ctx)
	resp, err := next(sent)
	c.afterSend(a, sent, resp)
	return a.End(resp, err, &c.handler)
}

// afterSend learns where the attempt went: the bedrock and vertex packages'
// middlewares, which run after this one, rewrite the request's path (in
// place) to the platform's, with the platform's model id in it.
func (c *callState) afterSend(a *aihttp.Attempt, sent *http.Request, resp *http.Response) {
	u := sent.URL
	if resp != nil && resp.Request != nil && resp.Request.URL != nil {
		u = resp.Request.URL
	}
	if u == nil {
		return
	}
	provider, model, _, ok := platform(u)
	if !ok || model == "" {
		return
	}
	c.model = model
	if c.in.cfg.provider == "" && provider != c.provider {
		// The host did not tell (a base URL of one's own): the path does.
		c.provider = provider
		a.SetProvider(provider) // the span, and the counters even if the call fails
	}
}

// readRequest parses the body of a Messages request, from a copy
// (req.GetBody) so that the request is sent as it is.
func readRequest(req *http.Request, capture bool) request {
	if req.GetBody == nil {
		return request{}
	}
	body, err := req.GetBody()
	if err != nil || body == nil {
		return request{}
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err = buf.ReadFrom(body)
	_ = body.Close()
	var r request
	if err == nil {
		r = parseRequest(buf.Bytes(), capture)
	}
	if buf.Cap() <= 1<<20 {
		bodyPool.Put(buf)
	}
	return r
}

// fill copies into r what the response said so far: the Response's fields
// are assigned the strings the parser made, without copying them again. The
// usage is set once the final counts arrived (the message of a JSON body, or
// message_delta in a stream).
func (c *callState) fill(r *aihttp.Response) {
	res := &c.res
	if res.ID != "" {
		r.ID = res.ID
	}
	if res.Model != "" {
		r.Model = res.Model
	}
	if res.StopReason != "" && (len(r.FinishReasons) != 1 || r.FinishReasons[0] != res.StopReason) {
		r.FinishReasons = append(r.FinishReasons[:0], res.StopReason)
	}
	for len(r.ToolCalls) < len(res.Tools) {
		tc := res.Tools[len(r.ToolCalls)]
		r.ToolCalls = append(r.ToolCalls, metrics.ToolCallRequest{ID: tc.ID, Name: tc.Name})
	}
	if res.FinalUsage {
		r.Usage = res.usage(c.provider, c.model)
		r.HasUsage = true
	}
	if res.ErrorType != "" {
		r.ErrorType = res.ErrorType
	} else if res.Malformed {
		r.ErrorType = ailabels.ErrorTypeMalformedResponse
	}
	r.Done = res.Stopped
}

// json is the Handler's JSON: a non-streaming Messages response.
func (c *callState) json(body []byte, r *aihttp.Response) bool {
	c.res = result{}
	c.res.readBody(r.Parse(body))
	malformed := c.res.Malformed
	c.res.Malformed = false // the client decides whether a body it cannot read fails the call
	c.fill(r)
	if r.Capture() && !malformed {
		// A second pass, with content capture only: a malformed body
		// captures nothing, and that is known once the first pass is done.
		readField(r.Parse(body), "content", func(content jsonscan.Value) {
			content.Elems(func(b jsonscan.Value) bool {
				captureText(r, b, "text")
				return true
			})
		})
	}
	return !malformed
}

// captureText appends to the completion the text of obj, a content block or
// a delta, when its type is typ (content capture only).
func captureText(r *aihttp.Response, obj jsonscan.Value, typ string) {
	var isText bool
	var text []byte
	obj.Fields(func(key []byte, v jsonscan.Value) bool {
		switch string(key) {
		case "type":
			isText = v.Is(typ)
		case "text":
			text, _ = v.Str()
		}
		return true
	})
	if !isText {
		return
	}
	if s, ok := jsonscan.Unquote(text, maxCaptured); ok {
		r.AppendCompletion([]byte(s))
	}
}

// maxCaptured bounds one captured text (the Response bounds the whole).
const maxCaptured = 1 << 20

// event is the Handler's Event: one event of a Messages stream. It returns
// whether the event is an output chunk (a content_block_delta).
func (c *callState) event(name, data []byte, r *aihttp.Response) bool {
	chunks, tools, malformed := c.res.OutputChunks, len(c.res.Tools), c.res.Malformed
	ev := r.Parse(data)
	c.res.event(name, data, ev)
	if !quiet(name) || len(c.res.Tools) != tools || c.res.Malformed != malformed {
		c.fill(r)
	}
	if c.res.OutputChunks > chunks && r.Capture() {
		readField(ev, "delta", func(d jsonscan.Value) { captureText(r, d, "text_delta") })
	}
	return c.res.OutputChunks > chunks
}

// quiet reports whether an event of this name changes nothing that is
// recorded but the chunk count (unless it is malformed or asks for a tool):
// the deltas, the bulk of a stream, cost no copy into the Response.
func quiet(name []byte) bool {
	switch string(name) {
	case "content_block_delta", "content_block_start", "content_block_stop", "ping":
		return true
	}
	return false
}

// errorType is the Handler's ErrorType: the type of an error body,
// {"type":"error","error":{"type":"rate_limit_error",...}}.
func errorType(_ int, body []byte) string {
	var t string
	jsonscan.Scan(body, func(e jsonscan.Value) bool {
		t = errorOf(e)
		return true
	})
	return t
}

// The SDK's request configuration (*requestconfig.RequestConfig, in an
// internal package of the SDK) is read through reflection, for three of its
// exported fields: MaxRetries (option.WithMaxRetries), Context (the caller's
// context) and OpenTelemetry.Propagation (option.WithOpenTelemetryPropagation).
// The field indexes are found once per type; a configuration without them
// gives the SDK's defaults.
type configFields struct {
	maxRetries, context, propagation []int
}

var fieldCache sync.Map // reflect.Type -> *configFields

func fieldsOf(t reflect.Type) *configFields {
	if t == nil {
		return &configFields{}
	}
	if f, ok := fieldCache.Load(t); ok {
		return f.(*configFields)
	}
	f := &configFields{}
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		st := t.Elem()
		if sf, ok := st.FieldByName("MaxRetries"); ok && sf.Type.Kind() == reflect.Int {
			f.maxRetries = sf.Index
		}
		if sf, ok := st.FieldByName("Context"); ok && sf.Type == reflect.TypeFor[context.Context]() {
			f.context = sf.Index
		}
		if sf, ok := st.FieldByName("OpenTelemetry"); ok && sf.Type.Kind() == reflect.Struct {
			if pf, ok := sf.Type.FieldByName("Propagation"); ok && pf.Type == reflect.TypeFor[*bool]() {
				f.propagation = append(append([]int{}, sf.Index...), pf.Index...)
			}
		}
	}
	fieldCache.Store(t, f)
	return f
}

// field returns the field at index of the struct cfg points to.
func configField(cfg any, index []int) (reflect.Value, bool) {
	if index == nil {
		return reflect.Value{}, false
	}
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}, false
	}
	f, err := v.Elem().FieldByIndexErr(index)
	if err != nil || !f.CanInterface() {
		return reflect.Value{}, false
	}
	return f, true
}

// maxRetries is the call's retry budget.
func maxRetries(cfg any) int {
	if f, ok := configField(cfg, fieldsOf(reflect.TypeOf(cfg)).maxRetries); ok && f.Int() >= 0 {
		return int(f.Int())
	}
	return defaultMaxRetries
}

// callerContext returns the context the caller passed to the SDK method, or
// the request's.
func callerContext(cfg any, req *http.Request) context.Context {
	if f, ok := configField(cfg, fieldsOf(reflect.TypeOf(cfg)).context); ok && !f.IsNil() {
		if ctx, ok := f.Interface().(context.Context); ok {
			return ctx
		}
	}
	return req.Context()
}

// propagates reports whether the trace context goes in the requests: not
// when option.WithOpenTelemetryPropagation(false) was given, or, without it,
// when ANTHROPIC_OPEN_TELEMETRY_PROPAGATION is "false", as the SDK decides.
func propagates(cfg any) bool {
	if f, ok := configField(cfg, fieldsOf(reflect.TypeOf(cfg)).propagation); ok && !f.IsNil() {
		return f.Elem().Bool()
	}
	return !strings.EqualFold(os.Getenv("ANTHROPIC_OPEN_TELEMETRY_PROPAGATION"), "false")
}
