package openaitel

import (
	"bytes"
	"strconv"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// Bounds of what one call keeps from its response.
const (
	maxFinishReasons = 16
	maxToolCalls     = 32
	maxErrorType     = 64
	maxCompletion    = 64 << 10 // captured completion text, only with content capture
)

// api is the OpenAI API a call goes to.
type api uint8

const (
	apiOther api = iota
	apiChat
	apiResponses
	apiEmbeddings
)

// operation returns the gen_ai.operation.name of a.
func (a api) operation() string {
	switch a {
	case apiEmbeddings:
		return ailabels.OperationEmbeddings
	case apiResponses, apiChat:
		return ailabels.OperationChat
	}
	return ""
}

// result is what the parsers learn about one call from its response: a
// JSON body, or the events of a stream, fed one at a time. Its zero value
// is ready; it is not safe for concurrent use.
type result struct {
	id, model   string
	serviceTier ailabels.ServiceTier

	finish []string // gen_ai.response.finish_reasons, bounded
	tools  []string // names of the tool calls the model asked for, bounded

	usage      ailabels.Usage // token counts only (no provider or model)
	usageKnown bool

	// errType is the provider's error (an error object in the body or an
	// error event in a stream); failed says the call failed even when
	// the transport and the client saw no error.
	errType string
	failed  bool

	// malformed counts bodies or events that could not be parsed;
	// lastMalformed says the latest event was one (a client stops there).
	malformed     int
	lastMalformed bool

	capture    bool // keep the completion text (content capture)
	completion []byte
}

// setID and setModel keep the first non-empty id and model; they
// allocate once, not on every chunk that repeats them.
func (r *result) setID(v []byte) {
	if r.id == "" {
		if s, ok := rawString(v); ok && len(s) > 0 {
			r.id = stringValue(v)
		}
	}
}

func (r *result) setModel(v []byte) {
	if r.model == "" {
		if s, ok := rawString(v); ok && len(s) > 0 {
			r.model = stringValue(v)
		}
	}
}

func (r *result) setServiceTier(v []byte) {
	s, ok := rawString(v)
	if !ok {
		return
	}
	switch string(s) {
	case "flex":
		r.serviceTier = ailabels.ServiceTierFlex
	case "priority":
		r.serviceTier = ailabels.ServiceTierPriority
	case "batch":
		r.serviceTier = ailabels.ServiceTierBatch
	default: // "default", "auto", "scale" and unknown tiers are priced as standard
		r.serviceTier = ""
	}
}

// addFinish appends a finish reason; the common ones are constants, so
// the usual stream adds no string allocation.
func (r *result) addFinish(v []byte) {
	s, ok := rawString(v)
	if !ok || len(s) == 0 || len(r.finish) >= maxFinishReasons {
		return
	}
	r.finish = append(r.finish, intern(s, v))
}

func (r *result) addTool(v []byte) {
	s, ok := rawString(v)
	if !ok || len(s) == 0 || len(r.tools) >= maxToolCalls {
		return
	}
	r.tools = append(r.tools, stringValue(v))
}

func (r *result) addCompletion(v []byte) {
	if !r.capture {
		return
	}
	s, ok := rawString(v)
	if !ok || len(s) == 0 {
		return
	}
	if bytes.IndexByte(s, '\\') >= 0 {
		s = []byte(stringValue(v))
	}
	if room := maxCompletion - len(r.completion); room > 0 {
		if len(s) > room {
			s = s[:room]
		}
		r.completion = append(r.completion, s...)
	}
}

// setError records the provider's error object {"type","code",...}: the
// code when it is a usable label, else the type.
func (r *result) setError(v []byte) {
	r.failed = true
	var code, typ []byte
	eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "code":
			code, _ = rawString(val)
		case "type":
			typ, _ = rawString(val)
		}
		return true
	})
	if t := errorLabel(code); t != "" {
		r.errType = t
	} else if t := errorLabel(typ); t != "" {
		r.errType = t
	}
}

// errorLabel returns s when it is a short identifier (letters, digits,
// '_', '.', '-'), the shape of provider error codes, and "" otherwise:
// error.type must stay a bounded, readable value.
func errorLabel(s []byte) string {
	if len(s) == 0 || len(s) > maxErrorType {
		return ""
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
		default:
			return ""
		}
	}
	return intern(s, nil)
}

// intern returns the constant for a common value, else a new string.
func intern(s, quoted []byte) string {
	switch string(s) {
	case "stop":
		return "stop"
	case "length":
		return "length"
	case "tool_calls":
		return "tool_calls"
	case "content_filter":
		return "content_filter"
	case "function_call":
		return "function_call"
	case "rate_limit_exceeded":
		return "rate_limit_exceeded"
	case "server_error":
		return "server_error"
	case "invalid_request_error":
		return "invalid_request_error"
	}
	if quoted != nil {
		return stringValue(quoted)
	}
	return string(s)
}

// Usage blocks. Chat Completions and embeddings:
//
//	{"prompt_tokens":N,"completion_tokens":N,
//	 "prompt_tokens_details":{"cached_tokens":N,"cache_write_tokens":N},
//	 "completion_tokens_details":{"reasoning_tokens":N}}
//
// The Responses API:
//
//	{"input_tokens":N,"output_tokens":N,
//	 "input_tokens_details":{"cached_tokens":N,"cache_write_tokens":N},
//	 "output_tokens_details":{"reasoning_tokens":N}}
func (r *result) setUsage(v []byte) {
	if isNull(v) || len(v) == 0 || v[0] != '{' {
		return
	}
	var u ailabels.Usage
	var input, output bool
	ok := eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "prompt_tokens", "input_tokens":
			u.InputTokens, input = intValue(val)
		case "completion_tokens", "output_tokens":
			u.OutputTokens, output = intValue(val)
		case "prompt_tokens_details", "input_tokens_details":
			eachField(val, func(k, val []byte) bool {
				switch string(k) {
				case "cached_tokens":
					u.CachedInputTokens, _ = intValue(val)
				case "cache_write_tokens":
					u.CacheWriteInputTokens, _ = intValue(val)
				}
				return true
			})
		case "completion_tokens_details", "output_tokens_details":
			eachField(val, func(k, val []byte) bool {
				if string(k) == "reasoning_tokens" {
					u.ReasoningTokens, _ = intValue(val)
				}
				return true
			})
		}
		return true
	})
	if !ok || !input {
		r.malformed++
		return
	}
	if !output {
		u.OutputTokens = 0 // embeddings report input only
	}
	// Parts never exceed their whole: a provider that says otherwise
	// would make the whole record invalid and the request uncounted.
	u.InputTokens = min(u.InputTokens, ailabels.MaxTokens)
	u.OutputTokens = min(u.OutputTokens, ailabels.MaxTokens)
	u.CachedInputTokens = min(u.CachedInputTokens, u.InputTokens)
	u.CacheWriteInputTokens = min(u.CacheWriteInputTokens, u.InputTokens-u.CachedInputTokens)
	u.ReasoningTokens = min(u.ReasoningTokens, u.OutputTokens)
	r.usage, r.usageKnown = u, true
}

// parseBody reads a complete JSON response body of a (status < 400) or
// an error body (status >= 400).
func (r *result) parseBody(a api, body []byte, status int) {
	if status >= 400 {
		r.parseErrorBody(body)
		return
	}
	ok := eachField(body, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			r.setID(v)
		case "model":
			r.setModel(v)
		case "usage":
			r.setUsage(v)
		case "service_tier":
			r.setServiceTier(v)
		case "error":
			if !isNull(v) {
				r.setError(v)
			}
		case "choices":
			if a == apiChat {
				r.chatChoices(v, "message")
			}
		case "output":
			if a == apiResponses {
				r.responseOutput(v)
			}
		case "status":
			if a == apiResponses {
				r.responseStatus(v)
			}
		case "incomplete_details":
			if a == apiResponses {
				r.incomplete(v)
			}
		}
		return true
	})
	if !ok {
		r.malformed++
	}
	if a == apiResponses {
		r.responsesFinish()
	}
}

// parseErrorBody reads {"error":{"message","type","param","code"}}.
func (r *result) parseErrorBody(body []byte) {
	r.failed = true
	eachField(body, func(k, v []byte) bool {
		if string(k) == "error" && !isNull(v) {
			r.setError(v)
			return false
		}
		return true
	})
}

// chatChoices reads choices[].{finish_reason, message|delta{content,
// tool_calls[].function.name}}; field is "message" in a completion and
// "delta" in a chunk.
func (r *result) chatChoices(v []byte, field string) {
	eachElem(v, func(c []byte) bool {
		eachField(c, func(k, val []byte) bool {
			switch {
			case string(k) == "finish_reason":
				r.addFinish(val)
			case string(k) == field:
				r.chatMessage(val)
			}
			return true
		})
		return true
	})
}

func (r *result) chatMessage(v []byte) {
	eachField(v, func(k, val []byte) bool {
		switch string(k) {
		case "content":
			r.addCompletion(val)
		case "tool_calls":
			eachElem(val, func(tc []byte) bool {
				eachField(tc, func(k, val []byte) bool {
					if string(k) == "function" {
						eachField(val, func(k, val []byte) bool {
							if string(k) == "name" {
								r.addTool(val)
								return false
							}
							return true
						})
					}
					return true
				})
				return true
			})
		}
		return true
	})
}

// responseOutput reads the Responses API's output items: the names of
// function calls and the output text (for content capture).
func (r *result) responseOutput(v []byte) {
	eachElem(v, r.responseItem)
}

func (r *result) responseItem(item []byte) bool {
	var typ, name, content []byte
	eachField(item, func(k, val []byte) bool {
		switch string(k) {
		case "type":
			typ, _ = rawString(val)
		case "name":
			name = val
		case "content":
			content = val
		}
		return true
	})
	switch string(typ) {
	case "function_call", "custom_tool_call":
		r.addTool(name)
	case "message":
		if r.capture {
			eachElem(content, func(c []byte) bool {
				eachField(c, func(k, val []byte) bool {
					if string(k) == "text" {
						r.addCompletion(val)
					}
					return true
				})
				return true
			})
		}
	}
	return true
}

// The Responses API has no finish_reason; the status says how the
// response ended. The parser keeps it in finish until responsesFinish
// maps it: completed -> stop (tool_calls when the model asked for tools),
// incomplete -> the reason (max_output_tokens, content_filter), failed
// and cancelled as they are.
func (r *result) responseStatus(v []byte) {
	s, ok := rawString(v)
	if !ok {
		return
	}
	switch string(s) {
	case "completed":
		r.setFinish("stop")
	case "failed":
		r.failed = true
		r.setFinish("failed")
	case "cancelled":
		r.setFinish("cancelled")
	case "incomplete":
		if len(r.finish) == 0 {
			r.setFinish("incomplete")
		}
	}
}

func (r *result) incomplete(v []byte) {
	eachField(v, func(k, val []byte) bool {
		if string(k) == "reason" {
			if s, ok := rawString(val); ok && len(s) > 0 {
				r.setFinish(intern(s, val))
			}
			return false
		}
		return true
	})
}

func (r *result) setFinish(s string) {
	r.finish = append(r.finish[:0], s)
}

func (r *result) responsesFinish() {
	if len(r.finish) == 1 && r.finish[0] == "stop" && len(r.tools) > 0 {
		r.finish[0] = "tool_calls"
	}
}

// chatChunk reads one Chat Completions stream event:
//
//	{"id","model","service_tier","choices":[{"delta":{...},"finish_reason"}],"usage":{...}|null}
//
// or an error object {"error":{...}}. It reports whether the chunk
// carries output (a choice). A chunk without usage, whose id and model
// are already known, allocates nothing.
//
// Most chunks carry a few words and nothing the instrumentation needs:
// once the id and model are known (and without content capture), a chunk
// in which none of "usage", "finish_reason", "error" and a tool call's
// "name" has a value other than null is not parsed (see skimChunk).
func (r *result) chatChunk(data []byte) (output bool) {
	if isDone(data) {
		r.lastMalformed = false
		return false
	}
	if !r.capture && r.id != "" && r.model != "" {
		needed, choices, wellFormed := skimChunk(data)
		if !needed {
			r.lastMalformed = !wellFormed
			if !wellFormed {
				r.malformed++
			}
			return choices
		}
	}
	ok := eachField(data, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			r.setID(v)
		case "model":
			r.setModel(v)
		case "service_tier":
			if !isNull(v) {
				r.setServiceTier(v)
			}
		case "choices":
			if len(v) > 2 { // not []
				output = true
				r.chatChoices(v, "delta")
			}
		case "usage":
			if !isNull(v) {
				r.setUsage(v)
			}
		case "error":
			if !isNull(v) {
				r.setError(v)
			}
		}
		return true
	})
	r.lastMalformed = !ok
	if !ok {
		r.malformed++
	}
	return output
}

// skimChunk decides, without parsing, whether a chat chunk carries
// anything but content: it visits every colon (each key is followed by
// one), looks at the key before it, and stops at the first of usage,
// finish_reason, error or name whose value is not null. A colon inside a
// string value looks like a key only if a quote precedes it; such a false
// key at worst asks for a full parse. A real key is never missed (OpenAI
// does not escape key names). It also reports whether the choices array
// is not empty, and whether the chunk looks like a whole object.
func skimChunk(data []byte) (needed, choices, wellFormed bool) {
	t := bytes.TrimSpace(data)
	wellFormed = len(t) >= 2 && t[0] == '{' && t[len(t)-1] == '}'
	i := 0
	for {
		j := bytes.IndexByte(data[i:], ':')
		if j < 0 {
			return false, choices, wellFormed
		}
		colon := i + j
		i = colon + 1
		q := colon - 1
		for q >= 0 && isSpace(data[q]) {
			q--
		}
		if q < 1 || data[q] != '"' {
			continue
		}
		key := data[:q]
		v := skipWS(data, colon+1)
		switch key[len(key)-1] { // the key's last letter picks the candidate
		case 's':
			if bytes.HasSuffix(key, []byte(`"choices`)) && v < len(data) && data[v] == '[' {
				w := skipWS(data, v+1)
				choices = choices || (w < len(data) && data[w] != ']')
			}
			continue
		case 'e':
			if !bytes.HasSuffix(key, []byte(`"usage`)) && !bytes.HasSuffix(key, []byte(`"name`)) {
				continue
			}
		case 'n':
			if !bytes.HasSuffix(key, []byte(`"finish_reason`)) {
				continue
			}
		case 'r':
			if !bytes.HasSuffix(key, []byte(`"error`)) {
				continue
			}
		default:
			continue
		}
		if !bytes.HasPrefix(data[v:], []byte("null")) {
			return true, choices, wellFormed
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// responsesEvent reads one Responses API stream event. event is the SSE
// event name (the data's "type" when the name is missing). Text deltas
// are recognised by name and not parsed. It reports whether the event
// carries output.
func (r *result) responsesEvent(event, data []byte) (output bool) {
	if len(event) == 0 {
		eachField(data, func(k, v []byte) bool {
			if string(k) == "type" {
				event, _ = rawString(v)
				return false
			}
			return true
		})
	}
	switch {
	case hasDeltaSuffix(event):
		return true
	case string(event) == "response.created", string(event) == "response.in_progress",
		string(event) == "response.completed", string(event) == "response.incomplete",
		string(event) == "response.failed":
		ok := eachField(data, func(k, v []byte) bool {
			if string(k) == "response" {
				r.responseObject(v)
				return false
			}
			return true
		})
		if !ok {
			r.malformed++
		}
		if string(event) == "response.failed" {
			r.failed = true
			if r.errType == "" {
				r.errType = "response.failed"
			}
		}
	case string(event) == "response.output_item.done":
		eachField(data, func(k, v []byte) bool {
			if string(k) == "item" {
				r.responseItem(v)
				return false
			}
			return true
		})
	case string(event) == "error":
		r.setError(data)
		if r.errType == "" {
			r.errType = "error"
		}
	}
	return false
}

// responseObject reads the response in a Responses stream event. Its
// output items are not read: response.output_item.done gave them.
func (r *result) responseObject(v []byte) {
	ok := eachField(v, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			r.setID(v)
		case "model":
			r.setModel(v)
		case "usage":
			r.setUsage(v)
		case "service_tier":
			if !isNull(v) {
				r.setServiceTier(v)
			}
		case "status":
			r.responseStatus(v)
		case "incomplete_details":
			if !isNull(v) {
				r.incomplete(v)
			}
		case "error":
			if !isNull(v) {
				r.setError(v)
			}
		}
		return true
	})
	if !ok {
		r.malformed++
	}
	r.responsesFinish()
}

func hasDeltaSuffix(event []byte) bool {
	return bytes.HasSuffix(event, []byte(".delta"))
}

func isDone(data []byte) bool {
	return bytes.HasPrefix(data, []byte("[DONE]"))
}

// statusErrorType is the error.type of an HTTP status without a usable
// provider error: the status code.
func statusErrorType(status int) string {
	switch status {
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 404:
		return "404"
	case 408:
		return "408"
	case 409:
		return "409"
	case 422:
		return "422"
	case 429:
		return "429"
	case 500:
		return "500"
	case 502:
		return "502"
	case 503:
		return "503"
	case 504:
		return "504"
	}
	return strconv.Itoa(status)
}
