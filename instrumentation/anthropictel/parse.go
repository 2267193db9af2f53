package anthropictel

import (
	"github.com/starmates-ai-team/telemetry/ailabels"
)

// Bounds on what a call keeps of the response: identifiers are short, and a
// response that asks for more tools than this names the first ones.
const (
	maxIDLen    = 256
	maxTools    = 16
	maxToolName = 128
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
func (r *result) readUsage(u []byte) bool {
	ok := eachField(u, func(key, v []byte) bool {
		switch string(key) {
		case "input_tokens":
			if n, ok := toInt(v); ok {
				r.InputTokens = n
			}
		case "cache_read_input_tokens":
			if n, ok := toInt(v); ok {
				r.CacheReadTokens = n
			}
		case "cache_creation_input_tokens":
			if n, ok := toInt(v); ok {
				r.CacheWriteTokens = n
			}
		case "output_tokens":
			if n, ok := toInt(v); ok {
				r.OutputTokens = n
			}
		case "cache_creation":
			eachField(v, func(key, v []byte) bool {
				switch string(key) {
				case "ephemeral_5m_input_tokens":
					if n, ok := toInt(v); ok {
						r.CacheWrite5mTokens, r.hasSplit = n, true
					}
				case "ephemeral_1h_input_tokens":
					if n, ok := toInt(v); ok {
						r.CacheWrite1hTokens, r.hasSplit = n, true
					}
				}
				return true
			})
		case "output_tokens_details":
			if t, ok := field(v, "thinking_tokens"); ok {
				if n, ok := toInt(t); ok {
					r.ThinkingTokens = n
				}
			}
		case "service_tier":
			if s, ok := toString(v, 32); ok {
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

// readToolBlock records the content block b when it is a tool the model asked for.
func (r *result) readToolBlock(b []byte) {
	t, _ := field(b, "type")
	if !isString(t, "tool_use") && !isString(t, "server_tool_use") {
		return
	}
	if len(r.Tools) >= maxTools {
		return
	}
	var tc toolCall
	if v, ok := field(b, "id"); ok {
		tc.ID, _ = toString(v, maxIDLen)
	}
	if v, ok := field(b, "name"); ok {
		tc.Name, _ = toString(v, maxToolName)
	}
	r.Tools = append(r.Tools, tc)
}

// readMessage reads a Message object: the JSON body of a non-streaming call,
// or the message of message_start.
func (r *result) readMessage(m []byte) bool {
	return eachField(m, func(key, v []byte) bool {
		switch string(key) {
		case "id":
			r.ID, _ = toString(v, maxIDLen)
		case "model":
			r.Model, _ = toString(v, maxIDLen)
		case "stop_reason":
			r.StopReason, _ = toString(v, 64)
		case "content":
			eachElement(v, func(b []byte) bool {
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
func (r *result) readBody(b []byte) {
	if t, ok := field(b, "type"); ok && isString(t, "error") {
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
func (r *result) readError(b []byte) {
	if v, ok := path(b, "error", "type"); ok {
		r.ErrorType, _ = toString(v, 64)
	}
	if r.ErrorType == "" {
		r.ErrorType = "error"
	}
}

// event reads one server-sent event of a Messages stream: its event name
// (empty when the stream sent none) and its data, without the final newline.
// Neither slice is kept. A content_block_delta, the bulk of a stream, is
// checked for well-formedness and counted, allocating nothing.
func (r *result) event(name, data []byte) {
	r.Events++
	if len(name) == 0 {
		if len(data) == 0 {
			return
		}
		t, ok := field(data, "type")
		if !ok || len(t) < 2 || t[0] != '"' {
			r.Malformed = r.Malformed || !valid(data)
			return
		}
		name = t[1 : len(t)-1]
	}
	switch string(name) {
	case "content_block_delta":
		r.OutputChunks++
		if !valid(data) {
			r.Malformed = true
		}
	case "ping", "content_block_stop":
		if len(data) > 0 && !valid(data) {
			r.Malformed = true
		}
	case "message_start":
		r.Started = true
		m, ok := field(data, "message")
		if !ok || !r.readMessage(m) {
			r.Malformed = true
		}
	case "message_delta":
		if !valid(data) {
			r.Malformed = true
			return
		}
		if v, ok := path(data, "delta", "stop_reason"); ok {
			if s, ok := toString(v, 64); ok {
				r.StopReason = s
			}
		}
		if u, ok := field(data, "usage"); ok && r.readUsage(u) {
			r.FinalUsage = true
		}
	case "content_block_start":
		b, ok := field(data, "content_block")
		if !ok || !valid(data) {
			r.Malformed = true
			return
		}
		r.readToolBlock(b)
	case "message_stop":
		r.Stopped = true
	case "error":
		r.readError(data)
	}
}
