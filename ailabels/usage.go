package ailabels

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ErrInvalidUsage is matched (errors.Is) by the error Usage.Validate
// returns for negative or inconsistent token counts.
var ErrInvalidUsage = errors.New("ailabels: invalid usage")

// Usage is what one AI call consumed. The counts follow the GenAI semantic
// conventions: InputTokens includes the cached and cache-write tokens,
// OutputTokens includes the reasoning tokens. Providers report them
// differently:
//
//   - OpenAI: InputTokens = prompt_tokens (or input_tokens),
//     CachedInputTokens = prompt_tokens_details.cached_tokens,
//     OutputTokens = completion_tokens, ReasoningTokens =
//     completion_tokens_details.reasoning_tokens.
//   - Anthropic reports input_tokens WITHOUT the cache: InputTokens =
//     input_tokens + cache_read_input_tokens + cache_creation_input_tokens,
//     CachedInputTokens = cache_read_input_tokens, CacheWriteInputTokens =
//     cache_creation_input_tokens, CacheWrite1hInputTokens =
//     cache_creation.ephemeral_1h_input_tokens, OutputTokens =
//     output_tokens, ServiceTier = service_tier ("batch" for the Message
//     Batches API).
//   - Gemini reports thinking apart from the candidates: InputTokens =
//     promptTokenCount, CachedInputTokens = cachedContentTokenCount,
//     OutputTokens = candidatesTokenCount + thoughtsTokenCount,
//     ReasoningTokens = thoughtsTokenCount.
type Usage struct {
	// Provider is the provider label and the price list to use: a
	// gen_ai.provider.name value such as ProviderOpenAI, ProviderAWSBedrock
	// or ProviderAzureOpenAI (see Pricing.Entry for how it is matched).
	Provider string
	// Model is the model that answered, exactly as the provider's API
	// returns it: a dated snapshot, Bedrock's
	// us.anthropic.claude-sonnet-4-5-20250929-v1:0, Vertex's
	// claude-sonnet-4-5@20250929, an Azure deployment named in
	// Pricing.WithDeployments. NormalizeModel bounds the label; the pricing
	// table looks at the full id.
	Model string

	InputTokens             int64 // all input tokens, cached ones included
	CachedInputTokens       int64 // input tokens read from the cache (part of InputTokens)
	CacheWriteInputTokens   int64 // input tokens written to the cache, of any lifetime (part of InputTokens)
	CacheWrite1hInputTokens int64 // cache writes with a one-hour lifetime (part of CacheWriteInputTokens)
	OutputTokens            int64 // all output tokens, reasoning included
	ReasoningTokens         int64 // output tokens spent reasoning (part of OutputTokens)

	// ServiceTier is the service tier the call ran on; empty is standard.
	ServiceTier ServiceTier
	// Time is when the call was made, for prices that change on a date;
	// zero is now.
	Time time.Time
}

// ServiceTier is the service tier of a call, which selects its price.
type ServiceTier string

// The service tiers the pricing table knows. An empty ServiceTier, and
// OpenAI's "default", are ServiceTierStandard.
const (
	ServiceTierStandard ServiceTier = "standard"
	ServiceTierBatch    ServiceTier = "batch"    // OpenAI Batch API, Anthropic Message Batches, Gemini batch mode
	ServiceTierFlex     ServiceTier = "flex"     // OpenAI flex processing, Gemini flex
	ServiceTierPriority ServiceTier = "priority" // OpenAI, Anthropic and Gemini priority tiers
)

// serviceIndex maps a valid ServiceTier to its schedule index.
func serviceIndex(t ServiceTier) int {
	switch {
	case t == "", strings.EqualFold(string(t), string(ServiceTierStandard)), strings.EqualFold(string(t), "default"):
		return svcStandard
	case strings.EqualFold(string(t), string(ServiceTierBatch)):
		return svcBatch
	case strings.EqualFold(string(t), string(ServiceTierFlex)):
		return svcFlex
	case strings.EqualFold(string(t), string(ServiceTierPriority)):
		return svcPriority
	}
	return -1
}

// MaxTokens bounds each token count of one Usage. No model call comes
// near it (context windows hold a few million tokens); a count past it is
// a bug upstream, and accepting it would let the cumulative int64 counter
// ai_tokens_total wrap negative.
const MaxTokens = 1_000_000_000

// Validate reports negative counts, counts above MaxTokens, parts larger
// than their whole (cache reads plus writes above the input, one-hour
// cache writes above the cache writes, reasoning above the output) and a
// service tier other than standard (or empty, or "default"), batch, flex
// and priority. It does not look at Provider and Model and does not
// allocate when u is valid.
func (u Usage) Validate() error {
	switch {
	case u.InputTokens < 0, u.CachedInputTokens < 0, u.CacheWriteInputTokens < 0, u.CacheWrite1hInputTokens < 0,
		u.OutputTokens < 0, u.ReasoningTokens < 0:
		return fmt.Errorf("%w: negative token count (input %d, cache read %d, cache write %d, cache write 1h %d, output %d, reasoning %d)",
			ErrInvalidUsage, u.InputTokens, u.CachedInputTokens, u.CacheWriteInputTokens, u.CacheWrite1hInputTokens, u.OutputTokens, u.ReasoningTokens)
	case u.InputTokens > MaxTokens, u.OutputTokens > MaxTokens:
		return fmt.Errorf("%w: token count above %d (input %d, output %d)",
			ErrInvalidUsage, MaxTokens, u.InputTokens, u.OutputTokens)
	case u.CachedInputTokens > u.InputTokens-u.CacheWriteInputTokens:
		return fmt.Errorf("%w: cache read %d + cache write %d tokens exceed the %d input tokens that include them (for Anthropic, add the cache counts to InputTokens)",
			ErrInvalidUsage, u.CachedInputTokens, u.CacheWriteInputTokens, u.InputTokens)
	case u.CacheWrite1hInputTokens > u.CacheWriteInputTokens:
		return fmt.Errorf("%w: %d one-hour cache-write tokens exceed the %d cache-write tokens that include them (CacheWriteInputTokens counts writes of every lifetime)",
			ErrInvalidUsage, u.CacheWrite1hInputTokens, u.CacheWriteInputTokens)
	case u.ReasoningTokens > u.OutputTokens:
		return fmt.Errorf("%w: %d reasoning tokens exceed the %d output tokens that include them (for Gemini, add thoughtsTokenCount to OutputTokens)",
			ErrInvalidUsage, u.ReasoningTokens, u.OutputTokens)
	case serviceIndex(u.ServiceTier) < 0:
		return fmt.Errorf("%w: service tier %q: allowed are standard (or empty, or default), batch, flex, priority",
			ErrInvalidUsage, truncate(string(u.ServiceTier)))
	}
	return nil
}

func truncate(s string) string {
	if len(s) > MaxLabelLength {
		return s[:MaxLabelLength] + "..."
	}
	return s
}

// Tokens returns the count of one token type (0 for an unknown type).
func (u Usage) Tokens(t TokenType) int64 {
	switch t {
	case TokenInput:
		return u.InputTokens
	case TokenOutput:
		return u.OutputTokens
	case TokenCacheRead:
		return u.CachedInputTokens
	case TokenCacheWrite:
		return u.CacheWriteInputTokens
	case TokenReasoning:
		return u.ReasoningTokens
	}
	return 0
}

// Cost is what a Usage cost, and which price said so. It is comparable,
// and logs as a group (LogValue).
type Cost struct {
	// USD is the cost in US dollars; 0 when Priced is false.
	USD float64
	// Priced is false when the pricing table has no price for the call:
	// the cost is then unknown, not zero, and is not guessed. Unpriced
	// says why.
	Priced bool
	// PricedAs is the pricing-table entry that was used: the model id it
	// lists, or the name of the rule that matched ("" if none).
	PricedAs string
	// PriceList is the provider whose price list the entry is in: the
	// call's provider, the first-party provider an Azure or Vertex call
	// fell back to where the references say the platform charges the
	// same, or "" for an entry that applies to every provider.
	PriceList string
	// AsOf is the date (YYYY-MM-DD) of the table the price came from.
	AsOf string
	// Retired is true when the references mark the model as retired at
	// the call's time: the cost is still computed, for old traffic.
	Retired bool
	// Unpriced is why Priced is false (UnpricedModel or
	// UnpricedServiceTier); "" when priced.
	Unpriced string
}

// Why a Cost is unpriced (Cost.Unpriced, span attribute
// ai.pricing.unpriced).
const (
	// UnpricedModel: the table has no entry for the provider and model.
	UnpricedModel = "unknown_model"
	// UnpricedServiceTier: the entry has no price for the call's service
	// tier (the references list none; it is not guessed from the
	// standard price).
	UnpricedServiceTier = "unknown_service_tier"
)

// LogValue makes a Cost log as a group: usd, priced, and which price was
// used (priced_as, price_list, as_of, retired) or why none was
// (unpriced). slog calls it, so logger.Info("model call", "cost", cost)
// says which price the figure came from.
func (c Cost) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs, slog.Float64("usd", c.USD), slog.Bool("priced", c.Priced))
	if c.PricedAs != "" {
		attrs = append(attrs, slog.String("priced_as", c.PricedAs), slog.String("price_list", c.PriceList))
	}
	if c.AsOf != "" {
		attrs = append(attrs, slog.String("as_of", c.AsOf))
	}
	if c.Retired {
		attrs = append(attrs, slog.Bool("retired", true))
	}
	if c.Unpriced != "" {
		attrs = append(attrs, slog.String("unpriced", c.Unpriced))
	}
	return slog.GroupValue(attrs...)
}

// Request describes an AI call about to be made, for its span.
type Request struct {
	// Operation is gen_ai.operation.name, e.g. OperationChat.
	Operation string
	// Provider is the provider label, e.g. ProviderOpenAI.
	Provider string
	// Model is the model asked for (gen_ai.request.model).
	Model string
	// MaxTokens is gen_ai.request.max_tokens; 0 means not set.
	MaxTokens int64
	// Temperature is gen_ai.request.temperature; nil means not set.
	Temperature *float64
	// Prompt is the input text. It goes on the span (gen_ai.input.messages)
	// only when content capture is switched on; by default it is dropped.
	Prompt string
}
