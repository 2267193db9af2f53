package ailabels

import "go.opentelemetry.io/otel/attribute"

// Label keys of the AI metrics (ai_requests_total, ai_tokens_total,
// ai_cost_total, ai_unpriced_requests_total) and of the label-overflow
// counter. They are Prometheus label names as they appear in queries.
const (
	// ModelKey is the normalised model name (see NormalizeModel).
	ModelKey attribute.Key = "model"
	// ProviderKey is the provider (see the Provider constants).
	ProviderKey attribute.Key = "provider"
	// TokenTypeKey is one of the TokenType values.
	TokenTypeKey attribute.Key = "token_type"
	// OutcomeKey is OutcomeOK or OutcomeError on ai_requests_total.
	OutcomeKey attribute.Key = "outcome"
	// OverflowLabelKey names, on telemetry_label_overflow_total, the label
	// whose value was replaced by Other.
	OverflowLabelKey attribute.Key = "label"
)

// Other is the label value that replaces values past a label's bound.
const Other = "other"

// Outcome values of ai_requests_total.
const (
	OutcomeOK    = "ok"
	OutcomeError = "error"
)

// TokenType is the value of the token_type label.
type TokenType string

// The token types. CacheRead and CacheWrite are parts of Input; Reasoning is
// part of Output (see the package documentation).
const (
	TokenInput      TokenType = "input"
	TokenOutput     TokenType = "output"
	TokenCacheRead  TokenType = "cache_read"
	TokenCacheWrite TokenType = "cache_write"
	TokenReasoning  TokenType = "reasoning"
)

// TokenTypes lists the token types in a fixed order.
func TokenTypes() [5]TokenType {
	return [5]TokenType{TokenInput, TokenOutput, TokenCacheRead, TokenCacheWrite, TokenReasoning}
}

// Provider values: those of gen_ai.provider.name in the GenAI semantic
// conventions, so that the provider label and the span attribute agree.
const (
	ProviderOpenAI      = "openai"
	ProviderAnthropic   = "anthropic"
	ProviderGCPGemini   = "gcp.gemini"    // Gemini API (AI Studio)
	ProviderGCPVertexAI = "gcp.vertex_ai" // Vertex AI
	ProviderGCPGenAI    = "gcp.gen_ai"    // Google, API not known
	ProviderAWSBedrock  = "aws.bedrock"
	ProviderAzureOpenAI = "azure.ai.openai"
	// ProviderAzureAIInference is Azure AI Foundry (the Azure AI Inference
	// API): Claude, Grok, DeepSeek, Llama, Mistral, Phi models on Azure.
	ProviderAzureAIInference = "azure.ai.inference"
	ProviderMistralAI        = "mistral_ai"
	ProviderDeepseek         = "deepseek"
	ProviderXAI              = "x_ai"
	ProviderGroq             = "groq"
	ProviderCohere           = "cohere"
)

// Operation values of gen_ai.operation.name.
const (
	OperationChat            = "chat"
	OperationTextCompletion  = "text_completion"
	OperationGenerateContent = "generate_content"
	OperationEmbeddings      = "embeddings"
	OperationRetrieval       = "retrieval"
	OperationCreateAgent     = "create_agent"
	OperationInvokeAgent     = "invoke_agent"
	OperationExecuteTool     = "execute_tool"
	OperationInvokeWorkflow  = "invoke_workflow"
)

// SemconvVersion is the version of the OpenTelemetry semantic conventions
// the GenAI keys below follow; SchemaURL is its schema. The Go semconv
// packages dropped the gen_ai constants in v1.42.0, so they live here.
const (
	SemconvVersion = "1.41.0"
	SchemaURL      = "https://opentelemetry.io/schemas/1.41.0"
)

// GenAI span and metric attribute keys (semantic conventions 1.41.0).
const (
	GenAIOperationNameKey                 attribute.Key = "gen_ai.operation.name"
	GenAIProviderNameKey                  attribute.Key = "gen_ai.provider.name"
	GenAIRequestModelKey                  attribute.Key = "gen_ai.request.model"
	GenAIRequestMaxTokensKey              attribute.Key = "gen_ai.request.max_tokens"
	GenAIRequestTemperatureKey            attribute.Key = "gen_ai.request.temperature"
	GenAIResponseModelKey                 attribute.Key = "gen_ai.response.model"
	GenAIResponseIDKey                    attribute.Key = "gen_ai.response.id"
	GenAIResponseFinishReasonsKey         attribute.Key = "gen_ai.response.finish_reasons"
	GenAIUsageInputTokensKey              attribute.Key = "gen_ai.usage.input_tokens"
	GenAIUsageOutputTokensKey             attribute.Key = "gen_ai.usage.output_tokens"
	GenAIUsageCacheReadInputTokensKey     attribute.Key = "gen_ai.usage.cache_read.input_tokens"
	GenAIUsageCacheCreationInputTokensKey attribute.Key = "gen_ai.usage.cache_creation.input_tokens"
	GenAIUsageReasoningOutputTokensKey    attribute.Key = "gen_ai.usage.reasoning.output_tokens"
	GenAITokenTypeKey                     attribute.Key = "gen_ai.token.type"
	GenAIInputMessagesKey                 attribute.Key = "gen_ai.input.messages"
	GenAIOutputMessagesKey                attribute.Key = "gen_ai.output.messages"
	ErrorTypeKey                          attribute.Key = "error.type"
)

// GenAI token type values (gen_ai.token.type); the conventions define input
// and output only.
const (
	GenAITokenTypeInput  = "input"
	GenAITokenTypeOutput = "output"
)

// Cost and pricing attributes that the SDK adds to AI spans (the semantic
// conventions define no cost), under the SDK's ai.* namespace.
const (
	// CostUSDKey is the cost of the call in US dollars.
	CostUSDKey attribute.Key = "ai.cost.usd"
	// CostPricedKey is false when the call has no price, so the cost
	// shown is 0 rather than a guess.
	CostPricedKey attribute.Key = "ai.cost.priced"
	// PricingAsOfKey is the date (YYYY-MM-DD) of the pricing table that
	// priced the call, or that had no price for it.
	PricingAsOfKey attribute.Key = "ai.pricing.as_of"
	// PricingEntryKey is the entry that priced the call: its model id or
	// rule name (Cost.PricedAs).
	PricingEntryKey attribute.Key = "ai.pricing.entry"
	// PricingListKey is the provider whose price list the entry is in
	// (Cost.PriceList): the call's provider, or the one it fell back to.
	PricingListKey attribute.Key = "ai.pricing.price_list"
	// PricingServiceTierKey is the service tier the call was priced on,
	// set when it is not standard.
	PricingServiceTierKey attribute.Key = "ai.pricing.service_tier"
	// PricingRetiredKey is true when the references mark the model as
	// retired (it is still priced).
	PricingRetiredKey attribute.Key = "ai.pricing.retired"
	// PricingUnpricedKey says why an unpriced call has no price
	// (UnpricedModel, UnpricedServiceTier).
	PricingUnpricedKey attribute.Key = "ai.pricing.unpriced"
	// UsageCacheWrite1hKey is the count of one-hour cache writes (part of
	// gen_ai.usage.cache_creation.input_tokens), set when not zero.
	UsageCacheWrite1hKey attribute.Key = "ai.usage.cache_creation_1h.input_tokens"
)
