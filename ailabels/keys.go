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

// Other is the label value that replaces values past a label's bound, the
// same for every label the SDK bounds (models, providers, endpoints,
// business labels): "_OTHER", as the HTTP semantic conventions name an
// unknown method. It cannot collide with a valid label value, which is
// lower-case.
const Other = "_OTHER"

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
// the GenAI keys below follow by default; SchemaURL is its schema. v1.41.0
// is the last release of the core repository that defined the GenAI
// conventions: v1.42.0 moved them to their own repository,
// open-telemetry/semantic-conventions-genai, and the Go semconv packages
// dropped the gen_ai constants, so they live here.
//
// LatestSemconvVersion and LatestSchemaURL are the newest release of
// semantic-conventions-genai (a development-channel release: the GenAI
// conventions have no stable release yet). As those conventions ask, the
// SDK keeps emitting SemconvVersion by default and switches to the latest
// names only when OTEL_SEMCONV_STABILITY_OPT_IN lists
// SemconvOptInLatestExperimental (or metrics.WithLatestSemconv is given):
// then it emits the latest names and not the old ones.
const (
	SemconvVersion = "1.41.0"
	SchemaURL      = "https://opentelemetry.io/schemas/1.41.0"

	LatestSemconvVersion = "1.42.0-dev"
	LatestSchemaURL      = "https://opentelemetry.io/schemas/gen-ai-dev/1.42.0-dev"

	// SemconvStabilityOptInEnv is the environment variable the GenAI
	// conventions' transition plan names: a comma-separated list of
	// category values.
	SemconvStabilityOptInEnv = "OTEL_SEMCONV_STABILITY_OPT_IN"
	// SemconvOptInLatestExperimental is the value of
	// OTEL_SEMCONV_STABILITY_OPT_IN that selects the latest experimental
	// GenAI conventions.
	SemconvOptInLatestExperimental = "gen_ai_latest_experimental"
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

// GenAI keys added by the conventions after 1.41.0, or used by the SDK's
// client integrations (streams, tool calls, attempts).
const (
	// GenAIRequestStreamKey is true when the request asked for a stream.
	GenAIRequestStreamKey attribute.Key = "gen_ai.request.stream"
	// GenAIResponseTimeToFirstChunkKey is the time, in seconds, from the
	// request to the first chunk of a streamed response.
	GenAIResponseTimeToFirstChunkKey attribute.Key = "gen_ai.response.time_to_first_chunk"
	// GenAIUsageCacheWriteInputTokensKey is the latest conventions' name of
	// gen_ai.usage.cache_creation.input_tokens (emitted instead of it with
	// gen_ai_latest_experimental).
	GenAIUsageCacheWriteInputTokensKey attribute.Key = "gen_ai.usage.cache_write.input_tokens"
	// GenAIToolNameKey is the name of the tool an execute_tool span runs.
	GenAIToolNameKey attribute.Key = "gen_ai.tool.name"
	// GenAIToolCallIDKey is the id of the tool call the model asked for.
	GenAIToolCallIDKey attribute.Key = "gen_ai.tool.call.id"
	// GenAIToolTypeKey is function, extension or datastore.
	GenAIToolTypeKey attribute.Key = "gen_ai.tool.type"
	// GenAIToolDescriptionKey is the tool's description.
	GenAIToolDescriptionKey attribute.Key = "gen_ai.tool.description"
	// GenAIToolCallArgumentsKey is the arguments of a tool call (content:
	// recorded only with content capture).
	GenAIToolCallArgumentsKey attribute.Key = "gen_ai.tool.call.arguments"
	// GenAIToolCallResultKey is the result of a tool call (content:
	// recorded only with content capture).
	GenAIToolCallResultKey attribute.Key = "gen_ai.tool.call.result"
	// GenAIConversationIDKey is the conversation (session, thread) id.
	GenAIConversationIDKey attribute.Key = "gen_ai.conversation.id"
	// ServerAddressKey and ServerPortKey are the GenAI server's host and
	// port, from the request URL.
	ServerAddressKey attribute.Key = "server.address"
	ServerPortKey    attribute.Key = "server.port"
	// HTTPResponseStatusCodeKey is an attempt's HTTP status.
	HTTPResponseStatusCodeKey attribute.Key = "http.response.status_code"
	// HTTPRequestResendCountKey is the number of times the call's HTTP
	// request was sent again (retries), set on the GenAI span when not 0
	// (the HTTP conventions' name, on the span of the logical call).
	HTTPRequestResendCountKey attribute.Key = "http.request.resend_count"
)

// Tool type values of gen_ai.tool.type.
const (
	ToolTypeFunction  = "function"
	ToolTypeExtension = "extension"
	ToolTypeDatastore = "datastore"
)

// Well-known error.type values the SDK records (besides HTTP status codes
// such as "429" and the providers' own error types such as
// "rate_limit_error").
const (
	// ErrorTypeOther is the conventions' fallback for an error of no known
	// class.
	ErrorTypeOther = "_OTHER"
	// ErrorTypeTimeout is a deadline that passed (context or network).
	ErrorTypeTimeout = "timeout"
	// ErrorTypeCanceled is a call its caller cancelled, or a stream its
	// reader closed before the end.
	ErrorTypeCanceled = "canceled"
	// ErrorTypeConnection is a connection that failed or broke
	// (refused, reset, DNS).
	ErrorTypeConnection = "connection_error"
	// ErrorTypeIncompleteResponse is a body that ended before it was
	// complete (a cut connection, unexpected EOF).
	ErrorTypeIncompleteResponse = "incomplete_response"
	// ErrorTypeMalformedResponse is a body the instrumentation could not
	// parse (the caller's client may have parsed it or failed itself).
	ErrorTypeMalformedResponse = "malformed_response"
)

// Finish reason the conventions ask for when a stream ends before its end
// marker (cut, cancelled).
const FinishReasonError = "error"

// Attributes and events of the SDK's client integrations that the
// conventions do not define, under the SDK's ai.* namespace.
const (
	// AttemptsKey is the number of HTTP attempts the call made (1 without
	// retries).
	AttemptsKey attribute.Key = "ai.request.attempts"
	// UsageMissingKey is true when the call ended without the provider
	// reporting its usage (a stream without a usage event, an empty
	// stream): its tokens and cost are unknown, not zero, and are not
	// counted.
	UsageMissingKey attribute.Key = "ai.usage.missing"
	// ResponseToolCallsKey lists the names of the tools the model asked to
	// call (names only: the arguments are content, on
	// gen_ai.output.messages with content capture).
	ResponseToolCallsKey attribute.Key = "ai.response.tool_calls"
	// ResponseToolCallIDsKey lists the ids of those tool calls, in the
	// same order.
	ResponseToolCallIDsKey attribute.Key = "ai.response.tool_call_ids"
	// StreamChunksKey is the number of chunks (events) a stream delivered.
	StreamChunksKey attribute.Key = "ai.stream.chunks"
	// StreamEndKey says how a stream ended: StreamEndEOF, StreamEndClose,
	// StreamEndError or StreamEndContext.
	StreamEndKey attribute.Key = "ai.stream.end"
	// ResponseOversizeKey is true when a body or stream event was larger
	// than the instrumentation parses: it was passed through untouched but
	// not read for usage.
	ResponseOversizeKey attribute.Key = "ai.response.oversize"
	// AttemptEventName is the span event for each failed attempt, with
	// http.response.status_code (when there was a response), error.type and
	// http.request.resend_count (the attempt's number, from 0).
	AttemptEventName = "ai.attempt.failed"
)

// StreamEndKey values.
const (
	StreamEndEOF     = "eof"
	StreamEndClose   = "close"
	StreamEndError   = "error"
	StreamEndContext = "context"
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
