// Package aihttp is the shared runtime of the SDK's AI client integrations
// (instrumentation/openaitel, anthropictel, genaitel): it turns the HTTP
// attempts an official client makes into recorded AI calls, one span and
// one ai_requests_total increment per logical call however often the
// client retries, with usage, cost, error types, streams and their timing,
// all through metrics.AI.
//
// It lives in internal/ of the core module; the integration modules of
// this repository import it (Go allows it: they are inside the module's
// tree). Its API is meant for them, not for users.
//
// # The pieces
//
//   - Tracker (NewTracker(Config{AI, MaxRetries, ...})): one per client
//     integration. Tracker.Begin starts an Attempt for each HTTP attempt;
//     attempts with the same key join one logical call while it waits for
//     a retry.
//   - Attempt.End wraps the response body so that every Read and Close
//     passes through unchanged (the same bytes, in the same chunks, with
//     the same errors and timing) while the integration's Handler parses
//     what passes: a JSON body at its end, a text/event-stream body event
//     by event (Splitter, bounded memory), an error body for the
//     provider's error type.
//   - Handler: the integration's parsers, filling a Response (id, model,
//     finish reasons, tool calls, usage, end marker, in-stream errors).
//   - ErrorType, ShouldRetry, RetryDelay: error.type values that are never
//     Go type names ("429", "rate_limit_error", "timeout", "canceled",
//     "connection_error", "incomplete_response", "_OTHER") and the retry
//     rules of the Stainless-generated clients.
//
// # What is recorded, and when
//
// A call is recorded once, when it ends:
//
//   - success, non-streaming: when the caller has read the body (EOF), or
//     closes it; Handler.JSON parses the copy (bounded by MaxBodyBytes).
//   - success, stream: at EOF, a read error, Close, or the end of the
//     request's context, whichever comes first. A Close before EOF is a
//     success only if the Handler saw the end marker (Response.Done);
//     otherwise error.type is "canceled" and the finish reason "error".
//     Each output chunk (Handler.Event returns true) is timed: the first
//     gives gen_ai.response.time_to_first_chunk (from the call's first
//     attempt) and gen_ai.client.operation.time_to_first_chunk, the next
//     ones gen_ai.client.operation.time_per_output_chunk (the histograms
//     with metrics.WithSemconvHistograms).
//   - failure: an attempt fails with no response (timeout, cancellation,
//     connection error), with a status >= 400, or with a body that breaks.
//     If the client will retry it (Config.ShouldRetry, by default
//     ShouldRetry: 408, 409, 429, 5xx, a connection error; x-should-retry
//     wins) and the attempt's number is
//     below Config.MaxRetries, the call waits for the next attempt under
//     its key; a call that gets none (the caller gave up, the context
//     ended, Config.RetryDelay plus Config.RetryGrace passed) is recorded as
//     failed with its last attempt's error type, its span ending when that
//     attempt ended. Each failed attempt is a span event ai.attempt.failed
//     with http.response.status_code, error.type and
//     http.request.resend_count (the attempt's number); the span has
//     ai.request.attempts and, after retries, http.request.resend_count.
//     A non-streaming body that breaks while it is read waits for a
//     retry like the rest (anthropic-sdk-go retries it) unless
//     Config.BodyErrorsFinal says the client never does (openai-go,
//     genai): it is then recorded at once.
//   - provider: the Request's, or the one Attempt.SetProvider gives when
//     the integration learns it late (from the response URL), for a
//     failed call too; a response model the price table does not know is
//     priced as the requested model when that one is known (the span keeps
//     the response model).
//   - usage: from Response.Usage when Response.HasUsage; otherwise the
//     call is recorded with its usage missing (ai.usage.missing=true,
//     ai_usage_missing_total), never as zero tokens.
//
// # Keys: which attempts are one call
//
// The key passed to Begin must be comparable and the same for every
// attempt of one logical call, and attempt is the client's retry number
// (0 for a first attempt, which always starts a new call; -1 if unknown).
// Examples: anthropic-sdk-go's own span (its SpanContext, from
// trace.SpanContextFromContext(req.Context()), when its tracing is on);
// for openai-go, whose attempts are cfg.Request.Clone(ctx) of one request,
// a struct of the parent span context, method, URL and a hash of the body
// (the X-Stainless-Retry-Count header gives attempt); for genai, which
// does not retry by default, nil (every attempt is a call) or the same
// kind of fingerprint when HTTPOptions.RetryOptions is set.
//
// # A Stainless middleware (openai-go, anthropic-sdk-go)
//
// option.WithMiddleware runs inside the client's retry loop, once per
// attempt, before the request is sent:
//
//	type instr struct{ tr *aihttp.Tracker }
//
//	var handler = aihttp.Handler{ // once per integration
//		JSON: func(body []byte, r *aihttp.Response) bool {
//			// find id, model, finish reasons, tool calls, usage in body
//			r.SetID(...); r.SetModel(...); r.SetFinishReason(0, ...)
//			r.Usage = ailabels.Usage{InputTokens: ..., OutputTokens: ...}
//			r.HasUsage = true
//			return true
//		},
//		Event: func(name, data []byte, r *aihttp.Response) bool {
//			if bytes.Equal(data, []byte("[DONE]")) {
//				r.Done = true
//				return false // not an output chunk
//			}
//			if bytes.Contains(data, []byte(`"usage"`)) { // cheap test, no allocation
//				// decode the usage of the final chunk
//				r.Usage, r.HasUsage = ..., true
//			}
//			return true
//		},
//		ErrorType: func(status int, body []byte) string {
//			return gjson.GetBytes(body, "error.type").String() // "rate_limit_error"
//		},
//	}
//
//	func (m instr) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
//		r, ok := requestOf(req) // the integration's own parsing: operation, model, stream
//		if !ok {
//			return next(req) // count_tokens, batches, files...: not recorded
//		}
//		attempt, err := strconv.Atoi(req.Header.Get("X-Stainless-Retry-Count"))
//		if err != nil {
//			attempt = -1
//		}
//		a := m.tr.Begin(req, keyOf(req), attempt, r)
//		resp, err := next(req.WithContext(a.Context())) // HTTP spans under the GenAI span
//		return a.End(resp, err, &handler)
//	}
//
//	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 2}) // the client's budget
//	client := openai.NewClient(option.WithMiddleware(instr{tr}.middleware))
//
// Do not change the request's host or body in the middleware (openai-go
// refuses a changed host); to read the request body use req.GetBody, which
// gives a fresh copy, never req.Body.
//
// # An http.RoundTripper (genai, or any client that takes an *http.Client)
//
//	type transport struct {
//		base http.RoundTripper
//		tr   *aihttp.Tracker
//	}
//
//	func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
//		r, ok := requestOf(req) // generateContent, streamGenerateContent, embedContent
//		if !ok {
//			return t.base.RoundTrip(req)
//		}
//		a := t.tr.Begin(req, nil, -1, r)
//		resp, err := t.base.RoundTrip(req.WithContext(a.Context()))
//		if resp != nil {
//			resp.Request = req // the caller's request, as without us
//		}
//		return a.End(resp, err, &handler)
//	}
//
// A RoundTripper must not modify the request: req.WithContext makes a
// shallow copy, which is allowed. genai streams with ?alt=sse, so its
// streams come through Handler.Event like the others.
//
// # Notes
//
//   - One Tracker holds one retry budget (Config.MaxRetries): a client
//     whose calls have different budgets (option.WithMaxRetries per call)
//     needs a Tracker per budget, or the budget of the worst case.
//   - The request context given to Begin is the one a waiting call
//     watches (context.AfterFunc): pass the caller's context when the
//     client gives each attempt a context of its own that it cancels
//     between attempts.
//   - Informational responses (1xx) and read-write bodies (101 Switching
//     Protocols) are passed through unwrapped; the call is recorded at once
//     with its usage missing.
//   - A body that the caller neither reads to its end nor closes, with a
//     context that never ends, leaves its call unrecorded: the clients
//     always close.
//   - Begin, End and the bodies never panic and never block on anything
//     but the wrapped body; a Handler's panic is recovered.
//   - Cost: a non-streaming call allocates about 20 times in this package
//     and metrics together (the call, its span's and counters' share in
//     the OpenTelemetry SDK included), a stream's chunk without usage
//     nothing; a span that is not sampled gets no attributes built at its
//     end. BenchmarkFloor (floor_bench_test.go) sets the call beside the
//     SDK's own price for a span with the same attributes and the same
//     counter Adds.
//
// # Rules for Handlers
//
// The slices a Handler gets are valid only during the call. Setting
// fields through the Response setters allocates only when a value changes,
// so a stream's events cost no allocation in this package once id and
// model are known: keep the Handler's own test for "nothing to do here"
// free of allocations too (bytes.Contains, a small scanner; decode only
// the events that carry usage, tool calls or an error). The Handler runs in
// the caller's goroutine, inside the Read that delivers the last bytes (or
// Close): keep it to a skim of the fields it needs (an embeddings body is
// mostly numbers nobody here needs to decode). A Handler must not panic;
// if it does, the panic is recovered and the event or body counts as
// unparsed.
package aihttp
