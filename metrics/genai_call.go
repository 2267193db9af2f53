package metrics

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// maxErrorTypes bounds the distinct error.type values on the gen_ai.*
// histograms; later ones are recorded as ailabels.Other (spans keep them).
const maxErrorTypes = 50

// maxRequestModelLength bounds a requested model id kept as it is on the
// gen_ai.client.* histograms (longer ones use the normalised label).
const maxRequestModelLength = 128

// CallOption configures AI.StartCall.
type CallOption interface {
	applyCall(callConfig) callConfig
}

type callOptionFunc func(callConfig) callConfig

func (f callOptionFunc) applyCall(c callConfig) callConfig { return f(c) }

type callConfig struct {
	start   time.Time
	stream  bool
	address string
	port    int
	attrs   []attribute.KeyValue
}

// WithStartTime starts the call's span at t (the first HTTP attempt of a
// call that a client integration sees late, say) instead of now. Use a
// time from time.Now, which carries the monotonic clock: durations are
// then measured on it.
func WithStartTime(t time.Time) CallOption {
	return callOptionFunc(func(c callConfig) callConfig { c.start = t; return c })
}

// WithStream marks the call as a streaming one (gen_ai.request.stream):
// Call.Chunk then measures time to first chunk and time per output chunk.
func WithStream(stream bool) CallOption {
	return callOptionFunc(func(c callConfig) callConfig { c.stream = stream; return c })
}

// WithServer sets server.address and server.port (when above 0) on the
// span: the host the client called.
func WithServer(address string, port int) CallOption {
	return callOptionFunc(func(c callConfig) callConfig { c.address, c.port = address, port; return c })
}

// WithCallAttributes adds attributes to the call's span at its start.
func WithCallAttributes(kvs ...attribute.KeyValue) CallOption {
	return callOptionFunc(func(c callConfig) callConfig { c.attrs = append(c.attrs, kvs...); return c })
}

// StartCall is Start with options: the span's start time, streaming, the
// server, more attributes. It is what the client integrations
// (instrumentation/openaitel, anthropictel, genaitel) use; finish the call
// with Call.Finish, which knows about missing usage, error types and tool
// calls, or with Call.End.
func (a *AI) StartCall(ctx context.Context, r ailabels.Request, opts ...CallOption) (context.Context, *Call) {
	if a == nil {
		return ctx, nil
	}
	var cfg callConfig
	for _, o := range opts {
		if o != nil {
			cfg = o.applyCall(cfg)
		}
	}
	return a.start(ctx, r, cfg)
}

// CallParams are StartCall's options as one value: the span's start time
// (zero: now), streaming, the server called and more span attributes. It
// is for callers that start a call per request (the client integrations):
// unlike options, it allocates nothing.
type CallParams struct {
	// Start is the span's start (see WithStartTime); zero is now.
	Start time.Time
	// Stream marks a streaming call (see WithStream).
	Stream bool
	// ServerAddress and ServerPort (when above 0) are server.address and
	// server.port (see WithServer).
	ServerAddress string
	ServerPort    int
	// Attributes are added to the span at its start.
	Attributes []attribute.KeyValue
}

// StartCallParams is StartCall with its options given as a CallParams.
func (a *AI) StartCallParams(ctx context.Context, r ailabels.Request, p CallParams) (context.Context, *Call) {
	if a == nil {
		return ctx, nil
	}
	return a.start(ctx, r, callConfig{start: p.Start, stream: p.Stream, address: p.ServerAddress, port: p.ServerPort, attrs: p.Attributes})
}

// StartTime is when the call started (its span's start, or the time
// StartCall read just before it), on the monotonic clock.
func (c *Call) StartTime() time.Time {
	if c == nil {
		return time.Time{}
	}
	return c.start
}

// SetProvider changes the call's provider (gen_ai.provider.name, the
// provider label of its counters, the price list) when it is learned
// after the start: an integration that finds the platform in the response
// (a custom base URL in front of Bedrock, say). A Finish Usage.Provider
// still wins.
func (c *Call) SetProvider(provider string) {
	if c == nil || provider == "" {
		return
	}
	provider = validUTF8(provider)
	c.mu.Lock()
	changed := !c.ended && c.req.Provider != provider
	if changed {
		c.req.Provider = provider
		c.chunkOpts = nil
	}
	c.mu.Unlock()
	if changed {
		c.setAttribute(ailabels.GenAIProviderNameKey.String(provider))
	}
}

// setAttribute sets kv on the call's span: in the start attributes that
// wait for the end when they do (AI.lateAttrs), replacing one of the same
// key, so that the span still gets its attributes in one SetAttributes;
// on the span itself otherwise.
func (c *Call) setAttribute(kv attribute.KeyValue) {
	c.mu.Lock()
	if late := c.late; late != nil {
		attrs := *late
		for i := range attrs {
			if attrs[i].Key == kv.Key {
				attrs[i] = kv
				c.mu.Unlock()
				return
			}
		}
		*late = append(attrs, kv)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.span.SetAttributes(kv)
}

// ContentCapture reports whether WithContentCapture is on: a client
// integration collects the completion text only then.
func (a *AI) ContentCapture() bool { return a != nil && a.cfg.contentCapture }

// LatestSemconv reports whether a follows the latest experimental GenAI
// conventions (WithLatestSemconv, OTEL_SEMCONV_STABILITY_OPT_IN).
func (a *AI) LatestSemconv() bool { return a != nil && a.cfg.latestSemconv }

// ToolCallRequest is a tool call the model asked for in its response.
type ToolCallRequest struct {
	// ID is the provider's id of the call (gen_ai.tool.call.id).
	ID string
	// Name is the tool's name.
	Name string
	// Arguments is the call's arguments as the model sent them (JSON for
	// the three official APIs). Content: recorded only with
	// WithContentCapture.
	Arguments string
}

// Result is how an AI call ended, for Call.Finish.
type Result struct {
	// Usage is the call's usage (see Call.End for the defaults of Provider,
	// Model and Time). Model is the model that answered.
	Usage ailabels.Usage
	// UsageMissing says the provider reported no usage (a stream that
	// ended without its usage event, an empty stream, a body that could
	// not be parsed): the request is counted, its tokens and cost are not
	// (they are unknown, not zero), ai_usage_missing_total counts it and
	// the span has ai.usage.missing=true.
	UsageMissing bool
	// Err is the call's error, nil on success.
	Err error
	// ErrorType is error.type: an HTTP status ("429"), the provider's
	// error type ("rate_limit_error"), ailabels.ErrorTypeTimeout,
	// ErrorTypeCanceled... When empty and Err is set, it is derived from
	// Err (ErrorTypeOf). A call with an ErrorType and no Err failed too.
	ErrorType string
	// ResponseID is gen_ai.response.id.
	ResponseID string
	// FinishReasons is gen_ai.response.finish_reasons, one per choice.
	FinishReasons []string
	// ToolCalls are the tool calls the model asked for: their names and
	// ids go on the span (ai.response.tool_calls, ai.response.tool_call_ids),
	// their arguments only with WithContentCapture.
	ToolCalls []ToolCallRequest
	// Completion is the completion text, recorded only with
	// WithContentCapture (SetCompletion's text is used when empty).
	Completion string
	// End is when the call ended (the span's end time); zero is now. Use a
	// time from time.Now (monotonic clock).
	End time.Time
	// Attributes are more span attributes, set with the others in one go.
	Attributes []attribute.KeyValue
}

// Failed reports whether r describes a failed call.
func (r *Result) Failed() bool { return r.Err != nil || r.ErrorType != "" }

// Chunk records that a chunk of a streamed response arrived at t (zero:
// now, read from the clock only when a time is needed): the first one sets gen_ai.response.time_to_first_chunk on the span
// and records gen_ai.client.operation.time_to_first_chunk (measured from
// the call's start), each later one records
// gen_ai.client.operation.time_per_output_chunk (the time since the
// previous chunk), as the GenAI conventions define them (the histograms
// only with WithSemconvHistograms). Recording a chunk does not allocate
// once the response model is known (SetResponseModel). Chunks after the
// call ended are ignored.
func (c *Call) Chunk(t time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.chunks++
	first := c.chunks == 1
	opts := c.chunkOptions()
	if !first && opts == nil {
		c.mu.Unlock() // nothing to time: only the count
		return
	}
	if t.IsZero() {
		t = time.Now()
	}
	var d time.Duration
	if first {
		c.firstChunk = t.Sub(c.start)
		d = c.firstChunk
	} else {
		d = t.Sub(c.lastChunk)
	}
	c.lastChunk = t
	c.mu.Unlock()
	if opts == nil {
		return
	}
	a := c.ai
	if first {
		a.ttfc.Record(c.ctx, d.Seconds(), opts...)
	} else {
		a.tpoc.Record(c.ctx, d.Seconds(), opts...)
	}
}

// SetResponseModel gives the model that answers (gen_ai.response.model)
// as soon as it is known, before the end of a stream: the chunk timing
// histograms carry it. Finish's Usage.Model wins for the span and the
// counters.
func (c *Call) SetResponseModel(model string) {
	if c == nil || model == "" {
		return
	}
	c.mu.Lock()
	if c.respModel != model {
		c.respModel = model
		c.chunkOpts = nil
	}
	c.mu.Unlock()
}

// chunkOptions returns the record options of the chunk histograms, nil
// when they are not recorded. c.mu is held.
func (c *Call) chunkOptions() []metric.RecordOption {
	a := c.ai
	if !a.enabled || a.ttfc == nil {
		return nil
	}
	if c.chunkOpts == nil {
		kvs, ok := a.semconvBase(c.req, c.req.Provider, c.respModel)
		if !ok {
			return nil
		}
		c.chunkOpts = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}
	}
	return c.chunkOpts
}

// Finish ends the call as r says: End with what a client integration
// knows besides, missing usage, the provider's error type, the response
// id, finish reasons and tool calls, the end time. The counters
// ai_requests_total (outcome from r.Failed), ai_tokens_total and
// ai_cost_total are recorded as by AI.Record, except for a Result with
// UsageMissing, whose tokens and cost are not counted (and which counts
// in ai_usage_missing_total). A response model (Usage.Model) that the
// pricing table does not know is priced as the requested model when the
// table knows that one (a deployment or alias answering for a priced
// model); the span keeps the response model and says which entry priced
// it (ai.pricing.entry). Only the first End or Finish counts.
func (c *Call) Finish(r Result) (ailabels.Cost, error) {
	if !c.state().lockEnd() {
		return ailabels.Cost{}, nil
	}
	completion, finish, respModel := c.content, c.finish, c.respModel
	chunks, firstChunk := c.chunks, c.firstChunk
	req := c.req
	c.mu.Unlock()

	a := c.ai
	end := r.End
	if end.IsZero() {
		end = time.Now()
	}
	elapsed := end.Sub(c.start)
	u := r.Usage
	if u.Provider == "" {
		u.Provider = req.Provider
	}
	if u.Model == "" {
		u.Model = respModel
	}
	if u.Model == "" {
		u.Model = req.Model
	}
	if u.Time.IsZero() {
		u.Time = c.start
	}
	errType := r.ErrorType
	if errType == "" && r.Err != nil {
		errType = ErrorTypeOf(r.Err)
	}
	outcome := outcomeOK
	if r.Failed() {
		outcome = outcomeError
	}

	var cost ailabels.Cost
	var recErr error
	if r.UsageMissing {
		recErr = a.recordNoUsage(c.ctx, u, outcome)
	} else {
		cost, recErr = a.recordAs(c.ctx, &u, outcome, req.Model)
	}

	span := c.span
	// A span that records nothing (not sampled, no SDK) gets no
	// attributes: building them would be all the work there is.
	if span.IsRecording() {
		c.finishSpan(&r, u, cost, recErr, errType, completion, finish, chunks, firstChunk)
	}
	if recErr == nil && a.enabled && a.duration != nil {
		tokens := u
		if r.UsageMissing {
			tokens = ailabels.Usage{Provider: u.Provider, Model: u.Model}
		}
		a.recordSemconvType(c.ctx, req, tokens, elapsed, a.boundErrorType(errType))
	}
	if r.End.IsZero() || !span.IsRecording() {
		span.End() // now: no option to allocate
	} else {
		span.End(trace.WithTimestamp(end))
	}
	return cost, recErr
}

// finishSpan sets the end attributes, events and status of a recording
// span, in one SetAttributes from a reused buffer (the SDK copies them).
func (c *Call) finishSpan(r *Result, u ailabels.Usage, cost ailabels.Cost, recErr error, errType, completion, finish string, chunks int, firstChunk time.Duration) {
	a, span := c.ai, c.span
	buf, attrs := c.attrBuffer()
	attrs = append(attrs, r.Attributes...)
	if u.Model != "" {
		attrs = append(attrs, ailabels.GenAIResponseModelKey.String(validUTF8(u.Model)))
	}
	if r.ResponseID != "" {
		attrs = append(attrs, ailabels.GenAIResponseIDKey.String(validUTF8(r.ResponseID)))
	}
	if reasons := r.FinishReasons; len(reasons) > 0 {
		attrs = append(attrs, ailabels.GenAIResponseFinishReasonsKey.StringSlice(validUTF8s(reasons)))
		finish = reasons[0]
	}
	if n := len(r.ToolCalls); n > 0 {
		names, ids := make([]string, n), make([]string, n)
		for i, tc := range r.ToolCalls {
			names[i], ids[i] = validUTF8(tc.Name), validUTF8(tc.ID)
		}
		attrs = append(attrs, ailabels.ResponseToolCallsKey.StringSlice(names), ailabels.ResponseToolCallIDsKey.StringSlice(ids))
	}
	if chunks > 0 {
		attrs = append(attrs, ailabels.GenAIResponseTimeToFirstChunkKey.Float64(firstChunk.Seconds()),
			ailabels.StreamChunksKey.Int(chunks))
	}
	switch {
	case recErr != nil:
		span.AddEvent("telemetry: usage not recorded", trace.WithAttributes(attribute.String("error", recErr.Error())))
	case r.UsageMissing:
		attrs = append(attrs, ailabels.UsageMissingKey.Bool(true))
		attrs = appendPricing(attrs, ailabels.Cost{AsOf: a.cfg.pricing.AsOf()}, "")
	default:
		attrs = a.appendUsage(attrs, u)
		attrs = append(attrs, ailabels.CostUSDKey.Float64(cost.USD), ailabels.CostPricedKey.Bool(cost.Priced))
		attrs = appendPricing(attrs, cost, u.ServiceTier)
	}
	if a.cfg.contentCapture {
		if r.Completion != "" {
			completion = r.Completion
		}
		if completion != "" || len(r.ToolCalls) > 0 {
			attrs = append(attrs, ailabels.GenAIOutputMessagesKey.String(outputMessagesJSON(completion, r.ToolCalls, finishReason(finish, errOf(r)))))
		}
	}
	if errType != "" {
		attrs = append(attrs, ailabels.ErrorTypeKey.String(validUTF8(errType)))
		if r.Err != nil {
			span.RecordError(r.Err)
			span.SetStatus(codes.Error, validUTF8(r.Err.Error()))
		} else {
			span.SetStatus(codes.Error, validUTF8(errType))
		}
	}
	c.setEndAttrs(buf, attrs)
}

// validUTF8s returns ss with invalid UTF-8 replaced, ss itself when all
// of it is valid (attribute.StringSlice copies it anyway).
func validUTF8s(ss []string) []string {
	for i, s := range ss {
		if !utf8.ValidString(s) {
			out := make([]string, len(ss))
			copy(out, ss[:i])
			for j := i; j < len(ss); j++ {
				out[j] = validUTF8(ss[j])
			}
			return out
		}
	}
	return ss
}

// recordAs validates and prices u and counts it (ai_requests_total with
// outcome, ai_tokens_total, ai_cost_total), for Record, RecordError and
// Call.Finish. With requested set, a response model the table does not
// know is priced as the requested model when the table knows that one;
// the labels stay the response model's. A nil a records nothing.
func (a *AI) recordAs(ctx context.Context, u *ailabels.Usage, outcome int, requested string) (ailabels.Cost, error) {
	if a == nil {
		return ailabels.Cost{}, nil
	}
	if err := u.Validate(); err != nil {
		return ailabels.Cost{}, err
	}
	e, err := a.entry(u.Provider, u.Model)
	if err != nil {
		return ailabels.Cost{}, err
	}
	price := e.price
	if price == nil && requested != "" && requested != u.Model {
		price = a.cfg.pricing.Entry(u.Provider, requested)
	}
	c := price.Cost(*u)
	if c.AsOf == "" {
		c.AsOf = a.cfg.pricing.AsOf()
	}
	if a.enabled {
		a.add(ctx, e, u, c, outcome)
	}
	return c, nil
}

// errOf is r's error for the output message's finish reason.
func errOf(r *Result) error {
	if r.Err != nil {
		return r.Err
	}
	if r.ErrorType != "" {
		return errors.New(r.ErrorType)
	}
	return nil
}

// appendUsage adds the gen_ai.usage.* attributes of u.
func (a *AI) appendUsage(attrs []attribute.KeyValue, u ailabels.Usage) []attribute.KeyValue {
	attrs = append(attrs,
		ailabels.GenAIUsageInputTokensKey.Int64(u.InputTokens),
		ailabels.GenAIUsageOutputTokensKey.Int64(u.OutputTokens),
	)
	if u.CachedInputTokens > 0 {
		attrs = append(attrs, ailabels.GenAIUsageCacheReadInputTokensKey.Int64(u.CachedInputTokens))
	}
	if u.CacheWriteInputTokens > 0 {
		key := ailabels.GenAIUsageCacheCreationInputTokensKey
		if a.cfg.latestSemconv {
			key = ailabels.GenAIUsageCacheWriteInputTokensKey
		}
		attrs = append(attrs, key.Int64(u.CacheWriteInputTokens))
	}
	if u.CacheWrite1hInputTokens > 0 {
		attrs = append(attrs, ailabels.UsageCacheWrite1hKey.Int64(u.CacheWrite1hInputTokens))
	}
	if u.ReasoningTokens > 0 {
		attrs = append(attrs, ailabels.GenAIUsageReasoningOutputTokensKey.Int64(u.ReasoningTokens))
	}
	return attrs
}

// recordNoUsage counts a request whose usage is unknown: ai_requests_total
// and ai_usage_missing_total, no tokens, no cost.
func (a *AI) recordNoUsage(ctx context.Context, u ailabels.Usage, outcome int) error {
	e, err := a.entry(u.Provider, u.Model)
	if err != nil {
		return err
	}
	if a.enabled {
		a.requests.Add(ctx, 1, e.requests[outcome]...)
		a.usageMissing.Add(ctx, 1, e.usageMissing...)
		if e.modelOverflow {
			a.overflow.Add(ctx, 1, a.overflowModel...)
		}
		if e.providerOverflow {
			a.overflow.Add(ctx, 1, a.overflowProvider...)
		}
	}
	return nil
}

// boundErrorType bounds the error.type values of the histograms.
func (a *AI) boundErrorType(t string) string {
	if t == "" {
		return ""
	}
	v := validUTF8(t)
	if len(v) > ailabels.MaxLabelLength {
		v = validUTF8(v[:ailabels.MaxLabelLength])
	}
	v, _ = a.errTypes.Admit(v)
	return v
}

// requestModel returns gen_ai.request.model for the histograms: the model
// id as requested when it is a reasonable label (printable, at most 128
// bytes), else its normalised label, bounded like the model label.
func (a *AI) requestModel(e *aiEntry, requested string) string {
	if p := e.reqModel.Load(); p != nil {
		return *p
	}
	v := requestModelLabel(requested, e.model)
	v, _ = a.reqModels.Admit(v)
	e.reqModel.Store(&v)
	return v
}

func requestModelLabel(requested, normalised string) string {
	s := strings.TrimSpace(requested)
	if s == "" || len(s) > maxRequestModelLength || !utf8.ValidString(s) {
		return normalised
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' {
			return normalised
		}
	}
	return s
}

// ErrorTypeOf is the error.type of err as Call.End, Call.Finish and the
// client integrations record it: never a Go type name. An error (anywhere in its chain) with an
// ErrorType() string method gives its own; a passed deadline (context or
// network) is ailabels.ErrorTypeTimeout, a cancellation
// ailabels.ErrorTypeCanceled, a network error ailabels.ErrorTypeConnection,
// anything else ailabels.ErrorTypeOther. nil gives "".
func ErrorTypeOf(err error) string {
	if err == nil {
		return ""
	}
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		if t := typed.ErrorType(); t != "" {
			return t
		}
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ailabels.ErrorTypeTimeout
	case errors.Is(err, context.Canceled):
		return ailabels.ErrorTypeCanceled
	case errors.As(err, &ne) && ne.Timeout():
		return ailabels.ErrorTypeTimeout
	case errors.As(err, &ne):
		return ailabels.ErrorTypeConnection
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return ailabels.ErrorTypeConnection
	}
	return ailabels.ErrorTypeOther
}

// outputMessagesJSON renders the assistant message with its text and tool
// calls in the form of gen_ai.output.messages.
func outputMessagesJSON(text string, calls []ToolCallRequest, finish string) string {
	if len(calls) == 0 {
		return messagesJSON("assistant", text, finish)
	}
	parts := make([]map[string]any, 0, len(calls)+1)
	if text != "" {
		parts = append(parts, map[string]any{"type": "text", "content": text})
	}
	for _, tc := range calls {
		p := map[string]any{"type": "tool_call", "id": tc.ID, "name": tc.Name}
		if tc.Arguments != "" {
			p["arguments"] = jsonOrString(tc.Arguments)
		}
		parts = append(parts, p)
	}
	return marshalMessages([]map[string]any{{"role": "assistant", "parts": parts, "finish_reason": finish}})
}
