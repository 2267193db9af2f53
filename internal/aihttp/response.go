package aihttp

import (
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// maxCompletionBytes bounds the completion text kept for content capture.
const maxCompletionBytes = 1 << 20

// maxToolCalls bounds the tool calls kept per response.
const maxToolCalls = 128

// Handler is what a client integration knows about its provider's
// responses. Build it once per integration; every field is optional. The
// byte slices it receives are valid only during the call: copy what is
// kept (the Response setters do). Its functions must not panic (the
// Tracker recovers a panic, counts the body as malformed and goes on, but
// that costs the parse).
type Handler struct {
	// JSON parses a complete non-streaming response body of status below
	// 400 into r, and reports whether it could (false: usage missing,
	// ErrorTypeMalformedResponse is not set, the call still succeeds, as
	// the caller's client decides). It is called once, at the body's end
	// (EOF, or Close after the whole body was read), with the whole body
	// when it is at most Config.MaxBodyBytes; a larger body is not parsed
	// (usage missing, ai.response.oversize).
	JSON func(body []byte, r *Response) bool
	// Event handles one event of a streaming response (Content-Type
	// text/event-stream): its name (empty for unnamed events) and data
	// (the data lines joined with LF). It returns whether the event is an
	// output chunk, which is timed (time to first chunk, time per output
	// chunk): keep-alive pings, comments and the "[DONE]" marker are not.
	// For zero allocations per event, look at data without decoding it
	// when it cannot carry what you need (a chunk with no "usage" key).
	Event func(name, data []byte, r *Response) bool
	// ErrorType returns the provider's error type found in an error body
	// (status 400 or above, at most Config.MaxErrorBodyBytes of it), e.g.
	// "rate_limit_error" from {"type":"error","error":{"type":...}}; ""
	// when there is none (the HTTP status is used).
	ErrorType func(status int, body []byte) string
	// PartialLastEvent makes an event that the stream's end cuts short
	// (no blank line after its last data line) count as an event, for a
	// client that reads data lines as they come (genai). By default it is
	// dropped, as the SSE standard and the Stainless clients (openai-go,
	// anthropic-sdk-go) drop it: the caller never sees it.
	PartialLastEvent bool
}

// Response is what a client integration's Handler finds in a response:
// the call's metadata, usage and end state. The Tracker owns it and hands
// it to the Handler's functions; it records it when the call ends.
type Response struct {
	// ID is gen_ai.response.id.
	ID string
	// Model is the model that answered (gen_ai.response.model), priced
	// with the request's provider.
	Model string
	// FinishReasons are gen_ai.response.finish_reasons, by choice index.
	FinishReasons []string
	// ToolCalls are the tool calls the model asked for.
	ToolCalls []metrics.ToolCallRequest
	// Usage is the call's usage, in the SDK's convention (InputTokens
	// includes cached and cache-write tokens, OutputTokens includes
	// reasoning tokens; see ailabels.Usage). Provider and Model may be
	// left empty: they default to the request's provider and to Model.
	// Overwrite it when the provider's counts are cumulative.
	Usage ailabels.Usage
	// HasUsage says Usage came from the provider; without it the call is
	// recorded with its usage missing, never as zero tokens.
	HasUsage bool
	// Done says the stream's end marker was seen ([DONE], message_stop,
	// response.completed, a final finish reason): a reader that closes the
	// body after it, without reading to EOF, ended the stream normally.
	// Without it, a Close before EOF is recorded as cancelled.
	Done bool
	// ErrorType is an error the provider reported inside a response of
	// status below 400 (an "error" event in a stream: "overloaded_error",
	// "rate_limit_exceeded"): the call is recorded as failed with it.
	ErrorType string

	capture    bool
	completion []byte
	t          *Tracker // for its last model string (SetModel)
	scan       jsonscan.Scanner
}

// Parse returns the JSON value b holds, read by the Response's own
// jsonscan.Scanner (no pool, no allocation): it is valid until the next
// Parse, so read one body or event at a time.
func (r *Response) Parse(b []byte) jsonscan.Value { return r.scan.Parse(b) }

// Capture reports whether content capture is on: only then is the
// completion text worth collecting (AppendCompletion, tool arguments).
func (r *Response) Capture() bool { return r.capture }

// SetID sets ID from b, allocating only when it changes.
func (r *Response) SetID(b []byte) {
	if len(b) > 0 && string(b) != r.ID {
		r.ID = string(b)
	}
}

// SetModel sets Model from b, allocating only when it changes.
func (r *Response) SetModel(b []byte) {
	if len(b) > 0 && string(b) != r.Model {
		if r.t != nil {
			if p := r.t.okModel.Load(); p != nil && *p == string(b) {
				r.Model = *p // the same model as a call before: no copy
				return
			}
		}
		r.Model = string(b)
	}
}

// SetFinishReason sets the finish reason of choice i (0 for APIs with one
// choice), allocating only when it changes.
func (r *Response) SetFinishReason(i int, b []byte) {
	if i < 0 || i >= maxToolCalls || len(b) == 0 {
		return
	}
	for len(r.FinishReasons) <= i {
		r.FinishReasons = append(r.FinishReasons, "")
	}
	if string(b) != r.FinishReasons[i] {
		r.FinishReasons[i] = reason(b)
	}
}

// reason returns b as a string, without an allocation for the finish
// reasons the three APIs send (OpenAI's, Anthropic's stop reasons,
// Gemini's FinishReason enum).
func reason(b []byte) string {
	switch string(b) {
	case "stop":
		return "stop"
	case "tool_calls":
		return "tool_calls"
	case "length":
		return "length"
	case "content_filter":
		return "content_filter"
	case "end_turn":
		return "end_turn"
	case "tool_use":
		return "tool_use"
	case "max_tokens":
		return "max_tokens"
	case "stop_sequence":
		return "stop_sequence"
	case "STOP":
		return "STOP"
	case "MAX_TOKENS":
		return "MAX_TOKENS"
	case "SAFETY":
		return "SAFETY"
	case "RECITATION":
		return "RECITATION"
	case "OTHER":
		return "OTHER"
	case "MALFORMED_FUNCTION_CALL":
		return "MALFORMED_FUNCTION_CALL"
	}
	return string(b)
}

// AddToolCall records a tool call the model asked for and returns its
// index (for AppendToolArguments), or -1 past the bound of 128 calls.
func (r *Response) AddToolCall(id, name []byte) int {
	if len(r.ToolCalls) >= maxToolCalls {
		return -1
	}
	r.ToolCalls = append(r.ToolCalls, metrics.ToolCallRequest{ID: string(id), Name: string(name)})
	return len(r.ToolCalls) - 1
}

// SetToolCall fills in the id and name of tool call i where they were
// empty (streams send them in the first delta of the call).
func (r *Response) SetToolCall(i int, id, name []byte) {
	if i < 0 || i >= len(r.ToolCalls) {
		return
	}
	tc := &r.ToolCalls[i]
	if tc.ID == "" && len(id) > 0 {
		tc.ID = string(id)
	}
	if tc.Name == "" && len(name) > 0 {
		tc.Name = string(name)
	}
}

// AppendToolArguments appends b to the arguments of tool call i, only
// with content capture.
func (r *Response) AppendToolArguments(i int, b []byte) {
	if !r.capture || i < 0 || i >= len(r.ToolCalls) || len(r.ToolCalls[i].Arguments)+len(b) > maxCompletionBytes {
		return
	}
	r.ToolCalls[i].Arguments += string(b)
}

// AppendCompletion appends completion text, only with content capture
// (at most 1 MiB is kept).
func (r *Response) AppendCompletion(b []byte) {
	if !r.capture || len(r.completion)+len(b) > maxCompletionBytes {
		return
	}
	r.completion = append(r.completion, b...)
}

// reset empties r for a new attempt, keeping its buffers.
func (r *Response) reset(capture bool, t *Tracker) {
	*r = Response{capture: capture, t: t, completion: r.completion[:0], FinishReasons: r.FinishReasons[:0], ToolCalls: r.ToolCalls[:0]}
}
