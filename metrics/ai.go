package metrics

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/bounded"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
)

// The AI metrics, as they appear in Prometheus once the collector has
// translated them (docs/metrics.md has their descriptions and labels).
const (
	// AIRequestsName counts AI requests, labelled model, provider and
	// outcome (ailabels.OutcomeOK or ailabels.OutcomeError).
	AIRequestsName = "ai_requests_total"

	// AITokensName counts tokens, labelled model and token_type (input,
	// output, cache_read, cache_write, reasoning). cache_read and
	// cache_write are parts of input and reasoning is part of output, as in
	// the GenAI semantic conventions: sum input and output only.
	AITokensName = "ai_tokens_total"

	// AICostName is the cost in US dollars, labelled model. Its unit is
	// empty on purpose: a unit of "USD" would make the series
	// ai_cost_USD_total.
	AICostName = "ai_cost_total"

	// AIUnpricedRequestsName counts requests to a model the pricing table
	// does not price, labelled model: their cost is missing from
	// ai_cost_total, not zero. Alert on it to keep the table current.
	AIUnpricedRequestsName = "ai_unpriced_requests_total"

	// AIPricingAsOfName is the date of the pricing table in use, as a Unix
	// timestamp (midnight UTC of its as_of): one series per service, no
	// labels of its own, so that an alert on
	// time() - ai_pricing_as_of_timestamp_seconds > 90 * 86400 finds a
	// table older than 90 days. 0 when the table has no date.
	AIPricingAsOfName = "ai_pricing_as_of_timestamp_seconds"

	// AIUsageMissingName counts requests that ended without the provider
	// reporting their usage (a stream without its usage event, an empty
	// stream), labelled model and provider: their tokens and cost are
	// unknown, not zero, and are missing from ai_tokens_total and
	// ai_cost_total. Recorded by Call.Finish with Result.UsageMissing.
	AIUsageMissingName = "ai_usage_missing_total"

	// LabelOverflowName counts recordings whose label value was replaced
	// by "_OTHER" because the label had reached its bound, labelled label
	// (the label key, e.g. model).
	LabelOverflowName = "telemetry_label_overflow_total"
)

// Default bounds of the AI labels.
const (
	DefaultMaxModels    = 50
	DefaultMaxProviders = 20
)

// maxAICacheEntries bounds the cache of prepared label combinations (raw
// provider and model strings). Past it, recording still works but prepares
// its labels on every call.
const maxAICacheEntries = 1024

// maxBound is the largest bound an option accepts; the SDK's cardinality
// limit (2000 series per instrument by default) is the real ceiling.
const maxBound = 1000

// AIOption configures NewAI. Every Option (WithMeterProvider,
// WithTracerProvider) is an AIOption too.
type AIOption interface {
	applyAI(aiConfig) aiConfig
}

type aiOptionFunc func(aiConfig) aiConfig

func (f aiOptionFunc) applyAI(c aiConfig) aiConfig { return f(c) }

type aiConfig struct {
	providers
	pricing           *ailabels.Pricing
	pricingSet        bool
	pricingErr        error // a bad TELEMETRY_PRICING_FILE, reported by NewAI
	maxModels         int
	maxProviders      int
	contentCapture    bool
	semconvHistograms bool
	latestSemconv     bool
	latestSemconvSet  bool
}

// WithPricing replaces the pricing table. Without it NewAI uses
// ailabels.PricingFromEnv: the embedded ailabels.DefaultPricing with the
// files named by TELEMETRY_PRICING_FILE merged over it (the option wins
// over the environment). A nil table prices nothing: every request is
// unpriced.
func WithPricing(p *ailabels.Pricing) AIOption {
	return aiOptionFunc(func(c aiConfig) aiConfig { c.pricing, c.pricingSet = p, true; return c })
}

// WithMaxModels bounds the distinct values of the model label (default
// 50, at most 1000). Later models are recorded as "_OTHER".
func WithMaxModels(n int) AIOption {
	return aiOptionFunc(func(c aiConfig) aiConfig { c.maxModels = n; return c })
}

// WithMaxProviders bounds the distinct values of the provider label
// (default 20, at most 1000). Later providers are recorded as "_OTHER".
func WithMaxProviders(n int) AIOption {
	return aiOptionFunc(func(c aiConfig) aiConfig { c.maxProviders = n; return c })
}

// WithContentCapture puts prompt and completion text on AI spans
// (gen_ai.input.messages, gen_ai.output.messages). Off by default: the
// text may hold personal data and makes spans large.
func WithContentCapture() AIOption {
	return aiOptionFunc(func(c aiConfig) aiConfig { c.contentCapture = true; return c })
}

// WithSemconvHistograms makes Call.End also record the GenAI semantic
// conventions' histograms gen_ai.client.token.usage and
// gen_ai.client.operation.duration (in Prometheus:
// gen_ai_client_token_usage_* and gen_ai_client_operation_duration_seconds_*).
// Off by default: each adds a dozen or more series per operation, provider
// and model.
func WithSemconvHistograms() AIOption {
	return aiOptionFunc(func(c aiConfig) aiConfig { c.semconvHistograms = true; return c })
}

// WithLatestSemconv makes the AI spans and the gen_ai.client.* histograms
// follow the latest experimental GenAI conventions
// (ailabels.LatestSemconvVersion) instead of ailabels.SemconvVersion, as
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental does; false
// keeps the default names whatever the environment says. The option wins
// over the environment. See docs/genai.md for what changes.
func WithLatestSemconv(latest bool) AIOption {
	return aiOptionFunc(func(c aiConfig) aiConfig { c.latestSemconv, c.latestSemconvSet = latest, true; return c })
}

// semconvOptIn reports whether the comma-separated list v (the value of
// OTEL_SEMCONV_STABILITY_OPT_IN) holds gen_ai_latest_experimental.
func semconvOptIn(v string) bool {
	for _, f := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(f), ailabels.SemconvOptInLatestExperimental) {
			return true
		}
	}
	return false
}

func newAIConfig(opts []AIOption) (aiConfig, error) {
	c := aiConfig{maxModels: DefaultMaxModels, maxProviders: DefaultMaxProviders}
	for _, o := range opts {
		if o != nil {
			c = o.applyAI(c)
		}
	}
	if !c.latestSemconvSet {
		c.latestSemconv = semconvOptIn(os.Getenv(ailabels.SemconvStabilityOptInEnv))
	}
	if !c.pricingSet {
		c.pricing, c.pricingErr = ailabels.PricingFromEnv()
	}
	if c.maxModels < 1 || c.maxModels > maxBound {
		return c, fmt.Errorf("metrics: WithMaxModels(%d): want 1 to %d", c.maxModels, maxBound)
	}
	if c.maxProviders < 1 || c.maxProviders > maxBound {
		return c, fmt.Errorf("metrics: WithMaxProviders(%d): want 1 to %d", c.maxProviders, maxBound)
	}
	return c, nil
}

// AI records AI usage and cost: ai_requests_total, ai_tokens_total,
// ai_cost_total and ai_unpriced_requests_total, and with Start and
// Call.End a span per call. Build it once with NewAI; its methods are safe
// for concurrent use.
//
// Recording a known model and provider does not allocate: the label
// combinations are prepared on first use and cached. A nil *AI records
// nothing and returns zero Costs.
//
// Prices come from the pricing table (WithPricing, else
// ailabels.PricingFromEnv), by the usage's provider and model id as the
// provider's API returns it (ailabels.Pricing.Entry); the table's date is
// exported as ai_pricing_as_of_timestamp_seconds.
//
// Series budget: ai_requests_total has at most models x providers x 2
// outcomes series (in practice each model has one provider),
// ai_tokens_total models x 5, ai_cost_total and ai_unpriced_requests_total
// one per model, ai_usage_missing_total one per model and provider,
// ai_pricing_as_of_timestamp_seconds one. The optional gen_ai.client.*
// histograms (WithSemconvHistograms) cost more: see docs/genai.md.
type AI struct {
	cfg     aiConfig
	enabled bool

	requests metric.Int64Counter
	tokens   metric.Int64Counter
	cost     metric.Float64Counter
	unpriced metric.Int64Counter
	overflow metric.Int64Counter
	asOf     metric.Int64ObservableGauge

	overflowModel, overflowProvider []metric.AddOption

	tracer trace.Tracer
	// lateAttrs: nothing reads the attributes an AI span starts with (the
	// Telemetry's tracer provider with one of Init's own samplers), so they
	// are given at its end with the others, in one SetAttributes.
	lateAttrs  bool
	tokenUsage metric.Int64Histogram   // nil unless WithSemconvHistograms (default conventions)
	duration   metric.Float64Histogram // nil unless WithSemconvHistograms

	usageMissing metric.Int64Counter
	semconvExtra // the histograms of streams, tools and the latest conventions (genai_stream.go)

	// cache maps raw (provider, model) strings to prepared labels.
	cache *bounded.Cache[aiKey, *aiEntry]

	models    *bounded.Labels
	providers *bounded.Labels
	reqModels *bounded.Labels // gen_ai.request.model as requested, on the gen_ai.client.* histograms
	errTypes  *bounded.Labels // error.type on the gen_ai.* histograms (Call.Finish, ToolCall.End)
	toolNames *bounded.Labels // gen_ai.tool.name on gen_ai.execute_tool.duration
}

type aiKey struct{ provider, model string }

// aiEntry is one prepared (provider, model) combination.
type aiEntry struct {
	model, provider string // label values, possibly bounded.Overflow

	price *ailabels.Entry // nil: unpriced

	modelOverflow, providerOverflow bool

	requests [2][]metric.AddOption             // by outcome: ok, error
	tokens   [numTokenTypes][]metric.AddOption // by token type: tokenInput, ...
	cost     []metric.AddOption
	unpriced []metric.AddOption

	// reqModel is the model id as requested, bounded, for
	// gen_ai.request.model on the gen_ai.client.* histograms; set on first
	// use as a request model (requestModel), so that response model ids do
	// not use up its bound.
	reqModel     atomic.Pointer[string]
	usageMissing []metric.AddOption
}

const (
	outcomeOK = iota
	outcomeError
)

// The indices of aiEntry.tokens, in the order of ailabels.TokenTypes
// (checked by newEntry's loop).
const (
	tokenInput = iota
	tokenOutput
	tokenCacheRead
	tokenCacheWrite
	tokenReasoning

	numTokenTypes
)

// NewAI creates the AI instruments on tel's meter provider and tracer
// provider (or those of WithMeterProvider and WithTracerProvider), under
// the scope telemetry.ScopeName. A nil or disabled tel without those
// options gives an *AI that records nothing but still validates and
// prices. It returns an error for an option out of range.
//
// Without WithPricing it prices with ailabels.PricingFromEnv. A pricing
// file that TELEMETRY_PRICING_FILE names but that cannot be read or is
// invalid does not stop the service: NewAI prices with the embedded table
// and sends the error (a *ailabels.PricingError naming the variable, the
// file, the entry and the field) to tel.HandleError, the SDK's
// rate-limited error handler; ai_pricing_as_of_timestamp_seconds then
// shows the embedded table's date. Call ailabels.PricingFromEnv first and
// pass its table to WithPricing to fail at start instead.
func NewAI(tel *telemetry.Telemetry, opts ...AIOption) (*AI, error) {
	cfg, err := newAIConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.pricingErr != nil {
		tel.HandleError(fmt.Errorf("metrics: AI pricing: %w (the embedded table, as of %s, is in force)", cfg.pricingErr, cfg.pricing.AsOf()))
	}
	mp, enabled := cfg.meterProvider(tel)
	meter := mp.Meter(telemetry.ScopeName)
	a := &AI{
		cfg:       cfg,
		enabled:   enabled,
		tracer:    cfg.tracerProvider(tel).Tracer(telemetry.ScopeName, trace.WithSchemaURL(ailabels.SchemaURL)),
		models:    bounded.NewLabels(cfg.maxModels),
		providers: bounded.NewLabels(cfg.maxProviders),
		reqModels: bounded.NewLabels(cfg.maxModels),
		errTypes:  bounded.NewLabels(maxErrorTypes),
		toolNames: bounded.NewLabels(cfg.maxModels),
		cache:     bounded.NewCache[aiKey, *aiEntry](maxAICacheEntries),
	}
	if cfg.latestSemconv {
		a.tracer = cfg.tracerProvider(tel).Tracer(telemetry.ScopeName, trace.WithSchemaURL(ailabels.LatestSchemaURL))
	}
	a.lateAttrs = cfg.providers.set.Tracer == nil && tel.Enabled() && !tel.SamplerReadsAttributes()
	if a.requests, err = catalog.Int64Counter(meter, catalog.AIRequests); err != nil {
		return nil, err
	}
	if a.tokens, err = catalog.Int64Counter(meter, catalog.AITokens); err != nil {
		return nil, err
	}
	if a.cost, err = catalog.Float64Counter(meter, catalog.AICost); err != nil {
		return nil, err
	}
	if a.unpriced, err = catalog.Int64Counter(meter, catalog.AIUnpricedRequests); err != nil {
		return nil, err
	}
	if a.overflow, err = newOverflowCounter(meter); err != nil {
		return nil, err
	}
	if a.usageMissing, err = catalog.Int64Counter(meter, catalog.AIUsageMissing); err != nil {
		return nil, err
	}
	var asOf int64
	if t := cfg.pricing.AsOfTime(); !t.IsZero() {
		asOf = t.Unix()
	}
	if a.asOf, err = catalog.Int64ObservableGauge(meter, catalog.AIPricingAsOf,
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(asOf)
			return nil
		})); err != nil {
		return nil, err
	}
	a.overflowModel = overflowOption(ailabels.ModelKey)
	a.overflowProvider = overflowOption(ailabels.ProviderKey)
	if cfg.semconvHistograms {
		if err := a.newSemconvHistograms(meter); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func newOverflowCounter(meter metric.Meter) (metric.Int64Counter, error) {
	return catalog.Int64Counter(meter, catalog.LabelOverflow)
}

func overflowOption(label attribute.Key) []metric.AddOption {
	return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(ailabels.OverflowLabelKey.String(string(label))))}
}

// Pricing returns the pricing table a prices with (nil prices nothing).
func (a *AI) Pricing() *ailabels.Pricing {
	if a == nil {
		return nil
	}
	return a.cfg.pricing
}

// Enabled reports whether a records metrics: its Telemetry is enabled or
// WithMeterProvider gave it a provider. (Spans follow the tracer provider:
// AI.Start makes no-op spans on a disabled one.)
func (a *AI) Enabled() bool { return a != nil && a.enabled }

// Record records one successful AI request: 1 to ai_requests_total
// {outcome="ok"}, each non-zero token count of u to ai_tokens_total, and
// its cost to ai_cost_total. It returns the cost and which price it came
// from. A call the pricing table does not price (an unknown provider and
// model, a service tier without a price) gets a Cost of 0 with Priced
// false and the reason in Unpriced, adds 0 to ai_cost_total and 1 to
// ai_unpriced_requests_total. The price is the one in force at u.Time
// (zero: now).
//
// Invalid usage (negative counts, cache or reasoning counts larger than
// the input or output that include them: errors.Is ailabels.ErrInvalidUsage)
// and invalid provider or model names (ailabels.ErrInvalidLabel) are
// returned, and nothing is recorded.
func (a *AI) Record(ctx context.Context, u ailabels.Usage) (ailabels.Cost, error) {
	return a.recordAs(ctx, &u, outcomeOK, "")
}

// RecordError is Record for a request that failed: ai_requests_total gets
// outcome="error", and the tokens of u (those the provider billed before
// failing, often none) are counted and priced as by Record.
func (a *AI) RecordError(ctx context.Context, u ailabels.Usage) (ailabels.Cost, error) {
	return a.recordAs(ctx, &u, outcomeError, "")
}

func (a *AI) add(ctx context.Context, e *aiEntry, u *ailabels.Usage, c ailabels.Cost, outcome int) {
	a.requests.Add(ctx, 1, e.requests[outcome]...)
	if u.InputTokens > 0 {
		a.tokens.Add(ctx, u.InputTokens, e.tokens[tokenInput]...)
	}
	if u.OutputTokens > 0 {
		a.tokens.Add(ctx, u.OutputTokens, e.tokens[tokenOutput]...)
	}
	if u.CachedInputTokens > 0 {
		a.tokens.Add(ctx, u.CachedInputTokens, e.tokens[tokenCacheRead]...)
	}
	if u.CacheWriteInputTokens > 0 {
		a.tokens.Add(ctx, u.CacheWriteInputTokens, e.tokens[tokenCacheWrite]...)
	}
	if u.ReasoningTokens > 0 {
		a.tokens.Add(ctx, u.ReasoningTokens, e.tokens[tokenReasoning]...)
	}
	a.cost.Add(ctx, c.USD, e.cost...)
	if !c.Priced {
		a.unpriced.Add(ctx, 1, e.unpriced...)
	}
	if e.modelOverflow {
		a.overflow.Add(ctx, 1, a.overflowModel...)
	}
	if e.providerOverflow {
		a.overflow.Add(ctx, 1, a.overflowProvider...)
	}
}

// entry returns the prepared labels of (provider, model), preparing and
// caching them on first use.
func (a *AI) entry(provider, model string) (*aiEntry, error) {
	k := aiKey{provider, model}
	if e, ok := a.cache.Load(k); ok {
		return e, nil
	}
	ml, err := ailabels.NormalizeModel(model)
	if err != nil {
		return nil, fmt.Errorf("metrics: model: %w", err)
	}
	pl, err := ailabels.ValidateLabel(provider)
	if err != nil {
		return nil, fmt.Errorf("metrics: provider: %w", err)
	}
	return a.cache.Get(k, func(aiKey) *aiEntry { return a.newEntry(provider, model, ml, pl) }), nil
}

// newEntry prepares the labels of (provider, model), whose valid label
// values are ml and pl, within the bounds.
func (a *AI) newEntry(provider, model, ml, pl string) *aiEntry {
	e := &aiEntry{}
	e.model, e.modelOverflow = a.models.Admit(ml)
	e.provider, e.providerOverflow = a.providers.Admit(pl)
	e.price = a.cfg.pricing.Entry(provider, model)

	m := ailabels.ModelKey.String(e.model)
	p := ailabels.ProviderKey.String(e.provider)
	e.requests[outcomeOK] = addOpts(m, p, ailabels.OutcomeKey.String(ailabels.OutcomeOK))
	e.requests[outcomeError] = addOpts(m, p, ailabels.OutcomeKey.String(ailabels.OutcomeError))
	for i, t := range ailabels.TokenTypes() {
		e.tokens[i] = addOpts(m, ailabels.TokenTypeKey.String(string(t)))
	}
	e.cost = addOpts(m)
	e.unpriced = e.cost
	e.usageMissing = addOpts(m, p)
	return e
}

func addOpts(kvs ...attribute.KeyValue) []metric.AddOption {
	return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}
}
