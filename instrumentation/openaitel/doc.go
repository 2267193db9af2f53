// Package openaitel records the AI calls of the official OpenAI Go client,
// github.com/openai/openai-go/v3, with one option when the client is
// built:
//
//	ai, err := metrics.NewAI(tel) // the service's telemetry.Telemetry
//	if err != nil {
//		return err
//	}
//	client := openai.NewClient(option.WithMiddleware(openaitel.Middleware(ai)))
//
// Every Chat Completions call (client.Chat.Completions.New and
// NewStreaming), Responses API call (client.Responses.New and
// NewStreaming) and embeddings call (client.Embeddings.New) then gets:
//
//   - a GenAI span per logical call, "chat {model}" or "embeddings
//     {model}", kind client, following the GenAI semantic conventions
//     (ailabels.SemconvVersion; the latest experimental ones with
//     OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental): request
//     model and parameters, response id and model, finish reasons, the
//     tool calls the model asked for (ai.response.tool_calls), usage with
//     cached, cache-write and reasoning tokens, the cost, error.type. One
//     span however often the client retries: ai.request.attempts and
//     http.request.resend_count count the attempts, and each failed one is
//     an ai.attempt.failed event with its status and error.type;
//   - ai_requests_total, ai_tokens_total and ai_cost_total, priced with
//     the call's provider: OpenAI, Azure OpenAI (see Middleware for
//     deployments), or a known OpenAI-compatible API (WithProvider);
//   - for streams, the same when the stream ends (its end, Close, an
//     error or the context's cancellation), plus time to first chunk
//     (gen_ai.response.time_to_first_chunk) and, with
//     metrics.WithSemconvHistograms, the gen_ai.client.operation.* chunk
//     histograms. Chat streams carry usage only when the request asks
//     for it (stream_options.include_usage; WithIncludeUsage sets it);
//     a stream without usage is recorded with its usage missing
//     (ai.usage.missing, ai_usage_missing_total), never as zero tokens;
//   - the prompt and completion text only with metrics.WithContentCapture.
//
// error.type says what happened: the provider's error code or type
// ("rate_limit_exceeded", "server_error"), the HTTP status ("429") when
// the body has none, "timeout", "canceled", "incomplete_response" for a
// cut stream, "malformed_response". An "error" event in a Responses
// stream fails the call although the client's stream reports no error.
//
// The caller sees exactly what it would without the middleware: the
// response bytes pass through unchanged, in the same chunks, with the same
// errors; streams are parsed event by event with bounded memory, and a
// chunk that carries only content costs no allocation. The one exception
// to "the request is sent as the caller made it" is WithIncludeUsage,
// which is off by default.
//
// Tools the service runs after the model asked for them get
// "execute_tool {name}" spans from metrics.AI.StartTool.
package openaitel
