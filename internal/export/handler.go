package export

import (
	"fmt"
	"sync"
	"time"
)

// Handler passes background errors to a sink, at most one per interval;
// the errors it holds back are counted and the count is reported with the
// next one that passes. It is safe for concurrent use.
type Handler struct {
	interval time.Duration
	now      func() time.Time
	redact   *Redactor

	mu         sync.Mutex
	sink       func(error)
	last       time.Time
	suppressed int
}

// NewHandler returns a Handler. A nil sink drops every error. Errors are
// passed through r (may be nil) so that no credential reaches the sink.
func NewHandler(sink func(error), interval time.Duration, r *Redactor) *Handler {
	return &Handler{sink: sink, interval: interval, now: time.Now, redact: r}
}

// SetSink replaces the sink; the rate limit goes on where it was. A nil
// sink drops every error.
func (h *Handler) SetSink(sink func(error)) {
	h.mu.Lock()
	h.sink = sink
	h.mu.Unlock()
}

// Handle reports err, or counts it if one was reported less than the
// interval ago.
func (h *Handler) Handle(err error) {
	if h == nil || err == nil {
		return
	}
	h.mu.Lock()
	sink := h.sink
	if sink == nil {
		h.mu.Unlock()
		return
	}
	now := h.now()
	if !h.last.IsZero() && now.Sub(h.last) < h.interval {
		h.suppressed++
		h.mu.Unlock()
		return
	}
	n := h.suppressed
	h.suppressed = 0
	h.last = now
	h.mu.Unlock()
	err = h.redact.Redact(err)
	if n > 0 {
		err = fmt.Errorf("%w (and %d more error(s) in the last %s)", err, n, h.interval)
	}
	safeCall(sink, err)
}

// safeCall keeps a panicking user sink from taking down an export goroutine.
func safeCall(sink func(error), err error) {
	defer func() { _ = recover() }()
	sink(err)
}
