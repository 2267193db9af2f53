package openaitel

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

// request is what the instrumentation reads from a request body.
type request struct {
	model       []byte // raw JSON string contents; see modelCache
	stream      bool
	maxTokens   int64
	temperature *float64

	// includeUsage is stream_options.include_usage: absent, true, or
	// anything else the caller set (false, null).
	includeUsage int8

	prompt string // only with content capture
}

const (
	includeUsageAbsent = 0
	includeUsageTrue   = 1
	includeUsageFalse  = 2
)

// apiOf returns the API a request goes to, from its method and path, and
// the Azure deployment named in the path (/openai/deployments/{name}/...).
func apiOf(method string, u *url.URL) (a api, deployment string) {
	if method != http.MethodPost || u == nil {
		return apiOther, ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	switch {
	case strings.HasSuffix(p, "/chat/completions") || p == "chat/completions":
		a = apiChat
	case strings.HasSuffix(p, "/responses") || p == "responses":
		a = apiResponses
	case strings.HasSuffix(p, "/embeddings") || p == "embeddings":
		a = apiEmbeddings
	default:
		return apiOther, ""
	}
	if _, rest, ok := strings.Cut(p, "/openai/deployments/"); ok {
		if name, _, ok := strings.Cut(rest, "/"); ok && name != "" {
			if un, err := url.PathUnescape(name); err == nil {
				name = un
			}
			deployment = name
		}
	}
	return a, deployment
}

// isAzure reports whether a request goes to Azure OpenAI: an Azure host, a
// deployment path, or the api-version query parameter that
// azure.WithEndpoint adds to every request.
func isAzure(u *url.URL, deployment string) bool {
	if deployment != "" {
		return true
	}
	h := strings.ToLower(u.Hostname())
	if strings.HasSuffix(h, ".openai.azure.com") || strings.HasSuffix(h, ".cognitiveservices.azure.com") ||
		strings.HasSuffix(h, ".services.ai.azure.com") || strings.HasSuffix(h, ".openai.azure.us") {
		return true
	}
	return strings.Contains(u.RawQuery, "api-version=")
}

// parseRequest reads the fields of a Chat Completions, Responses or
// embeddings request body that go on the span.
func parseRequest(body []byte, a api, capture bool) (r request, ok bool) {
	ok = jsonscan.Scan(body, func(v jsonscan.Value) bool {
		return v.Fields(func(k []byte, v jsonscan.Value) bool {
			switch string(k) {
			case "model":
				r.model, _ = unquoted(v)
			case "stream":
				r.stream, _ = v.Bool()
			case "max_tokens", "max_completion_tokens", "max_output_tokens":
				if n, ok := v.Int(); ok && n > 0 {
					r.maxTokens = n
				}
			case "temperature":
				if f, ok := v.Float(); ok {
					r.temperature = &f
				}
			case "stream_options":
				if iu, ok := v.Field("include_usage"); ok {
					// Anything but true is the caller's own choice, kept.
					r.includeUsage = includeUsageFalse
					if b, _ := iu.Bool(); b {
						r.includeUsage = includeUsageTrue
					}
				}
			case "messages":
				if capture && a == apiChat {
					r.prompt = lastUserText(v)
				}
			case "input":
				if capture {
					if v.Kind() == '"' {
						r.prompt, _ = v.String(-1)
					} else if a == apiResponses {
						r.prompt = lastUserText(v)
					} else if raw, ok := v.Raw(); ok {
						r.prompt = string(raw)
					}
				}
			}
			return true
		})
	})
	return r, ok
}

// lastUserText returns the content of the last message with role user
// ("" if none): its text, or the raw JSON of structured content.
func lastUserText(msgs jsonscan.Value) string {
	var last jsonscan.Value
	msgs.Elems(func(m jsonscan.Value) bool {
		var role []byte
		var content jsonscan.Value
		m.Fields(func(k []byte, v jsonscan.Value) bool {
			switch string(k) {
			case "role":
				role, _ = v.Str()
			case "content":
				content = v
			}
			return true
		})
		if string(role) == "user" && content.Kind() != 0 {
			last = content
		}
		return true
	})
	if last.Kind() == '"' {
		s, _ := last.String(-1)
		return s
	}
	raw, _ := last.Raw()
	return string(raw)
}

// withIncludeUsage returns body with stream_options.include_usage set to
// true, or nil when body is not an object it can change. The caller has
// checked that include_usage is not already there.
func withIncludeUsage(body []byte) []byte {
	var so []byte // the raw stream_options value, a sub-slice of body
	if !jsonscan.Scan(body, func(v jsonscan.Value) bool {
		return v.Fields(func(k []byte, v jsonscan.Value) bool {
			if string(k) == "stream_options" {
				so, _ = v.Raw()
				return false
			}
			return true
		})
	}) {
		return nil
	}
	const field = `"include_usage":true`
	switch {
	case so == nil: // no stream_options: add it before the closing brace
		end := bytes.LastIndexByte(body, '}')
		if end < 0 {
			return nil
		}
		inner := bytes.TrimSpace(body[bytes.IndexByte(body, '{')+1 : end])
		out := make([]byte, 0, len(body)+len(field)+24)
		out = append(out, body[:end]...)
		if len(inner) > 0 {
			out = append(out, ',')
		}
		out = append(out, `"stream_options":{`+field+`}`...)
		return append(out, body[end:]...)
	case string(so) == "null": // "stream_options":null
		start := offsetOf(body, so)
		out := make([]byte, 0, len(body)+len(field)+2)
		out = append(out, body[:start]...)
		out = append(out, "{"+field+"}"...)
		return append(out, body[start+len(so):]...)
	case so[0] == '{':
		at := offsetOf(body, so) + 1 // just past '{'
		out := make([]byte, 0, len(body)+len(field)+1)
		out = append(out, body[:at]...)
		out = append(out, field...)
		if len(bytes.TrimSpace(so[1:len(so)-1])) > 0 {
			out = append(out, ',')
		}
		return append(out, body[at:]...)
	}
	return nil
}

// offsetOf returns where sub, a sub-slice of body, starts in body.
func offsetOf(body, sub []byte) int {
	return cap(body) - cap(sub)
}

// modelCache keeps the model strings of recent requests, so that a
// service calling the same few models does not allocate the name on
// every call.
type modelCache struct {
	slots [4]atomic.Pointer[string]
	next  atomic.Uint32
}

func (c *modelCache) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	for i := range c.slots {
		if p := c.slots[i].Load(); p != nil && *p == string(b) {
			return *p
		}
	}
	s := string(b)
	c.slots[c.next.Add(1)%uint32(len(c.slots))].Store(&s)
	return s
}
