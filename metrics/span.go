package metrics

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// spanState is what an AI call (Call) and a tool call (ToolCall) share:
// their span, its context and start, the text content capture keeps until
// the end (the completion, the tool's result), and the end that happens
// once.
type spanState struct {
	ai    *AI
	ctx   context.Context
	span  trace.Span
	start time.Time

	mu      sync.Mutex
	content string
	ended   bool
}

// spanOf returns s's span, a no-op one for a nil s.
func (s *spanState) spanOf() trace.Span {
	if s == nil {
		return trace.SpanFromContext(context.Background())
	}
	return s.span
}

// setContent keeps text for the end, only with content capture; a nil s
// does nothing.
func (s *spanState) setContent(text string) {
	if s == nil || !s.ai.cfg.contentCapture {
		return
	}
	s.mu.Lock()
	s.content = text
	s.mu.Unlock()
}

// lockEnd locks s and marks it ended. It reports false, s unlocked, when
// s is nil or already ended; on true the caller reads what it needs and
// unlocks.
func (s *spanState) lockEnd() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return false
	}
	s.ended = true
	return true
}
