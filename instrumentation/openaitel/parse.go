package openaitel

import (
	"bytes"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

// The parsers of OpenAI's responses: they fill an aihttp.Response from a
// JSON body, one stream event at a time, or an error body. They read the
// few fields the instrumentation needs with internal/jsonscan, in one pass,
// and never decode a whole body into structs. aihttp owns the Response and
// calls them through the Handlers below.

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
	if a == apiEmbeddings {
		return ailabels.OperationEmbeddings
	}
	return ailabels.OperationChat
}

// The Handlers, one per API, built once.
var (
	chatHandler = aihttp.Handler{
		JSON:      func(body []byte, r *aihttp.Response) bool { return parseBody(apiChat, body, r) },
		Event:     func(_, data []byte, r *aihttp.Response) bool { return chatEvent(data, r) },
		ErrorType: errorType,
	}
	responsesHandler = aihttp.Handler{
		JSON:      func(body []byte, r *aihttp.Response) bool { return parseBody(apiResponses, body, r) },
		Event:     responsesEvent,
		ErrorType: errorType,
	}
	embeddingsHandler = aihttp.Handler{
		JSON:      func(body []byte, r *aihttp.Response) bool { return parseBody(apiEmbeddings, body, r) },
		ErrorType: errorType,
	}
)

func handlerOf(a api) *aihttp.Handler {
	switch a {
	case apiChat:
		return &chatHandler
	case apiResponses:
		return &responsesHandler
	case apiEmbeddings:
		return &embeddingsHandler
	}
	return nil
}

// pricedAs returns a Handler that prices the call as model (an Azure
// deployment name) rather than the model the response names.
func pricedAs(h *aihttp.Handler, model string) *aihttp.Handler {
	set := func(r *aihttp.Response) {
		if r.HasUsage {
			r.Usage.Model = model
		}
	}
	p := &aihttp.Handler{ErrorType: h.ErrorType}
	if h.JSON != nil {
		p.JSON = func(body []byte, r *aihttp.Response) bool {
			ok := h.JSON(body, r)
			set(r)
			return ok
		}
	}
	if h.Event != nil {
		p.Event = func(name, data []byte, r *aihttp.Response) bool {
			out := h.Event(name, data, r)
			set(r)
			return out
		}
	}
	return p
}

// Bounds.
const (
	maxErrorType = 64
	maxChoices   = 128
)

// unquoted returns the contents of the JSON string v, decoded when it has
// escapes (which allocates; OpenAI's ids, models and reasons have none),
// and false for a value that is not a non-empty string.
func unquoted(v jsonscan.Value) ([]byte, bool) {
	s, ok := v.Str()
	if !ok || len(s) == 0 {
		return nil, false
	}
	if bytes.IndexByte(s, '\\') >= 0 {
		d, _ := jsonscan.Unquote(s, -1)
		return []byte(d), d != ""
	}
	return s, true
}

// isNull reports whether v is null or absent (the zero Value).
func isNull(v jsonscan.Value) bool { return v.Kind() == 0 || v.IsNull() }

func setID(r *aihttp.Response, v jsonscan.Value) {
	if s, ok := unquoted(v); ok {
		r.SetID(s)
	}
}

func setModel(r *aihttp.Response, v jsonscan.Value) {
	if s, ok := unquoted(v); ok {
		r.SetModel(s)
	}
}

func setFinish(r *aihttp.Response, i int, v jsonscan.Value) {
	if s, ok := unquoted(v); ok && i < maxChoices {
		r.SetFinishReason(i, s)
	}
}

func appendCompletion(r *aihttp.Response, v jsonscan.Value) {
	if !r.Capture() {
		return
	}
	if s, ok := unquoted(v); ok {
		r.AppendCompletion(s)
	}
}

// setServiceTier keeps the service tier the response names, which selects
// the price: flex, priority and batch are priced as such; "default",
// "auto", "scale" and unknown tiers as standard.
func setServiceTier(r *aihttp.Response, v jsonscan.Value) {
	s, ok := v.Str()
	if !ok {
		return
	}
	switch string(s) {
	case "flex":
		r.Usage.ServiceTier = ailabels.ServiceTierFlex
	case "priority":
		r.Usage.ServiceTier = ailabels.ServiceTierPriority
	case "batch":
		r.Usage.ServiceTier = ailabels.ServiceTierBatch
	default:
		r.Usage.ServiceTier = ""
	}
}

// errorType returns the provider's error in an error body
// {"error":{"message","type","param","code"}}: its code when it has one
// ("rate_limit_exceeded", "insufficient_quota", "context_length_exceeded"),
// else its type ("invalid_request_error", "server_error"); "" when the
// body has neither (the HTTP status is used).
func errorType(_ int, body []byte) string {
	var t string
	jsonscan.Scan(body, func(v jsonscan.Value) bool {
		return v.Fields(func(k []byte, v jsonscan.Value) bool {
			if string(k) == "error" {
				t = errorObjectType(v)
				return false
			}
			return true
		})
	})
	return t
}

// errorObjectType reads an error object {"type","code",...}: its code when
// it is a usable label, else its type.
func errorObjectType(v jsonscan.Value) string {
	var code, typ []byte
	v.Fields(func(k []byte, val jsonscan.Value) bool {
		switch string(k) {
		case "code":
			code, _ = val.Str()
		case "type":
			typ, _ = val.Str()
		}
		return true
	})
	if t := errorLabel(code); t != "" {
		return t
	}
	return errorLabel(typ)
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
	switch string(s) { // the common ones without an allocation
	case "rate_limit_exceeded":
		return "rate_limit_exceeded"
	case "server_error":
		return "server_error"
	case "invalid_request_error":
		return "invalid_request_error"
	case "insufficient_quota":
		return "insufficient_quota"
	}
	return string(s)
}

// setUsage reads a usage block into r. Chat Completions and embeddings:
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
//
// OpenAI's counts already follow ailabels.Usage: the input includes the
// cached and cache-write tokens, the output the reasoning tokens. A part
// larger than its whole is cut to it: a provider that says otherwise would
// make the whole record invalid and the request uncounted.
func setUsage(r *aihttp.Response, v jsonscan.Value) {
	if v.Kind() != '{' {
		return
	}
	var u ailabels.Usage
	var input bool
	ok := v.Fields(func(k []byte, val jsonscan.Value) bool {
		switch string(k) {
		case "prompt_tokens", "input_tokens":
			u.InputTokens, input = val.Int()
		case "completion_tokens", "output_tokens":
			u.OutputTokens, _ = val.Int()
		case "prompt_tokens_details", "input_tokens_details":
			val.Fields(func(k []byte, val jsonscan.Value) bool {
				switch string(k) {
				case "cached_tokens":
					u.CachedInputTokens, _ = val.Int()
				case "cache_write_tokens":
					u.CacheWriteInputTokens, _ = val.Int()
				}
				return true
			})
		case "completion_tokens_details", "output_tokens_details":
			val.Fields(func(k []byte, val jsonscan.Value) bool {
				if string(k) == "reasoning_tokens" {
					u.ReasoningTokens, _ = val.Int()
				}
				return true
			})
		}
		return true
	})
	if !ok || !input {
		return
	}
	u.InputTokens = min(u.InputTokens, ailabels.MaxTokens)
	u.OutputTokens = min(u.OutputTokens, ailabels.MaxTokens)
	u.CachedInputTokens = min(u.CachedInputTokens, u.InputTokens)
	u.CacheWriteInputTokens = min(u.CacheWriteInputTokens, u.InputTokens-u.CachedInputTokens)
	u.ReasoningTokens = min(u.ReasoningTokens, u.OutputTokens)
	u.ServiceTier, u.Model = r.Usage.ServiceTier, r.Usage.Model
	r.Usage, r.HasUsage = u, true
}

// parseBody reads a complete JSON response body of API a (status < 400).
// It reports false for a body that is not a JSON object: openai-go fails
// the call on it too, so it is recorded as failed, malformed_response.
func parseBody(a api, body []byte, r *aihttp.Response) bool {
	ok := responseBody(a, r.Parse(body), r)
	if a == apiResponses {
		responsesFinish(r)
	}
	if !ok {
		r.ErrorType = ailabels.ErrorTypeMalformedResponse
	}
	return ok
}

// responseBody reads the fields of a response body.
func responseBody(a api, body jsonscan.Value, r *aihttp.Response) bool {
	return body.Fields(func(k []byte, v jsonscan.Value) bool {
		switch string(k) {
		case "id":
			if a != apiEmbeddings {
				setID(r, v)
			}
		case "model":
			setModel(r, v)
		case "usage":
			setUsage(r, v)
		case "service_tier":
			setServiceTier(r, v)
		case "error":
			if !isNull(v) {
				if t := errorObjectType(v); t != "" {
					r.ErrorType = t
				}
			}
		case "choices":
			if a == apiChat {
				chatChoices(r, v, false)
			}
		case "output":
			if a == apiResponses {
				v.Elems(func(item jsonscan.Value) bool { responseItem(r, item); return true })
			}
		case "status":
			if a == apiResponses {
				responseStatus(r, v)
			}
		case "incomplete_details":
			if a == apiResponses && !isNull(v) {
				incomplete(r, v)
			}
		}
		return true
	})
}

// chatChoices reads choices[].{index, finish_reason, message|delta{content,
// tool_calls}}: message in a completion, delta in a stream chunk. It
// returns how many choices it read.
func chatChoices(r *aihttp.Response, v jsonscan.Value, delta bool) int {
	field := "message"
	if delta {
		field = "delta"
	}
	pos := 0
	v.Elems(func(c jsonscan.Value) bool {
		idx := pos
		var finish jsonscan.Value
		c.Fields(func(k []byte, val jsonscan.Value) bool {
			switch string(k) {
			case "index":
				if n, ok := val.Int(); ok && n < maxChoices {
					idx = int(n)
				}
			case "finish_reason":
				finish = val // read when the index is known
			case field:
				chatMessage(r, val, delta)
			}
			return true
		})
		if !isNull(finish) {
			setFinish(r, idx, finish)
			if delta {
				r.Done = true // the caller may stop reading here
			}
		}
		pos++
		return true
	})
	return pos
}

// chatMessage reads a message or delta: its content (content capture) and
// its tool calls. In a stream, a tool call's first delta has its id and
// name, the next ones pieces of its arguments, all under its index.
func chatMessage(r *aihttp.Response, v jsonscan.Value, delta bool) {
	v.Fields(func(k []byte, val jsonscan.Value) bool {
		switch string(k) {
		case "content":
			appendCompletion(r, val)
		case "tool_calls":
			pos := 0
			val.Elems(func(tc jsonscan.Value) bool {
				idx := pos
				var id, name []byte
				var args jsonscan.Value
				tc.Fields(func(k []byte, val jsonscan.Value) bool {
					switch string(k) {
					case "index":
						if n, ok := val.Int(); ok {
							idx = int(min(n, maxChoices))
						}
					case "id":
						id, _ = unquoted(val)
					case "function":
						val.Fields(func(k []byte, val jsonscan.Value) bool {
							switch string(k) {
							case "name":
								name, _ = unquoted(val)
							case "arguments":
								args = val
							}
							return true
						})
					}
					return true
				})
				i := idx
				switch {
				case !delta || idx >= len(r.ToolCalls):
					if id != nil || name != nil {
						i = r.AddToolCall(id, name)
					}
				default:
					r.SetToolCall(idx, id, name)
				}
				if r.Capture() {
					if s, ok := unquoted(args); ok {
						r.AppendToolArguments(i, s)
					}
				}
				pos++
				return true
			})
		}
		return true
	})
}

// responseItem reads one output item of the Responses API: a function
// call (its name and call id) or a message (its text, content capture).
func responseItem(r *aihttp.Response, item jsonscan.Value) {
	var typ, name, callID []byte
	var args, content jsonscan.Value
	item.Fields(func(k []byte, val jsonscan.Value) bool {
		switch string(k) {
		case "type":
			typ, _ = val.Str()
		case "name":
			name, _ = unquoted(val)
		case "call_id":
			callID, _ = unquoted(val)
		case "arguments", "input":
			args = val
		case "content":
			content = val
		}
		return true
	})
	switch string(typ) {
	case "function_call", "custom_tool_call":
		if i := r.AddToolCall(callID, name); i >= 0 && r.Capture() {
			if s, ok := unquoted(args); ok {
				r.AppendToolArguments(i, s)
			}
		}
	case "message":
		if r.Capture() {
			content.Elems(func(c jsonscan.Value) bool {
				c.Fields(func(k []byte, val jsonscan.Value) bool {
					if string(k) == "text" {
						appendCompletion(r, val)
					}
					return true
				})
				return true
			})
		}
	}
}

// The Responses API has no finish_reason; the status says how the
// response ended: completed is "stop" ("tool_calls" when the model asked
// for tools), incomplete is its reason ("max_output_tokens",
// "content_filter"), failed and cancelled are themselves.
func responseStatus(r *aihttp.Response, v jsonscan.Value) {
	s, ok := v.Str()
	if !ok {
		return
	}
	switch string(s) {
	case "completed":
		r.SetFinishReason(0, []byte("stop"))
	case "failed", "cancelled":
		r.SetFinishReason(0, s)
	case "incomplete":
		if len(r.FinishReasons) == 0 || r.FinishReasons[0] == "" {
			r.SetFinishReason(0, s)
		}
	}
}

func incomplete(r *aihttp.Response, v jsonscan.Value) {
	v.Fields(func(k []byte, val jsonscan.Value) bool {
		if string(k) == "reason" {
			setFinish(r, 0, val)
			return false
		}
		return true
	})
}

func responsesFinish(r *aihttp.Response) {
	if len(r.FinishReasons) == 1 && r.FinishReasons[0] == "stop" && len(r.ToolCalls) > 0 {
		r.SetFinishReason(0, []byte("tool_calls"))
	}
}

// chatEvent reads one Chat Completions stream event:
//
//	{"id","model","service_tier","choices":[{"index","delta":{...},"finish_reason"}],"usage":{...}|null}
//
// an error object {"error":{...}}, or [DONE]. It reports whether the
// event is an output chunk (it has a choice).
//
// Most chunks carry a few words and nothing the instrumentation needs:
// once the id and model are known (and without content capture), a chunk
// in which none of "usage", "finish_reason", "error" and a tool call's
// "name" has a value other than null is not parsed (see skimChunk). Such a
// chunk allocates nothing.
func chatEvent(data []byte, r *aihttp.Response) (output bool) {
	if isDone(data) {
		r.Done = true
		return false
	}
	if !r.Capture() && r.ID != "" && r.Model != "" {
		needed, choices, wellFormed := skimChunk(data)
		if !needed {
			if !wellFormed {
				r.ErrorType = ailabels.ErrorTypeMalformedResponse
			}
			return choices
		}
	}
	ok := r.Parse(data).Fields(func(k []byte, v jsonscan.Value) bool {
		switch string(k) {
		case "id":
			setID(r, v)
		case "model":
			setModel(r, v)
		case "service_tier":
			if !isNull(v) {
				setServiceTier(r, v)
			}
		case "choices":
			if chatChoices(r, v, true) > 0 {
				output = true
			}
		case "usage":
			if !isNull(v) {
				setUsage(r, v)
			}
		case "error":
			if !isNull(v) {
				r.ErrorType = errorObjectType(v)
				if r.ErrorType == "" {
					r.ErrorType = "error"
				}
			}
		}
		return true
	})
	if !ok {
		// openai-go stops the stream with a JSON error on such an event.
		r.ErrorType = ailabels.ErrorTypeMalformedResponse
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
	wellFormed = wholeObject(data)
	i := 0
	for {
		j := bytes.IndexByte(data[i:], ':')
		if j < 0 {
			return false, choices, wellFormed
		}
		colon := i + j
		i = colon + 1
		q := colon - 1
		for q >= 0 && jsonscan.IsSpace(data[q]) {
			q--
		}
		if q < 1 || data[q] != '"' {
			continue
		}
		key := data[:q]
		v := jsonscan.SkipSpace(data, colon+1)
		switch key[len(key)-1] { // the key's last letter picks the candidate
		case 's':
			if bytes.HasSuffix(key, []byte(`"choices`)) && v < len(data) && data[v] == '[' {
				w := jsonscan.SkipSpace(data, v+1)
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

// responsesEvent reads one Responses API stream event. name is the SSE
// event name (the data's "type" when the name is missing). Text deltas
// are recognised by name and not parsed. It reports whether the event
// carries output.
//
// An "error" event is a failed call although openai-go's stream reports
// no error (Err() is nil): its code becomes error.type.
func responsesEvent(name, data []byte, r *aihttp.Response) (output bool) {
	ev := r.Parse(data)
	if len(name) == 0 {
		if t, ok := ev.Field("type"); ok {
			name, _ = t.Str()
		}
	}
	switch {
	case bytes.HasSuffix(name, []byte(".delta")):
		if !wholeObject(data) {
			// openai-go stops the stream with a JSON error on it.
			r.ErrorType = ailabels.ErrorTypeMalformedResponse
			return false
		}
		if r.Capture() && string(name) == "response.output_text.delta" {
			if d, ok := ev.Field("delta"); ok {
				appendCompletion(r, d)
			}
		}
		return true
	case string(name) == "response.created", string(name) == "response.in_progress",
		string(name) == "response.completed", string(name) == "response.incomplete",
		string(name) == "response.failed":
		ok := ev.Fields(func(k []byte, v jsonscan.Value) bool {
			if string(k) == "response" {
				responseObject(r, v)
				return false
			}
			return true
		})
		if !ok {
			r.ErrorType = ailabels.ErrorTypeMalformedResponse
		}
		switch string(name) {
		case "response.failed":
			if r.ErrorType == "" {
				r.ErrorType = "response.failed"
			}
			r.Done = true
		case "response.completed", "response.incomplete":
			r.Done = true
		}
	case string(name) == "response.output_item.done":
		ev.Fields(func(k []byte, v jsonscan.Value) bool {
			if string(k) == "item" {
				responseItem(r, v)
				return false
			}
			return true
		})
	case string(name) == "error":
		r.ErrorType = errorObjectType(ev)
		if r.ErrorType == "" {
			r.ErrorType = "error"
		}
		r.Done = true
	default:
		if !wholeObject(data) {
			r.ErrorType = ailabels.ErrorTypeMalformedResponse
		}
	}
	return false
}

// wholeObject is the cheap test of an event that is not parsed: it must
// at least look like one JSON object.
func wholeObject(data []byte) bool {
	t := bytes.TrimSpace(data)
	return len(t) >= 2 && t[0] == '{' && t[len(t)-1] == '}'
}

// responseObject reads the response in a Responses stream event. Its
// output items are not read: response.output_item.done gave them.
func responseObject(r *aihttp.Response, v jsonscan.Value) {
	v.Fields(func(k []byte, v jsonscan.Value) bool {
		switch string(k) {
		case "id":
			setID(r, v)
		case "model":
			setModel(r, v)
		case "usage":
			if !isNull(v) {
				setUsage(r, v)
			}
		case "service_tier":
			if !isNull(v) {
				setServiceTier(r, v)
			}
		case "status":
			responseStatus(r, v)
		case "incomplete_details":
			if !isNull(v) {
				incomplete(r, v)
			}
		case "error":
			if !isNull(v) {
				if t := errorObjectType(v); t != "" {
					r.ErrorType = t
				}
			}
		}
		return true
	})
	responsesFinish(r)
}

func isDone(data []byte) bool {
	return bytes.HasPrefix(data, []byte("[DONE]"))
}
