// Package anthropictel records the Messages calls of the official Anthropic Go
// client, github.com/anthropics/anthropic-sdk-go/v2 (v2.16.0 or newer): one
// option when the client is built, and every client.Messages.New and
// NewStreaming call (and their Beta forms) gets a GenAI span and the
// ai_requests_total, ai_tokens_total and ai_cost_total series, priced for the
// platform the call went to.
//
//	ai, err := metrics.NewAI(tel)
//	...
//	client := anthropic.NewClient(
//		option.WithAPIKey(key),
//		anthropictel.WithTelemetry(ai),
//	)
//
// # What a call records
//
// One span per logical call, "chat {model}" of kind client, however often the
// client retries (anthropic-sdk-go retries 408, 409, 429 and 5xx twice by
// default): ai.request.attempts, http.request.resend_count after a retry,
// and an ai.attempt.failed event per failed attempt with its status and
// error.type. The span has gen_ai.request.model, max_tokens and stream,
// gen_ai.response.id, model and finish_reasons (the stop_reason), the usage
// (input tokens with the cache included, as the conventions count them,
// cache reads, cache writes with their one-hour part, output tokens with the
// thinking tokens as reasoning), the tool_use blocks the model asked for
// (ai.response.tool_calls and ai.response.tool_call_ids), the cost and the
// price it came from. error.type says what went wrong: the API's error type
// ("rate_limit_error", "overloaded_error", "api_error", from the error body
// or from an error event inside a stream), else the HTTP status, "timeout",
// "canceled", or "malformed_response" for an event the client cannot decode.
//
// A stream is recorded when it ends: at its end, at a read error, when the
// caller closes it, or when the call's context ends. Its usage is the
// message_start event's (input and cache counts, with the five-minute and
// one-hour split of the cache writes) overwritten by the cumulative counts of
// message_delta. A stream that ends without message_delta (empty, or stopped
// early) is recorded with its usage missing (ai.usage.missing, and
// ai_usage_missing_total), never as zero tokens. Time to first chunk and
// time per output chunk count the content_block_delta events. The events are
// read as they pass, with bounded memory: a delta costs no allocation.
//
// The caller sees what it would see without the option: the same bytes, in
// the same reads, with the same errors; nothing here panics on a malformed
// body or event.
//
// # One span per call: the SDK's own is turned off
//
// anthropic-sdk-go v2 opens a span of its own for every API call
// ("anthropic.messages.create", through the global TracerProvider) and sends
// its trace context. WithTelemetry turns that span off
// (option.WithoutOpenTelemetry, composed into its one option) and sends the
// trace context of its own span instead, with the global propagator, unless
// option.WithOpenTelemetryPropagation(false) or
// ANTHROPIC_OPEN_TELEMETRY_PROPAGATION=false says not to, as the SDK would.
// Two spans of the same call would count it twice in any view of GenAI
// spans; this one has the usage, the cost and the attempts. WithSDKSpans
// keeps the SDK's span, with the GenAI span as its child, for a service
// whose tooling reads the SDK's spans. The option applies to the other API
// calls of the client too (count_tokens, batches, models, files): they
// pass through unrecorded, and without the SDK's span.
//
// The option gives each logical call a middleware of its own (the SDK
// applies a client's options once per call), so the attempts of a call are
// grouped by that, not guessed from headers. It reads three exported fields
// of the SDK's request configuration by reflection: MaxRetries (so
// option.WithMaxRetries is the retry budget that decides when a failed
// attempt ends the call), the caller's Context (a failed attempt waits for
// its retry under it: the SDK gives each attempt of a non-streaming call a
// context of its own, which it cancels before the next) and the
// propagation setting. Should a future SDK drop them, the defaults apply.
//
// # Claude on Amazon Bedrock and Google Vertex AI
//
// With the SDK's bedrock.WithConfig or vertex.WithCredentials, put
// WithTelemetry before them, as the SDK asks of middlewares: the
// instrumentation then sees the first-party request and an SSE stream (the
// bedrock package translates the AWS event stream). Calls are priced with
// ailabels.ProviderAWSBedrock or ProviderGCPVertexAI and the model id as the
// platform spells it (us.anthropic.claude-sonnet-4-5-20250929-v1:0,
// claude-sonnet-4-5@20250929): the provider comes from the host the SDK sets
// (bedrock-runtime.{region}.amazonaws.com, {region}-aiplatform.googleapis.com)
// or, behind a base URL of one's own, from the path the platform's
// middleware writes (/model/{id}/invoke, .../models/{model}:rawPredict).
// WithProvider names the provider for a gateway of your own. Registered
// after the platform's option, the instrumentation still records
// non-streaming calls in full, but a Bedrock stream reaches it as the binary
// AWS event stream and is recorded with its usage missing.
//
// Prompt and completion text are recorded only with
// metrics.WithContentCapture on the metrics.AI.
package anthropictel
