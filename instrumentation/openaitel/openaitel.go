package openaitel

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openai/openai-go/v3/option"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// DefaultMaxRetries is openai-go's own retry budget (option.WithMaxRetries
// changes it; tell the middleware with WithMaxRetries).
const DefaultMaxRetries = 2

// Option configures Middleware.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

type config struct {
	maxRetries   int
	includeUsage bool
	provider     string
}

// WithMaxRetries tells the middleware the client's retry budget, when it
// is not openai-go's default of 2: give it the n of the client's
// option.WithMaxRetries(n). A failed attempt whose number is below it is
// expected to be retried, so the call stays open for the next attempt
// (and is recorded as failed when none comes). Negative n is 0.
func WithMaxRetries(n int) Option {
	return optionFunc(func(c config) config { c.maxRetries = max(n, 0); return c })
}

// WithIncludeUsage makes every streamed chat completion ask for its usage:
// the middleware sets stream_options.include_usage to true in the request
// body when the caller left it out, so that the stream ends with a chunk
// that carries the token counts. Without it, a stream whose request did
// not ask for usage is recorded with its usage missing (never as zero
// tokens).
//
// This is the one exception to "the middleware never changes what the
// caller sends": only with this option, only for chat streams whose
// request has no include_usage of its own (an explicit false is kept),
// and only that one field. The stream then has one more chunk, with empty
// choices, before [DONE]: code that reads chunk.Choices[0] of every chunk
// must check the length first. The Responses API reports usage without
// being asked.
func WithIncludeUsage() Option {
	return optionFunc(func(c config) config { c.includeUsage = true; return c })
}

// WithProvider sets the gen_ai.provider.name of every call (the provider
// label and the price list), instead of the one the middleware infers from
// the request: ailabels.ProviderAzureOpenAI for Azure OpenAI (an
// *.openai.azure.com or *.cognitiveservices.azure.com host, a
// /openai/deployments/ path, or the api-version query parameter that
// azure.WithEndpoint adds), the provider of a known OpenAI-compatible host
// (api.groq.com, api.deepseek.com, api.x.ai, api.mistral.ai, Gemini's
// generativelanguage.googleapis.com), ailabels.ProviderOpenAI otherwise.
func WithProvider(provider string) Option {
	return optionFunc(func(c config) config { c.provider = provider; return c })
}

// Middleware returns an openai-go middleware that records every Chat
// Completions, Responses and embeddings call the client makes through ai:
// a GenAI span per logical call (one however often the client retries,
// with its attempts), ai_requests_total, ai_tokens_total and ai_cost_total
// priced with the call's provider, and for streams time to first chunk
// and time per output chunk. Add it once, when building the client:
//
//	client := openai.NewClient(option.WithMiddleware(openaitel.Middleware(ai)))
//
// Other requests (files, models, batches...) pass through untouched. The
// caller gets exactly what it would without the middleware: the same
// request bytes (see WithIncludeUsage for the one exception), the same
// response bytes in the same chunks, the same errors. A nil ai records
// nothing.
//
// Put it before other middlewares that change or sign the request, so that
// it sees the request as the caller made it. For Azure OpenAI the model
// of a call is its deployment: name each deployment's model in the price
// table with ailabels.Pricing.WithDeployments (passed to
// metrics.WithPricing); a deployment the table does not know is priced as
// the model the response names.
func Middleware(ai *metrics.AI, opts ...Option) option.Middleware {
	cfg := config{maxRetries: DefaultMaxRetries}
	for _, o := range opts {
		if o != nil {
			cfg = o.apply(cfg)
		}
	}
	m := &middleware{cfg: cfg, ai: ai, tr: aihttp.NewTracker(aihttp.Config{
		AI: ai, MaxRetries: cfg.maxRetries,
		// openai-go returns a body that breaks while it is read as the
		// call's error: it never retries it.
		BodyErrorsFinal: true,
	})}
	return m.handle
}

type middleware struct {
	cfg    config
	ai     *metrics.AI
	tr     *aihttp.Tracker
	models modelCache
}

// callKey identifies a logical call across its attempts: the address of
// the request body openai-go serialised once for it (see requestBody).
type callKey struct{ body *byte }

func (m *middleware) handle(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	if m.ai == nil || req == nil {
		return next(req)
	}
	a, deployment := apiOf(req.Method, req.URL)
	if a == apiOther {
		return next(req)
	}
	body, id := requestBody(req)
	rq, _ := parseRequest(body, a, m.ai.ContentCapture())
	provider := m.cfg.provider
	if provider == "" {
		provider = providerOf(req.URL, deployment)
	}
	model := m.models.get(rq.model)
	if model == "" {
		model = deployment
	}
	r := aihttp.Request{
		Request: ailabels.Request{
			Operation:   a.operation(),
			Provider:    provider,
			Model:       model,
			MaxTokens:   rq.maxTokens,
			Temperature: rq.temperature,
			Prompt:      rq.prompt,
		},
		Stream: rq.stream,
	}
	var key any // nil: every attempt is its own call
	if id != nil {
		key = callKey{id}
	}
	attempt := -1
	if n, err := strconv.Atoi(req.Header.Get("X-Stainless-Retry-Count")); err == nil && n >= 0 {
		attempt = n
	}
	at := m.tr.Begin(req, key, attempt, r)

	h := handlerOf(a)
	if provider == ailabels.ProviderAzureOpenAI && model != "" && m.ai.Pricing().Entry(provider, model) != nil {
		// The deployment is priced (Pricing.WithDeployments): price the
		// call as it, not as the model the response names.
		h = pricedAs(h, model)
	}
	out := req
	if at.Call() != nil {
		// The GenAI span in the request's context, so that an instrumented
		// transport's HTTP spans are its children.
		out = req.WithContext(at.Context())
	}
	if m.cfg.includeUsage && a == apiChat && rq.stream && rq.includeUsage == includeUsageAbsent {
		if nb := withIncludeUsage(body); nb != nil {
			if out == req {
				out = req.Clone(req.Context())
			}
			setBody(out, nb)
		}
	}
	resp, err := next(out)
	if err == nil && resp != nil {
		if cerr := out.Context().Err(); cerr != nil {
			// The context ended while the response arrived: openai-go
			// closes the body unread and returns the context's error, so
			// the attempt failed with it.
			_, _ = at.End(nil, cerr, h)
			return resp, err
		}
	}
	return at.End(resp, err, h)
}

// setBody makes nb the body of req (a copy of the caller's request).
func setBody(req *http.Request, nb []byte) {
	req.Body = io.NopCloser(bytes.NewReader(nb))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(nb)), nil }
	req.ContentLength = int64(len(nb))
	if req.Header.Get("Content-Length") != "" {
		req.Header = req.Header.Clone()
		req.Header.Set("Content-Length", strconv.Itoa(len(nb)))
	}
}

// compatibleHosts are OpenAI-compatible APIs that openai-go is pointed at
// with option.WithBaseURL, and their gen_ai.provider.name.
var compatibleHosts = []struct{ host, provider string }{
	{"api.openai.com", ailabels.ProviderOpenAI},
	{"api.groq.com", ailabels.ProviderGroq},
	{"api.deepseek.com", ailabels.ProviderDeepseek},
	{"api.x.ai", ailabels.ProviderXAI},
	{"api.mistral.ai", ailabels.ProviderMistralAI},
	{"generativelanguage.googleapis.com", ailabels.ProviderGCPGemini},
}

// providerOf returns the gen_ai.provider.name of a request to u.
func providerOf(u *url.URL, deployment string) string {
	if isAzure(u, deployment) {
		return ailabels.ProviderAzureOpenAI
	}
	h := u.Hostname()
	for _, c := range compatibleHosts {
		if strings.EqualFold(h, c.host) {
			return c.provider
		}
	}
	return ailabels.ProviderOpenAI
}
