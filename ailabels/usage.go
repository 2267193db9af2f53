package ailabels

import (
	"errors"
	"fmt"
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
//     cache_creation_input_tokens, OutputTokens = output_tokens.
//   - Gemini reports thinking apart from the candidates: InputTokens =
//     promptTokenCount, CachedInputTokens = cachedContentTokenCount,
//     OutputTokens = candidatesTokenCount + thoughtsTokenCount,
//     ReasoningTokens = thoughtsTokenCount.
type Usage struct {
	// Provider is the provider label, e.g. ProviderOpenAI.
	Provider string
	// Model is the model that answered, as the provider names it (a dated
	// snapshot is fine: NormalizeModel bounds the label, the pricing table
	// looks at the full id).
	Model string

	InputTokens           int64 // all input tokens, cached ones included
	CachedInputTokens     int64 // input tokens read from the cache (part of InputTokens)
	CacheWriteInputTokens int64 // input tokens written to the cache (part of InputTokens)
	OutputTokens          int64 // all output tokens, reasoning included
	ReasoningTokens       int64 // output tokens spent reasoning (part of OutputTokens)
}

// MaxTokens bounds each token count of one Usage. No model call comes
// near it (context windows hold a few million tokens); a count past it is
// a bug upstream, and accepting it would let the cumulative int64 counter
// ai_tokens_total wrap negative.
const MaxTokens = 1_000_000_000

// Validate reports negative counts, counts above MaxTokens and parts
// larger than their whole (cache reads plus writes above the input,
// reasoning above the output). It does not look at Provider and Model and
// does not allocate when u is valid.
func (u Usage) Validate() error {
	switch {
	case u.InputTokens < 0, u.CachedInputTokens < 0, u.CacheWriteInputTokens < 0,
		u.OutputTokens < 0, u.ReasoningTokens < 0:
		return fmt.Errorf("%w: negative token count (input %d, cache read %d, cache write %d, output %d, reasoning %d)",
			ErrInvalidUsage, u.InputTokens, u.CachedInputTokens, u.CacheWriteInputTokens, u.OutputTokens, u.ReasoningTokens)
	case u.InputTokens > MaxTokens, u.OutputTokens > MaxTokens:
		return fmt.Errorf("%w: token count above %d (input %d, output %d)",
			ErrInvalidUsage, MaxTokens, u.InputTokens, u.OutputTokens)
	case u.CachedInputTokens > u.InputTokens-u.CacheWriteInputTokens:
		return fmt.Errorf("%w: cache read %d + cache write %d tokens exceed the %d input tokens that include them (for Anthropic, add the cache counts to InputTokens)",
			ErrInvalidUsage, u.CachedInputTokens, u.CacheWriteInputTokens, u.InputTokens)
	case u.ReasoningTokens > u.OutputTokens:
		return fmt.Errorf("%w: %d reasoning tokens exceed the %d output tokens that include them (for Gemini, add thoughtsTokenCount to OutputTokens)",
			ErrInvalidUsage, u.ReasoningTokens, u.OutputTokens)
	}
	return nil
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

// Cost is what a Usage cost.
type Cost struct {
	// USD is the cost in US dollars; 0 when Priced is false.
	USD float64
	// Priced is false when the pricing table has no price for the model:
	// the cost is then unknown, not zero, and is not guessed.
	Priced bool
	// PricedAs is the pricing-table entry that was used ("" if none).
	PricedAs string
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
