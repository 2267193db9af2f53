package metrics

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
)

// The GenAI semantic conventions' client histograms (version
// ailabels.SemconvVersion), recorded by Call.End only with
// WithSemconvHistograms.
const (
	// GenAITokenUsageName is the histogram of tokens per call, by
	// gen_ai.token.type (input or output). In Prometheus:
	// gen_ai_client_token_usage_{bucket,sum,count} (the unit {token} adds
	// no suffix).
	GenAITokenUsageName = "gen_ai.client.token.usage"

	// GenAIOperationDurationName is the histogram of call durations in
	// seconds. In Prometheus: gen_ai_client_operation_duration_seconds_*.
	// Its buckets are the ones the semantic conventions advise (up to
	// 82 s: model calls are slower than HTTP handlers).
	GenAIOperationDurationName = "gen_ai.client.operation.duration"
)

// genAITokenBuckets are the bucket boundaries the semantic conventions
// advise for gen_ai.client.token.usage.
var genAITokenBuckets = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}

// genAIDurationBuckets are the bucket boundaries, in seconds, the semantic
// conventions advise for gen_ai.client.operation.duration.
var genAIDurationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}

func (a *AI) newSemconvHistograms(meter metric.Meter) error {
	var err error
	if !a.cfg.latestSemconv {
		// The latest conventions replace it by
		// gen_ai.client.inference.operation.{input,output}_tokens.
		if a.tokenUsage, err = catalog.Int64Histogram(meter, catalog.GenAITokenUsage, genAITokenBuckets); err != nil {
			return err
		}
	}
	if a.duration, err = catalog.Float64Histogram(meter, catalog.GenAIOperationDuration, genAIDurationBuckets); err != nil {
		return err
	}
	return a.newSemconvExtra(meter)
}

// Call is one AI call in progress, begun by AI.Start and finished by End.
// Its methods are safe for concurrent use; a nil *Call does nothing.
type Call struct {
	spanState // content is the completion (SetCompletion)
	req       ailabels.Request

	finish string // under mu, as what follows
	// late holds the start attributes of a recording span until its end
	// when nothing reads them at the start (AI.lateAttrs).
	late *[]attribute.KeyValue

	// streams (Chunk, SetResponseModel)
	respModel  string
	chunks     int
	firstChunk time.Duration
	lastChunk  time.Time
	chunkOpts  []metric.RecordOption
}

// Start begins a span for an AI call, following the GenAI semantic
// conventions: named "{operation} {model}", kind client, with
// gen_ai.operation.name, gen_ai.provider.name, gen_ai.request.model and the
// request parameters that are set. The prompt goes on the span only with
// WithContentCapture. An empty Operation is ailabels.OperationChat.
//
//	ctx, call := ai.Start(ctx, ailabels.Request{Operation: ailabels.OperationChat,
//		Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"})
//	resp, err := client.Chat(ctx, ...)
//	cost, recErr := call.End(usageOf(resp), err)
//
// The returned context carries the span: pass it to the client so that its
// HTTP spans are children of the AI span.
func (a *AI) Start(ctx context.Context, r ailabels.Request) (context.Context, *Call) {
	if a == nil {
		return ctx, nil
	}
	return a.start(ctx, r, callConfig{})
}

func (a *AI) start(ctx context.Context, r ailabels.Request, cfg callConfig) (context.Context, *Call) {
	if r.Operation == "" {
		r.Operation = ailabels.OperationChat
	}
	// Span strings must be valid UTF-8: OTLP (protobuf) refuses to marshal
	// anything else, and one bad string loses the whole span batch.
	r.Operation, r.Provider, r.Model = validUTF8(r.Operation), validUTF8(r.Provider), validUTF8(r.Model)
	name := a.spanName(r.Operation, r.Model)
	start := cfg.start
	if start.IsZero() {
		start = time.Now()
	}
	var span trace.Span
	if a.lateAttrs {
		// Nothing reads the start attributes (Init's own sampler): they
		// are built only for a recording span and given with the end ones,
		// in one SetAttributes (see Call.attrBuffer).
		if cfg.start.IsZero() {
			ctx, span = a.tracer.Start(ctx, name, clientKind)
		} else {
			ctx, span = a.tracer.Start(ctx, name, clientKind, trace.WithTimestamp(start))
		}
		c := &Call{spanState: spanState{ai: a, ctx: ctx, span: span, start: start}, req: r}
		if span.IsRecording() {
			buf := getAttrs()
			*buf = a.startAttrs((*buf)[:0], &r, &cfg)
			c.late = buf
		}
		c.req.Prompt = "" // not kept past Start
		return ctx, c
	}
	// The start attributes go to the tracer, which copies them (the API's
	// trace.NewSpanStartConfig appends them to its own slice): the buffer
	// is reused.
	buf := getAttrs()
	attrs := a.startAttrs((*buf)[:0], &r, &cfg)
	if cfg.start.IsZero() {
		ctx, span = a.tracer.Start(ctx, name, clientKind, trace.WithAttributes(attrs...))
	} else {
		ctx, span = a.tracer.Start(ctx, name, clientKind, trace.WithAttributes(attrs...), trace.WithTimestamp(start))
	}
	*buf = attrs
	putAttrs(buf)
	r.Prompt = "" // not kept past Start
	return ctx, &Call{spanState: spanState{ai: a, ctx: ctx, span: span, start: start}, req: r}
}

// startAttrs appends the attributes a call's span starts with: the
// request's, the server, the caller's, the prompt with content capture.
func (a *AI) startAttrs(attrs []attribute.KeyValue, r *ailabels.Request, cfg *callConfig) []attribute.KeyValue {
	attrs = append(attrs, ailabels.GenAIOperationNameKey.String(r.Operation))
	if r.Provider != "" {
		attrs = append(attrs, ailabels.GenAIProviderNameKey.String(r.Provider))
	}
	if r.Model != "" {
		attrs = append(attrs, ailabels.GenAIRequestModelKey.String(r.Model))
	}
	if r.MaxTokens > 0 {
		attrs = append(attrs, ailabels.GenAIRequestMaxTokensKey.Int64(r.MaxTokens))
	}
	if r.Temperature != nil {
		attrs = append(attrs, ailabels.GenAIRequestTemperatureKey.Float64(*r.Temperature))
	}
	if cfg.stream {
		attrs = append(attrs, ailabels.GenAIRequestStreamKey.Bool(true))
	}
	if cfg.address != "" {
		attrs = append(attrs, ailabels.ServerAddressKey.String(validUTF8(cfg.address)))
		if cfg.port > 0 {
			attrs = append(attrs, ailabels.ServerPortKey.Int(cfg.port))
		}
	}
	attrs = append(attrs, cfg.attrs...)
	if a.cfg.contentCapture && r.Prompt != "" {
		attrs = append(attrs, ailabels.GenAIInputMessagesKey.String(inputMessagesJSON(r.Prompt)))
	}
	return attrs
}

// attrBuffer returns the buffer a recording span's end attributes are
// built in: the call's start attributes when they wait for the end
// (late), else an empty pooled one. Give it to setEndAttrs.
func (c *Call) attrBuffer() (*[]attribute.KeyValue, []attribute.KeyValue) {
	c.mu.Lock()
	buf := c.late
	c.late = nil
	c.mu.Unlock()
	if buf != nil {
		return buf, *buf
	}
	buf = getAttrs()
	return buf, (*buf)[:0]
}

// setEndAttrs gives the span attrs, built in buf, in one SetAttributes,
// and recycles buf when the span copied them.
func (c *Call) setEndAttrs(buf *[]attribute.KeyValue, attrs []attribute.KeyValue) {
	c.span.SetAttributes(attrs...)
	*buf = attrs
	if copiesAttributes(c.span) {
		putAttrs(buf)
	}
}

// Span returns the call's span, to add attributes or events the helper
// does not set (a no-op span for a nil Call). With the Telemetry's tracer
// provider and one of Init's own samplers, which read no attributes, the
// attributes the span starts with are set at its end, in one piece with
// the others: one set through Span with one of their keys is replaced.
func (c *Call) Span() trace.Span { return c.state().spanOf() }

// SetCompletion gives the completion text. It goes on the span
// (gen_ai.output.messages) at End only with WithContentCapture; otherwise
// it is dropped at once.
func (c *Call) SetCompletion(text string) { c.state().setContent(text) }

// state returns c's spanState, nil for a nil c.
func (c *Call) state() *spanState {
	if c == nil {
		return nil
	}
	return &c.spanState
}

// SetResponse sets gen_ai.response.id and gen_ai.response.finish_reasons
// on the span.
func (c *Call) SetResponse(id string, finishReasons ...string) {
	if c == nil {
		return
	}
	if id != "" {
		c.setAttribute(ailabels.GenAIResponseIDKey.String(validUTF8(id)))
	}
	if len(finishReasons) > 0 {
		c.setAttribute(ailabels.GenAIResponseFinishReasonsKey.StringSlice(validUTF8s(finishReasons)))
		c.mu.Lock()
		c.finish = finishReasons[0]
		c.mu.Unlock()
	}
}

// End finishes the call: err (the call's own error, nil on success) marks
// the span as failed with error.type from ErrorTypeOf (an error with an
// ErrorType() string method names its own; never a Go type name), u's
// token counts go on the span as gen_ai.usage.*, and the request is
// recorded as by AI.Record (outcome="error" when err is not nil).
// u.Provider and u.Model default to the request's; u.Model is the model
// that answered (gen_ai.response.model); a zero u.Time is the call's
// start, so a price that changed during the call is the one in force when
// it began. End(u, err) is Finish(Result{Usage: u, Err: err}).
//
// The span says which price was used: ai.cost.usd, ai.cost.priced, the
// table's date ai.pricing.as_of, the entry ai.pricing.entry and its price
// list ai.pricing.price_list, ai.pricing.service_tier when not standard,
// ai.pricing.retired for a model the references mark retired; an unpriced
// call has ai.cost.priced=false and the reason in ai.pricing.unpriced.
//
// If u is invalid, End still ends the span (with the validation error as
// an event) but records no metrics, and returns the validation error. Only
// the first End counts.
func (c *Call) End(u ailabels.Usage, err error) (ailabels.Cost, error) {
	return c.Finish(Result{Usage: u, Err: err})
}

// appendPricing adds the attributes that say which price priced the call,
// or why none did.
func appendPricing(attrs []attribute.KeyValue, c ailabels.Cost, tier ailabels.ServiceTier) []attribute.KeyValue {
	if c.AsOf != "" {
		attrs = append(attrs, ailabels.PricingAsOfKey.String(c.AsOf))
	}
	if c.PricedAs != "" {
		attrs = append(attrs, ailabels.PricingEntryKey.String(validUTF8(c.PricedAs)), ailabels.PricingListKey.String(validUTF8(c.PriceList)))
	}
	if tier != "" && !strings.EqualFold(string(tier), string(ailabels.ServiceTierStandard)) && !strings.EqualFold(string(tier), "default") {
		attrs = append(attrs, ailabels.PricingServiceTierKey.String(strings.ToLower(string(tier))))
	}
	if c.Retired {
		attrs = append(attrs, ailabels.PricingRetiredKey.Bool(true))
	}
	if c.Unpriced != "" {
		attrs = append(attrs, ailabels.PricingUnpricedKey.String(c.Unpriced))
	}
	return attrs
}

// semconvBase returns the attributes every gen_ai.client.* histogram
// carries: the operation, the provider label, gen_ai.request.model as
// requested (bounded) and the response model's label (when known), and
// whether the labels could be prepared.
func (a *AI) semconvBase(r ailabels.Request, provider, respModel string) ([]attribute.KeyValue, bool) {
	model := r.Model
	if model == "" {
		model = respModel
	}
	req, err := a.entry(provider, model)
	if err != nil {
		return nil, false
	}
	kvs := make([]attribute.KeyValue, 0, 6)
	kvs = append(kvs,
		ailabels.GenAIOperationNameKey.String(boundedOperation(r.Operation)),
		ailabels.GenAIProviderNameKey.String(req.provider),
		ailabels.GenAIRequestModelKey.String(a.requestModel(req, model)),
	)
	if respModel != "" {
		if resp, err := a.entry(provider, respModel); err == nil {
			kvs = append(kvs, ailabels.GenAIResponseModelKey.String(resp.model))
		}
	}
	return kvs, true
}

// recordSemconvType records the duration histogram and the token
// histograms of the conventions in force (gen_ai.client.operation.duration
// and gen_ai.client.token.usage by default; with the latest conventions
// gen_ai.client.inference.duration for inference operations and
// gen_ai.client.inference.operation.{input,output}_tokens). Model labels
// are bounded: gen_ai.request.model as requested, gen_ai.response.model
// the label of ai_requests_total. errType is already bounded.
func (a *AI) recordSemconvType(ctx context.Context, r ailabels.Request, u ailabels.Usage, d time.Duration, errType string) {
	base, ok := a.semconvBase(r, u.Provider, u.Model)
	if !ok {
		return
	}
	dur := base
	if errType != "" {
		dur = append(dur[:len(dur):len(dur)], ailabels.ErrorTypeKey.String(errType))
	}
	durOpt := metric.WithAttributeSet(attribute.NewSet(dur...))
	if a.inferenceDuration != nil && isInference(r.Operation) {
		a.inferenceDuration.Record(ctx, d.Seconds(), durOpt)
	} else {
		a.duration.Record(ctx, d.Seconds(), durOpt)
	}
	if a.inputTokens != nil {
		if u.InputTokens > 0 {
			a.inputTokens.Record(ctx, u.InputTokens, metric.WithAttributeSet(attribute.NewSet(base...)))
		}
		if u.OutputTokens > 0 {
			a.outputTokens.Record(ctx, u.OutputTokens, metric.WithAttributeSet(attribute.NewSet(base...)))
		}
		return
	}
	if a.tokenUsage == nil {
		return
	}
	for _, tt := range [...]struct {
		typ string
		n   int64
	}{{ailabels.GenAITokenTypeInput, u.InputTokens}, {ailabels.GenAITokenTypeOutput, u.OutputTokens}} {
		if tt.n <= 0 {
			continue
		}
		kvs := append(base[:len(base):len(base)], ailabels.GenAITokenTypeKey.String(tt.typ))
		a.tokenUsage.Record(ctx, tt.n, metric.WithAttributeSet(attribute.NewSet(kvs...)))
	}
}

// boundedOperation keeps the operation names of the semantic conventions
// and replaces others by ailabels.Other on metrics (spans keep them).
func boundedOperation(op string) string {
	switch op {
	case ailabels.OperationChat, ailabels.OperationTextCompletion, ailabels.OperationGenerateContent,
		ailabels.OperationEmbeddings, ailabels.OperationRetrieval, ailabels.OperationCreateAgent,
		ailabels.OperationInvokeAgent, ailabels.OperationExecuteTool, ailabels.OperationInvokeWorkflow:
		return op
	}
	return ailabels.Other
}

// finishReason is the reason SetResponse gave, else stop or error.
func finishReason(given string, err error) string {
	switch {
	case given != "":
		return given
	case err != nil:
		return "error"
	}
	return "stop"
}

// inputMessagesJSON renders the prompt as gen_ai.input.messages.
func inputMessagesJSON(prompt string) string { return messagesJSON("user", prompt, "") }

// jsonOrString returns s as raw JSON when it is valid JSON, else as a
// string, for the arguments of a tool call.
func jsonOrString(s string) any {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}

// marshalMessages renders messages as JSON ("" if they cannot be).
func marshalMessages(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// messagesJSON renders one message in the JSON form of the semantic
// conventions' gen_ai.input.messages / gen_ai.output.messages.
func messagesJSON(role, text, finish string) string {
	type part struct {
		Type    string `json:"type"`
		Content string `json:"content"`
	}
	type message struct {
		Role         string `json:"role"`
		Parts        []part `json:"parts"`
		FinishReason string `json:"finish_reason,omitempty"`
	}
	b, err := json.Marshal([]message{{Role: role, Parts: []part{{Type: "text", Content: text}}, FinishReason: finish}})
	if err != nil {
		return ""
	}
	return string(b)
}

// validUTF8 replaces invalid UTF-8 with U+FFFD; valid strings come back
// as they are, without allocating.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
