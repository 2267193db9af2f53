package anthropictel

import (
	"net/url"
	"strings"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

// request is what the span needs of a Messages request body.
type request struct {
	Model       string
	Stream      bool
	MaxTokens   int64
	Temperature *float64
	Prompt      string // with content capture only
}

// maxPrompt bounds the captured prompt.
const maxPrompt = 1 << 20

// parseRequest reads the top-level fields of a Messages request body, and
// with capture its prompt. A body it cannot read gives an empty request: the
// call is still recorded.
func parseRequest(body []byte, capture bool) request {
	var r request
	var system, messages []byte
	jsonscan.Scan(body, func(v jsonscan.Value) bool {
		return v.Fields(func(key []byte, v jsonscan.Value) bool {
			switch string(key) {
			case "model":
				r.Model, _ = v.String(maxIDLen)
			case "stream":
				r.Stream, _ = v.Bool()
			case "max_tokens":
				r.MaxTokens, _ = v.Int()
			case "temperature":
				if f, ok := v.Float(); ok {
					r.Temperature = &f
				}
			case "system":
				if capture {
					system, _ = v.Raw()
				}
			case "messages":
				if capture {
					messages, _ = v.Raw()
				}
			}
			return true
		})
	})
	if capture {
		r.Prompt = prompt(system, messages)
	}
	return r
}

// prompt returns the input of a request for content capture: the JSON of its
// system prompt and messages, as sent, at most maxPrompt bytes of each.
func prompt(system, messages []byte) string {
	var out []byte
	for _, v := range [][]byte{system, messages} {
		if v == nil {
			continue
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		out = append(out, v[:min(len(v), maxPrompt)]...)
	}
	return string(out)
}

// Where a call went. anthropic-sdk-go's bedrock and vertex packages rewrite
// the request of a Messages call in their middleware: Bedrock's path is
// /model/{model id}/invoke (or invoke-with-response-stream) and the model
// leaves the body; Vertex AI's is
// /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:rawPredict
// (or :streamRawPredict). The model id as these platforms spell it is what
// their prices are listed under.

// platform returns the provider and, for Bedrock and Vertex AI, the model id
// in the path of u, the URL a request was sent to. ok is false for a URL
// that is not a Messages call on any of them.
func platform(u *url.URL) (provider, model string, stream, ok bool) {
	p := u.Path
	if i := strings.Index(p, "/model/"); i >= 0 && (strings.HasSuffix(p, "/invoke") || strings.HasSuffix(p, "/invoke-with-response-stream")) {
		rest := p[i+len("/model/"):]
		j := strings.LastIndexByte(rest, '/')
		if j > 0 {
			return ailabels.ProviderAWSBedrock, rest[:j], strings.HasSuffix(rest, "/invoke-with-response-stream"), true
		}
	}
	const vertexModels = "/publishers/anthropic/models/"
	if i := strings.Index(p, vertexModels); i >= 0 {
		rest := p[i+len(vertexModels):]
		if m, ok := strings.CutSuffix(rest, ":streamRawPredict"); ok && m != "" && m != "count-tokens" {
			return ailabels.ProviderGCPVertexAI, m, true, true
		}
		if m, ok := strings.CutSuffix(rest, ":rawPredict"); ok && m != "" && m != "count-tokens" {
			return ailabels.ProviderGCPVertexAI, m, false, true
		}
		return "", "", false, false
	}
	if strings.HasSuffix(p, "/v1/messages") {
		return hostProvider(u.Hostname()), "", false, true
	}
	return "", "", false, false
}

// hostProvider names the provider from the host of a request that still has
// the first-party path: the bedrock and vertex packages set these hosts as the
// base URL and rewrite the path after any middleware registered before them.
func hostProvider(host string) string {
	switch {
	case strings.HasPrefix(host, "bedrock-runtime.") && strings.HasSuffix(host, ".amazonaws.com"):
		return ailabels.ProviderAWSBedrock
	case strings.HasSuffix(host, "aiplatform.googleapis.com"), strings.HasPrefix(host, "aiplatform.") && strings.HasSuffix(host, ".rep.googleapis.com"):
		return ailabels.ProviderGCPVertexAI
	}
	return ailabels.ProviderAnthropic
}
