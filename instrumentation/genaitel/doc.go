// Package genaitel records the calls that the Google Gen AI Go client
// (google.golang.org/genai) makes to the Gemini API and to Vertex AI: one
// GenAI span per call, ai_requests_total, ai_tokens_total and
// ai_cost_total priced with the right provider, and for streams the time
// to first chunk and per output chunk. The service adds one thing, the
// HTTP client it gives genai:
//
//	ai, err := metrics.NewAI(tel) // once per service
//	...
//	client, err := genai.NewClient(ctx, &genai.ClientConfig{
//		APIKey:     os.Getenv("GEMINI_API_KEY"),
//		HTTPClient: genaitel.WrapClient(nil, ai),
//	})
//
// # What is recorded
//
// Models.GenerateContent (generateContent) and Models.GenerateContentStream
// (streamGenerateContent?alt=sse) are recorded as generate_content
// operations, Models.EmbedContent (batchEmbedContents on the Gemini API,
// embedContent or predict on Vertex AI) as embeddings; every other request
// (files, caches, countTokens, Live...) passes through unrecorded. The span
// is named "{operation} {model}" and carries gen_ai.request.model,
// max_tokens and temperature (from generationConfig), the response id
// (responseId), model (modelVersion), finish reasons (finishReason of each
// candidate), the function calls the model asked for (their names and ids)
// and the usage.
//
// Usage comes from usageMetadata, which in a stream is a running total:
// the last chunk's wins. Gemini counts thinking and tool-use prompts apart,
// so input tokens are promptTokenCount + toolUsePromptTokenCount (of which
// cachedContentTokenCount are cached) and output tokens are
// candidatesTokenCount + thoughtsTokenCount (of which thoughtsTokenCount
// are reasoning). A call without usageMetadata (batchEmbedContents, a
// stream cut before its first chunk, an empty stream) is recorded with its
// usage missing (ai.usage.missing, ai_usage_missing_total), never as zero
// tokens. Vertex AI's predict counts embedding tokens in
// predictions[].embeddings.statistics.token_count.
//
// # Gemini API or Vertex AI
//
// The provider label and price list are ailabels.ProviderGCPGemini for the
// Gemini API (/v1beta/models/{model}:...) and ailabels.ProviderGCPVertexAI
// for Vertex AI (/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:...,
// also in express mode and for tuned endpoints), read from each request's
// URL. WithBackend fixes it when a proxy hides the URL.
//
// On Vertex AI with Application Default Credentials, genai adds
// authentication only to an HTTP client it builds itself: wrap your
// authenticated client (cloud.google.com/go/auth/httptransport) with
// WrapClient instead of nil. Put the Transport outermost, so that it sees
// genai's own requests.
//
// # Retries
//
// genai retries only when HTTPOptions.RetryOptions is set, and then sends
// every attempt through the HTTP client. Pass the same options to
// WithRetryOptions (or the number of retries to WithMaxRetries): the
// attempts of one call then make one span, with ai.request.attempts,
// http.request.resend_count and an ai.attempt.failed event per failed
// attempt, and one ai_requests_total increment. A status that genai does not
// retry (a 400, or anything outside HTTPRetryOptions.HTTPStatusCodes) ends
// the call at once. genai closes a response it retries unread, so a failed
// attempt's error.type is its status ("429"); the last one's is the
// provider's status when genai reads it ("RESOURCE_EXHAUSTED", "INTERNAL").
// Retry options set per request (GenerateContentConfig.HTTPOptions) are not
// seen by the Transport: give it the client's.
//
// # Streams
//
// A stream is recorded when it ends: at EOF, when genai closes it (the
// caller stopped ranging over GenerateContentStream), at a read error or
// when the request's context ends. A stream stopped before its last chunk
// is recorded as canceled with the usage of the last chunk read; an error
// event ({"error":{"status":"UNAVAILABLE"}}) as failed with its status; an
// event that is not JSON, which ends genai's stream with an error, as
// failed with error.type malformed_response (so is a generateContent body
// that is not JSON).
//
// genai v1.77 continues a stream that the server interrupts with a
// continuationToken by sending the request again ("automatic
// continuation"). Each of those requests is billed on its own and is
// recorded as its own call, with its own usage.
//
// # What the caller sees
//
// Exactly what it would see without the Transport: the request is not
// changed (its body is read through GetBody's copy), the response body
// passes every Read through unchanged, in the caller's goroutine, and is
// parsed on the side with bounded memory: a body up to the size that is
// parsed, or one stream event at a time, read in one pass (by
// internal/jsonscan) for the few fields kept. Nothing here panics on a
// malformed body or event.
//
// Prompt and completion text go on the span only when the metrics.AI has
// metrics.WithContentCapture.
//
// This package is its own Go module, so that the core module does not
// depend on genai.
package genaitel
