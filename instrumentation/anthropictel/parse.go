package anthropictel

import (
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

// Bounds on what a call keeps of the response: identifiers are short, and a
// response that asks for more tools than this names the first ones.
const (
	maxIDLen    = 256
	maxTools    = 16
	maxToolName = 128
	maxReason   = 64 // a stop reason or an error type
)

// toolCall is a tool the model asked for (a tool_use or server_tool_use block).
type toolCall struct {
	ID, Name string
}

// result is what a Messages response says about the call, read from the JSON
// body of a non-streaming call or from the events of a stream.
type result struct {
	ID, Model, StopReason, ServiceTier string

	// The counts as the API reports them: InputTokens without the cache.
	InputTokens, CacheReadTokens, CacheWriteTokens int64
	CacheWrite5mTokens, CacheWrite1hTokens         int64
	OutputTokens, ThinkingTokens                   int64
	hasSplit                                       bool // cache_creation was given
	UsageSeen                                      bool // a usage block was read
	FinalUsage                                     bool // a message_delta's usage (or the JSON body's) was read
	Tools                                          []toolCall
	ErrorType                                      string // the type of an error event or body
	Malformed                                      bool   // an event or body the scanner could not read
	Started, Stopped                               bool   // message_start, message_stop seen
	Events, OutputChunks                           int
}

// usage converts the counts to the conventions of ailabels.Usage (input with
// the cache included). provider and model are the call's.
func (r *result) usage(provider, model string) ailabels.Usage {
	write := r.CacheWriteTokens
	var write1h int64
	if r.hasSplit {
		write1h = min(r.CacheWrite1hTokens, write)
		if r.CacheWrite5mTokens+r.CacheWrite1hTokens > write {
			write = r.CacheWrite5mTokens + r.CacheWrite1hTokens
		}
	}
	u := ailabels.Usage{
		Provider:                provider,
		Model:                   model,
		InputTokens:             r.InputTokens + r.CacheReadTokens + write,
		CachedInputTokens:       r.CacheReadTokens,
		CacheWriteInputTokens:   write,
		CacheWrite1hInputTokens: write1h,
		OutputTokens:            r.OutputTokens,
		ReasoningTokens:         min(r.ThinkingTokens, r.OutputTokens),
	}
	switch r.ServiceTier {
	case "priority":
		u.ServiceTier = ailabels.ServiceTierPriority
	case "batch":
		u.ServiceTier = ailabels.ServiceTierBatch
	}
	return u
}

// readUsage reads a usage object into r, overwriting the counts it carries:
// message_delta's counts are cumulative, so the newest one wins.
func (r *result) readUsage(u jsonscan.Value) bool {
	ok := u.Fields(func(key []byte, v jsonscan.Value) bool {
		switch string(key) {
		case "input_tokens":
			readCount(&r.InputTokens, v)
		case "cache_read_input_tokens":
			readCount(&r.CacheReadTokens, v)
		case "cache_creation_input_tokens":
			readCount(&r.CacheWriteTokens, v)
		case "output_tokens":
			readCount(&r.OutputTokens, v)
		case "cache_creation":
			v.Fields(func(key []byte, v jsonscan.Value) bool {
				switch string(key) {
				case "ephemeral_5m_input_tokens":
					r.hasSplit = readCount(&r.CacheWrite5mTokens, v) || r.hasSplit
				case "ephemeral_1h_input_tokens":
					r.hasSplit = readCount(&r.CacheWrite1hTokens, v) || r.hasSplit
				}
				return true
			})
		case "output_tokens_details":
			if t, ok := v.Field("thinking_tokens"); ok {
				readCount(&r.ThinkingTokens, t)
			}
		case "service_tier":
			if s, ok := v.String(32); ok {
				r.ServiceTier = s
			}
		}
		return true
	})
	if ok {
		r.UsageSeen = true
	}
	return ok
}

// readCount reads the token count v into *n and reports whether v is one;
// anything else (null, a negative or fractional number) leaves *n as it is.
func readCount(n *int64, v jsonscan.Value) bool {
	c, ok := v.Int()
	if ok {
		*n = c
	}
	return ok
}

// readToolBlock records the content block b when it is a tool the model asked
// for. The id and name are decoded once the type is known, whatever the order
// of the keys.
func (r *result) readToolBlock(b jsonscan.Value) {
	var tool bool
	var id, name []byte
	b.Fields(func(key []byte, v jsonscan.Value) bool {
		switch string(key) {
		case "type":
			tool = v.Is("tool_use") || v.Is("server_tool_use")
		case "id":
			id, _ = v.Str()
		case "name":
			name, _ = v.Str()
		}
		return true
	})
	if !tool || len(r.Tools) >= maxTools {
		return
	}
	var tc toolCall
	tc.ID, _ = jsonscan.Unquote(id, maxIDLen)
	tc.Name, _ = jsonscan.Unquote(name, maxToolName)
	r.Tools = append(r.Tools, tc)
}

// readMessage reads a Message object: the JSON body of a non-streaming call,
// or the message of message_start. It reports whether the object is well
// formed.
func (r *result) readMessage(m jsonscan.Value) bool {
	return m.Fields(func(key []byte, v jsonscan.Value) bool {
		switch string(key) {
		case "id":
			r.ID, _ = v.String(maxIDLen)
		case "model":
			r.Model, _ = v.String(maxIDLen)
		case "stop_reason":
			r.StopReason, _ = v.String(maxReason)
		case "content":
			v.Elems(func(b jsonscan.Value) bool {
				r.readToolBlock(b)
				return true
			})
		case "usage":
			r.readUsage(v)
		}
		return true
	})
}

// readBody reads the JSON body of a non-streaming response (a Message, or an
// error object for a failed attempt).
// One pass: readMessage checks the structure of what it skips.
func (r *result) readBody(b jsonscan.Value) {
	if t, ok := b.Field("type"); ok && t.Is("error") {
		r.readError(b)
		return
	}
	if !r.readMessage(b) {
		r.Malformed = true
		return
	}
	if r.UsageSeen {
		r.FinalUsage = true
	}
}

// readError reads the type of an error object {"type":"error","error":{"type":...}}.
func (r *result) readError(e jsonscan.Value) {
	r.ErrorType = errorOf(e)
	if r.ErrorType == "" {
		r.ErrorType = "error"
	}
}

// errorOf returns the type of the error object e,
// {"type":"error","error":{"type":"rate_limit_error",...}}, or "" when it
// names none.
func errorOf(e jsonscan.Value) string {
	t, _ := e.Path("error", "type")
	s, _ := t.String(maxReason)
	return s
}

// event reads one server-sent event of a Messages stream: its event name
// (empty when the stream sent none) and its data, without the final newline,
// which ev holds parsed. Neither is kept. A content_block_delta, the bulk of
// a stream, is checked for well-formedness and counted, allocating nothing.
func (r *result) event(name, data []byte, ev jsonscan.Value) {
	r.Events++
	if len(name) == 0 {
		if len(data) == 0 {
			return
		}
		t, _ := ev.Field("type")
		typ, ok := t.Str()
		if !ok {
			r.Malformed = r.Malformed || !jsonscan.Valid(data)
			return
		}
		name = typ
	}
	switch string(name) {
	case "content_block_delta":
		r.OutputChunks++
		if !jsonscan.Valid(data) {
			r.Malformed = true
		}
	case "ping", "content_block_stop":
		if len(data) > 0 && !jsonscan.Valid(data) {
			r.Malformed = true
		}
	case "message_start":
		r.Started = true
		ok := false
		readField(ev, "message", func(m jsonscan.Value) { ok = r.readMessage(m) })
		if !ok {
			r.Malformed = true
		}
	case "message_delta":
		if !jsonscan.Valid(data) {
			r.Malformed = true
			return
		}
		ev.Fields(func(key []byte, v jsonscan.Value) bool {
			switch string(key) {
			case "delta":
				stop, _ := v.Field("stop_reason")
				if s, ok := stop.String(maxReason); ok {
					r.StopReason = s
				}
			case "usage":
				if r.readUsage(v) {
					r.FinalUsage = true
				}
			}
			return true
		})
	case "content_block_start":
		if !jsonscan.Valid(data) {
			r.Malformed = true
			return
		}
		if !readField(ev, "content_block", r.readToolBlock) {
			r.Malformed = true
		}
	case "message_stop":
		r.Stopped = true
	case "error":
		r.readError(ev)
	}
}

// readField calls read with the value of key in the object v and reports
// whether v has the key. The value is read where it is met: Value.Field
// would skip it first, and read scan it again.
func readField(v jsonscan.Value, key string, read func(jsonscan.Value)) bool {
	found := false
	v.Fields(func(k []byte, f jsonscan.Value) bool {
		if string(k) != key {
			return true
		}
		found = true
		read(f)
		return false
	})
	return found
}
