package fakellm

import (
	"encoding/json"
	"net/http"
	"strings"
)

// anthropicAPI writes Anthropic's error bodies.
type anthropicAPI struct{}

func (anthropicAPI) writeError(w http.ResponseWriter, status int, typ, msg string, id uint64) {
	switch {
	case status == http.StatusTooManyRequests:
		typ, msg = "rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute."
	case status >= 500:
		typ, msg = "api_error", "Internal server error"
	}
	rid := responseID("req_", id, 1)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", rid)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}, "request_id": rid})
}

type messagesRequest struct {
	Model     string `json:"model"`
	Stream    bool   `json:"stream"`
	MaxTokens int64  `json:"max_tokens"`
	Thinking  struct {
		Type string `json:"type"`
	} `json:"thinking"`
	Tools []struct {
		Name string `json:"name"`
	} `json:"tools"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

func (q *messagesRequest) toolTurn() (string, bool) {
	if len(q.Tools) == 0 || q.Tools[0].Name == "" {
		return "", false
	}
	for _, m := range q.Messages {
		var blocks []struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(m.Content, &blocks) != nil {
			continue
		}
		for _, b := range blocks {
			if b.Type == "tool_result" {
				return "", false
			}
		}
	}
	return q.Tools[0].Name, true
}

// anthropicUsage is Anthropic's usage block: input_tokens counts only the
// prompt tokens that were neither read from nor written to the cache.
func anthropicUsage(t tokens, output int64) map[string]any {
	return map[string]any{
		"input_tokens":                t.input - t.cached - t.cacheWrite,
		"cache_read_input_tokens":     t.cached,
		"cache_creation_input_tokens": t.cacheWrite,
		"cache_creation":              map[string]any{"ephemeral_5m_input_tokens": t.cacheWrite, "ephemeral_1h_input_tokens": 0},
		"output_tokens":               output,
		"output_tokens_details":       map[string]any{"thinking_tokens": t.reasoning},
		"server_tool_use":             map[string]any{"web_search_requests": 0, "web_fetch_requests": 0},
		"service_tier":                "standard",
	}
}

const thinkingText = "The user wants the quarterly report summarised; the figures first."

func (s *Server) messages(w http.ResponseWriter, r *http.Request) {
	p := anthropicAPI{}
	c, q := beginJSON[messagesRequest](s, w, r, p)
	if c == nil {
		return
	}
	tool, isTool := q.toolTurn()
	reasoning := q.Thinking.Type == "enabled" || q.Thinking.Type == "adaptive"
	t := answerTokens(c.hash, reasoning, isTool)
	pieces := chunks(c.hash, s.cfg.Chunks)
	stop := "end_turn"
	if isTool {
		pieces, stop = argumentPieces(), "tool_use"
	}
	id := responseID("msg_", c.id, c.hash)
	toolID := responseID("toolu_", c.id, c.hash)
	signature := responseID("sig_", c.id, c.hash)
	model := responseModel(q.Model)
	message := func(content []any, stopReason any, usage map[string]any) map[string]any {
		return map[string]any{
			"id": id, "type": "message", "role": "assistant", "model": model, "content": content,
			"stop_reason": stopReason, "stop_sequence": nil, "usage": usage,
		}
	}
	if !s.wait(r.Context(), s.firstTokenDelay(c)) {
		return
	}
	if !q.Stream {
		if !s.wait(r.Context(), s.cfg.ChunkInterval*timesOf(len(pieces)-1)) {
			return
		}
		var content []any
		if reasoning {
			content = append(content, map[string]any{"type": "thinking", "thinking": thinkingText, "signature": signature})
		}
		if isTool {
			content = append(content, map[string]any{"type": "tool_use", "id": toolID, "name": tool, "input": json.RawMessage(toolArguments)})
		} else {
			content = append(content, map[string]any{"type": "text", "text": strings.Join(pieces, ""), "citations": nil})
		}
		s.writeJSON(c, http.StatusOK, message(content, stop, anthropicUsage(t, t.output)))
		return
	}
	e := s.startSSE(c)
	ev := func(typ string, fields map[string]any) error {
		fields["type"] = typ
		return e.event(typ, fields)
	}
	if ev("message_start", map[string]any{"message": message([]any{}, nil, anthropicUsage(t, 1))}) != nil ||
		ev("ping", map[string]any{}) != nil {
		return
	}
	index := 0
	if reasoning {
		if ev("content_block_start", map[string]any{"index": 0, "content_block": map[string]any{"type": "thinking", "thinking": "", "signature": ""}}) != nil ||
			ev("content_block_delta", map[string]any{"index": 0, "delta": map[string]any{"type": "thinking_delta", "thinking": thinkingText}}) != nil ||
			ev("content_block_delta", map[string]any{"index": 0, "delta": map[string]any{"type": "signature_delta", "signature": signature}}) != nil ||
			ev("content_block_stop", map[string]any{"index": 0}) != nil {
			return
		}
		index = 1
	}
	block := map[string]any{"type": "text", "text": ""}
	if isTool {
		block = map[string]any{"type": "tool_use", "id": toolID, "name": tool, "input": map[string]any{}}
	}
	if ev("content_block_start", map[string]any{"index": index, "content_block": block}) != nil {
		return
	}
	err := s.streamPieces(c, e, pieces, func(_ int, piece string) error {
		delta := map[string]any{"type": "text_delta", "text": piece}
		if isTool {
			delta = map[string]any{"type": "input_json_delta", "partial_json": piece}
		}
		return ev("content_block_delta", map[string]any{"index": index, "delta": delta})
	})
	if err != nil {
		return
	}
	usage := anthropicUsage(t, t.output)
	delete(usage, "cache_creation") // message_delta carries the totals, not the split
	delete(usage, "service_tier")
	if ev("content_block_stop", map[string]any{"index": index}) != nil ||
		ev("message_delta", map[string]any{"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": usage}) != nil {
		return
	}
	_ = ev("message_stop", map[string]any{})
}
