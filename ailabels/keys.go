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
	ProviderMistralAI   = "mistral_ai"
	ProviderDeepseek    = "deepseek"
	ProviderXAI         = "x_ai"
	ProviderGroq        = "groq"
	ProviderCohere      = "cohere"
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

// Cost attributes that the SDK adds to AI spans (not part of the semantic
// conventions).
const (
	// CostUSDKey is the cost of the call in US dollars.
	CostUSDKey attribute.Key = "ai.cost.usd"
	// CostPricedKey is false when the model has no price, so the cost
	// shown is 0 rather than a guess.
	CostPricedKey attribute.Key = "ai.cost.priced"
)
