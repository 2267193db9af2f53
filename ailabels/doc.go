// Package ailabels holds the conventions of the SDK's AI metrics and spans:
// label keys and values, token types and how they relate, model-name
// normalisation, label validation, and the pricing table that turns token
// counts into US dollars.
//
// # Token types
//
// The token types follow the OpenTelemetry GenAI semantic conventions
// (version [SemconvVersion]): cache reads and cache writes are part of the
// input tokens, reasoning tokens are part of the output tokens.
//
//	input       all prompt tokens, cached or not   (gen_ai.usage.input_tokens)
//	cache_read  input tokens served from a cache   (gen_ai.usage.cache_read.input_tokens)
//	cache_write input tokens written to a cache    (gen_ai.usage.cache_creation.input_tokens)
//	output      all completion tokens               (gen_ai.usage.output_tokens)
//	reasoning   output tokens spent thinking        (gen_ai.usage.reasoning.output_tokens)
//
// So sum(ai_tokens_total{token_type=~"input|output"}) is the total token
// count; cache_read, cache_write and reasoning break it down and must not be
// added to it.
//
// # Cost
//
// A [Price] is US dollars per million tokens per token type. The cost of a
// [Usage] is
//
//	(input - cache_read - cache_write) x Input
//	  + cache_read x CacheRead + cache_write x CacheWrite
//	  + output x Output
//
// so cached tokens are never counted twice and reasoning is billed as
// output. [DefaultPricing] is a dated table embedded in the package
// (pricing.json); [LoadPricing], [PricingFromFile], [Pricing.With] and
// [Pricing.Merge] override it. A model the table does not list is never
// priced by guess: its cost is 0 and [Cost.Priced] is false.
//
// # Labels
//
// Label values are bounded and plain: [ValidateLabel] lower-cases a value
// and accepts 1 to 64 characters of a-z 0-9 . _ - / :. [NormalizeModel]
// turns a provider's model id into a bounded label: dated snapshots and
// version suffixes are dropped (gpt-4o-2024-08-06 becomes gpt-4o), while
// pricing still uses the full id, so a snapshot keeps its own price.
package ailabels
