package fakellm

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
)

// openAI writes OpenAI's error bodies.
type openAI struct{}

func (openAI) writeError(w http.ResponseWriter, status int, typ, msg string, id uint64) {
	code := any(nil)
	switch {
	case status == http.StatusTooManyRequests:
		typ, msg, code = "requests", "Rate limit reached for requests per min (RPM): Limit 500, Used 500. Please try again in 10ms.", "rate_limit_exceeded"
	case status >= 500:
		typ, msg = "server_error", "The server had an error while processing your request. Sorry about that!"
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", responseID("req_", id, 0))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

// reasons reports whether an OpenAI request reasons: it set a
// reasoning effort or names an o-series model.
func reasons(model, effort string) bool {
	return effort != "" || (len(model) > 1 && model[0] == 'o' && model[1] >= '0' && model[1] <= '9')
}

type chatRequest struct {
	Model           string `json:"model"`
	Stream          bool   `json:"stream"`
	ReasoningEffort string `json:"reasoning_effort"`
	StreamOptions   struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Tools []struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tools"`
	Messages []struct {
		Role string `json:"role"`
	} `json:"messages"`
}

// toolTurn reports whether the answer asks for a tool: tools are offered
// and no tool result is in the conversation yet.
func (q *chatRequest) toolTurn() (string, bool) {
	if len(q.Tools) == 0 || q.Tools[0].Function.Name == "" {
		return "", false
	}
	for _, m := range q.Messages {
		if m.Role == "tool" {
			return "", false
		}
	}
	return q.Tools[0].Function.Name, true
}

func chatUsage(t tokens) map[string]any {
	return map[string]any{
		"prompt_tokens": t.input, "completion_tokens": t.output, "total_tokens": t.input + t.output,
		"prompt_tokens_details":     map[string]any{"cached_tokens": t.cached, "cache_write_tokens": t.cacheWrite, "audio_tokens": 0},
		"completion_tokens_details": map[string]any{"reasoning_tokens": t.reasoning, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
	}
}

// answerTokens is the usage of an answer: a tool call is short.
func answerTokens(h uint64, reasoning, tool bool) tokens {
	t := usageFor(h, reasoning)
	if tool {
		t.output = 18 + int64(h%20) + t.reasoning
	}
	return t
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	p := openAI{}
	c, q := beginJSON[chatRequest](s, w, r, p)
	if c == nil {
		return
	}
	tool, isTool := q.toolTurn()
	t := answerTokens(c.hash, reasons(q.Model, q.ReasoningEffort), isTool)
	id := responseID("chatcmpl-", c.id, c.hash)
	model := responseModel(q.Model)
	callID := responseID("call_", c.id, c.hash)
	pieces := chunks(c.hash, s.cfg.Chunks)
	finish := "stop"
	if isTool {
		finish = "tool_calls"
		pieces = argumentPieces()
	}
	if !s.wait(r.Context(), s.firstTokenDelay(c)) {
		return
	}
	if !q.Stream {
		if !s.wait(r.Context(), s.cfg.ChunkInterval*timesOf(len(pieces)-1)) {
			return
		}
		msg := map[string]any{"role": "assistant", "content": strings.Join(pieces, ""), "refusal": nil, "annotations": []any{}}
		if isTool {
			msg["content"] = nil
			msg["tool_calls"] = []any{map[string]any{"id": callID, "type": "function", "function": map[string]any{"name": tool, "arguments": toolArguments}}}
		}
		s.writeJSON(c, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": unix(), "model": model,
			"system_fingerprint": "fp_fakellm", "service_tier": "default",
			"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish}},
			"usage":   chatUsage(t),
		})
		return
	}
	e := s.startSSE(c)
	chunk := func(delta map[string]any, finish any) map[string]any {
		m := map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": unix(), "model": model,
			"system_fingerprint": "fp_fakellm", "service_tier": "default",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
		}
		if q.StreamOptions.IncludeUsage {
			m["usage"] = nil
		}
		return m
	}
	err := s.streamPieces(c, e, pieces, func(i int, piece string) error {
		delta := map[string]any{"content": piece}
		if isTool {
			fn := map[string]any{"arguments": piece}
			tc := map[string]any{"index": 0, "function": fn}
			if i == 0 {
				fn["name"] = tool
				tc["id"], tc["type"] = callID, "function"
			}
			delta = map[string]any{"tool_calls": []any{tc}}
		}
		if i == 0 {
			delta["role"] = "assistant"
		}
		return e.event("", chunk(delta, nil))
	})
	if err != nil {
		return
	}
	if e.event("", chunk(map[string]any{}, finish)) != nil {
		return
	}
	if q.StreamOptions.IncludeUsage {
		if e.event("", map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": unix(), "model": model,
			"system_fingerprint": "fp_fakellm", "service_tier": "default",
			"choices": []any{}, "usage": chatUsage(t),
		}) != nil {
			return
		}
	}
	_ = e.event("", "[DONE]")
}

// argumentPieces splits the tool arguments the way the APIs stream them.
func argumentPieces() []string {
	a := toolArguments
	return []string{a[:2], a[2:9], a[9:14], a[14:]}
}

// timesOf converts a count for multiplying a duration.
func timesOf(n int) time.Duration { return time.Duration(max(0, n)) }

// streamPieces writes the content pieces with ChunkInterval between them,
// cutting the stream or inserting a malformed event half-way when the
// request asked for it. It returns errStop when the stream must end here.
func (s *Server) streamPieces(c *call, e *sse, pieces []string, write func(i int, piece string) error) error {
	for i, piece := range pieces {
		if i > 0 && !s.wait(c.r.Context(), s.cfg.ChunkInterval) {
			return errStop
		}
		if i == len(pieces)/2 {
			switch c.fault {
			case FaultCut:
				return errStop
			case FaultMalformed:
				if e.event("", `{"id": "truncated`) != nil {
					return errStop
				}
			}
		}
		if write(i, piece) != nil {
			return errStop
		}
	}
	return nil
}

type responsesRequest struct {
	Model     string          `json:"model"`
	Stream    bool            `json:"stream"`
	Input     json.RawMessage `json:"input"`
	Reasoning struct {
		Effort string `json:"effort"`
	} `json:"reasoning"`
	Tools []struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tools"`
}

func (q *responsesRequest) toolTurn() (string, bool) {
	if len(q.Tools) == 0 || q.Tools[0].Name == "" {
		return "", false
	}
	var items []struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(q.Input, &items) == nil {
		for _, it := range items {
			if it.Type == "function_call_output" {
				return "", false
			}
		}
	}
	return q.Tools[0].Name, true
}

func responsesUsage(t tokens) map[string]any {
	return map[string]any{
		"input_tokens": t.input, "output_tokens": t.output, "total_tokens": t.input + t.output,
		"input_tokens_details":  map[string]any{"cached_tokens": t.cached, "cache_write_tokens": t.cacheWrite},
		"output_tokens_details": map[string]any{"reasoning_tokens": t.reasoning},
	}
}

func (s *Server) responses(w http.ResponseWriter, r *http.Request) {
	p := openAI{}
	c, q := beginJSON[responsesRequest](s, w, r, p)
	if c == nil {
		return
	}
	tool, isTool := q.toolTurn()
	reasoning := reasons(q.Model, q.Reasoning.Effort)
	t := answerTokens(c.hash, reasoning, isTool)
	pieces := chunks(c.hash, s.cfg.Chunks)
	if isTool {
		pieces = argumentPieces()
	}
	text := strings.Join(pieces, "")
	itemID := responseID("msg_", c.id, c.hash)
	var item, itemStart map[string]any
	if isTool {
		itemID = responseID("fc_", c.id, c.hash)
		callID := responseID("call_", c.id, c.hash)
		item = map[string]any{"type": "function_call", "id": itemID, "call_id": callID, "name": tool, "arguments": text, "status": "completed"}
		itemStart = map[string]any{"type": "function_call", "id": itemID, "call_id": callID, "name": tool, "arguments": "", "status": "in_progress"}
	} else {
		part := map[string]any{"type": "output_text", "text": text, "annotations": []any{}, "logprobs": []any{}}
		item = map[string]any{"type": "message", "id": itemID, "status": "completed", "role": "assistant", "content": []any{part}}
		itemStart = map[string]any{"type": "message", "id": itemID, "status": "in_progress", "role": "assistant", "content": []any{}}
	}
	var output []any
	if reasoning {
		output = append(output, map[string]any{"type": "reasoning", "id": responseID("rs_", c.id, c.hash), "summary": []any{}})
	}
	output = append(output, item)
	resp := func(status string, output []any, usage any) map[string]any {
		return map[string]any{
			"id": responseID("resp_", c.id, c.hash), "object": "response", "created_at": unix(), "status": status,
			"model": responseModel(q.Model), "output": output, "usage": usage, "error": nil, "incomplete_details": nil,
			"parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{}, "metadata": map[string]any{},
			"temperature": 1.0, "top_p": 1.0, "service_tier": "default", "text": map[string]any{"format": map[string]any{"type": "text"}},
		}
	}
	if !s.wait(r.Context(), s.firstTokenDelay(c)) {
		return
	}
	if !q.Stream {
		if !s.wait(r.Context(), s.cfg.ChunkInterval*timesOf(len(pieces)-1)) {
			return
		}
		s.writeJSON(c, http.StatusOK, resp("completed", output, responsesUsage(t)))
		return
	}
	e := s.startSSE(c)
	seq := 0
	ev := func(typ string, fields map[string]any) error {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		return e.event(typ, fields)
	}
	if ev("response.created", map[string]any{"response": resp("in_progress", []any{}, nil)}) != nil {
		return
	}
	idx := len(output) - 1
	if reasoning && (ev("response.output_item.added", map[string]any{"output_index": 0, "item": output[0]}) != nil ||
		ev("response.output_item.done", map[string]any{"output_index": 0, "item": output[0]}) != nil) {
		return
	}
	if ev("response.output_item.added", map[string]any{"output_index": idx, "item": itemStart}) != nil {
		return
	}
	if !isTool && ev("response.content_part.added", map[string]any{"item_id": itemID, "output_index": idx, "content_index": 0,
		"part": map[string]any{"type": "output_text", "text": "", "annotations": []any{}, "logprobs": []any{}}}) != nil {
		return
	}
	err := s.streamPieces(c, e, pieces, func(_ int, piece string) error {
		if isTool {
			return ev("response.function_call_arguments.delta", map[string]any{"item_id": itemID, "output_index": idx, "delta": piece})
		}
		return ev("response.output_text.delta", map[string]any{"item_id": itemID, "output_index": idx, "content_index": 0, "delta": piece, "logprobs": []any{}})
	})
	if err != nil {
		return
	}
	if isTool {
		if ev("response.function_call_arguments.done", map[string]any{"item_id": itemID, "output_index": idx, "arguments": text}) != nil {
			return
		}
	} else if ev("response.output_text.done", map[string]any{"item_id": itemID, "output_index": idx, "content_index": 0, "text": text, "logprobs": []any{}}) != nil ||
		ev("response.content_part.done", map[string]any{"item_id": itemID, "output_index": idx, "content_index": 0, "part": item["content"].([]any)[0]}) != nil {
		return
	}
	if ev("response.output_item.done", map[string]any{"output_index": idx, "item": item}) != nil {
		return
	}
	_ = ev("response.completed", map[string]any{"response": resp("completed", output, responsesUsage(t))})
}

type embeddingsRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     int             `json:"dimensions"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	p := openAI{}
	c, q := beginJSON[embeddingsRequest](s, w, r, p)
	if c == nil {
		return
	}
	var inputs []json.RawMessage
	if json.Unmarshal(q.Input, &inputs) != nil || len(inputs) == 0 {
		inputs = []json.RawMessage{q.Input}
	}
	dims := q.Dimensions
	if dims <= 0 || dims > 3072 {
		dims = 8
	}
	var data []any
	var prompt int64
	for i, in := range inputs {
		prompt += 1 + int64(len(in))/4
		vec := make([]float32, dims)
		var norm float64
		for j := range vec {
			v := float64(int64((c.hash>>(j%48))&0xffff)-0x8000) / 0x8000
			vec[j] = float32(v)
			norm += v * v
		}
		for j := range vec {
			vec[j] /= float32(math.Sqrt(norm) + 1e-9)
		}
		var emb any = vec
		if q.EncodingFormat == "base64" {
			b := make([]byte, 4*len(vec))
			for j, v := range vec {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(v))
			}
			emb = base64.StdEncoding.EncodeToString(b)
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": emb})
	}
	if !s.wait(r.Context(), s.firstTokenDelay(c)) {
		return
	}
	s.writeJSON(c, http.StatusOK, map[string]any{
		"object": "list", "data": data, "model": responseModel(q.Model),
		"usage": map[string]any{"prompt_tokens": prompt, "total_tokens": prompt},
	})
}
