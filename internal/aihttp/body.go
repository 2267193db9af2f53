package aihttp

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// The body wrappers pass every Read and Close through unchanged (same
// bytes, same counts, same errors, in the caller's goroutine, without
// waiting for anything but the wrapped body) and watch the bytes go by.
// Each has a mutex that orders its watching against Close and the end of
// the request's context, which may come from other goroutines; it is
// never held while the wrapped body is read or closed.

// clampN returns the part of p a Read filled, whatever n says.
func clampN(p []byte, n int) []byte {
	if n <= 0 {
		return nil
	}
	if n > len(p) {
		n = len(p)
	}
	return p[:n]
}

// errorBody watches an error response (status >= 400) for the provider's
// error type.
type errorBody struct {
	rc    io.ReadCloser
	c     *call
	h     *Handler
	f     failure
	retry bool // the call waits for a retry
	max   int

	mu      sync.Mutex
	buf     []byte
	settled bool
}

// Read passes the wrapped body's Read through and watches its bytes.
func (b *errorBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	if !b.settled {
		if got := clampN(p, n); len(got) > 0 && len(b.buf) < b.max {
			if room := b.max - len(b.buf); len(got) > room {
				got = got[:room]
			}
			b.buf = append(b.buf, got...)
		}
		if err != nil {
			b.settleLocked(errors.Is(err, io.EOF))
		}
	}
	b.mu.Unlock()
	return n, err
}

// Close closes the wrapped body, returning its error, and ends the watch.
func (b *errorBody) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	if !b.settled {
		b.settleLocked(false)
	}
	b.mu.Unlock()
	return err
}

// settleLocked records the attempt's failure, with the provider's error
// type when the whole body was read.
func (b *errorBody) settleLocked(eof bool) {
	b.settled = true
	f := b.f
	if eof && b.h.ErrorType != nil {
		f.errType = ErrorType(f.status, safeErrorType(b.h.ErrorType, f.status, b.buf), nil)
	}
	b.buf = nil
	b.c.fail(f)
	if !b.retry {
		b.c.finishFailure(f)
	}
}

func safeErrorType(fn func(int, []byte) string, status int, body []byte) (t string) {
	defer func() {
		if recover() != nil {
			t = ""
		}
	}()
	return fn(status, body)
}

// bodyPool recycles the copies of non-streaming bodies.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooled is the largest buffer returned to the pool.
const maxPooled = 1 << 20

// jsonBody copies a non-streaming body (up to max) as the caller reads it
// and parses it at its end.
type jsonBody struct {
	rc   io.ReadCloser
	a    *Attempt
	h    *Handler
	max  int
	stop func() bool

	mu   sync.Mutex
	buf  *[]byte
	over bool
	done bool
}

// Read passes the wrapped body's Read through and watches its bytes.
func (b *jsonBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	if !b.done {
		if got := clampN(p, n); len(got) > 0 && !b.over {
			if b.buf == nil {
				b.buf = bodyPool.Get().(*[]byte)
			}
			if len(*b.buf)+len(got) > b.max {
				b.over = true
				b.releaseLocked()
			} else {
				*b.buf = append(*b.buf, got...)
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			b.endLocked()
		case err != nil:
			b.failLocked(err)
		}
	}
	b.mu.Unlock()
	return n, err
}

// Close closes the wrapped body, returning its error, and ends the watch.
func (b *jsonBody) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	if !b.done {
		b.endLocked()
	}
	b.mu.Unlock()
	return err
}

func (b *jsonBody) contextDone() {
	b.mu.Lock()
	if !b.done {
		b.failLocked(context.Cause(b.a.ctx))
	}
	b.mu.Unlock()
}

func (b *jsonBody) releaseLocked() {
	if b.buf != nil {
		if cap(*b.buf) <= maxPooled {
			*b.buf = (*b.buf)[:0]
			bodyPool.Put(b.buf)
		}
		b.buf = nil
	}
}

// endLocked records the call from the body read so far.
func (b *jsonBody) endLocked() {
	b.done = true
	b.stop()
	c := b.a.c
	r := &c.resp
	if b.over {
		c.mu.Lock()
		c.oversize = true
		c.mu.Unlock()
	} else if b.buf != nil && b.h.JSON != nil {
		if !safeJSON(b.h.JSON, *b.buf, r) {
			r.HasUsage = false
		}
	}
	b.releaseLocked()
	c.finish(c.successResult(r, time.Time{}), "") // ends now
}

// failLocked records a body that broke: a failed attempt, which the
// client may retry (anthropic-sdk-go does).
func (b *jsonBody) failLocked(err error) {
	b.done = true
	b.stop()
	b.releaseLocked()
	a, c := b.a, b.a.c
	f := failure{n: a.n, end: time.Now(), errType: ErrorType(0, "", err), err: err}
	c.fail(f)
	budget := a.n < c.t.cfg.MaxRetries && !c.t.cfg.BodyErrorsFinal
	if !(budget && a.ctx.Err() == nil && c.wait(a.ctx, c.t.retryDelay(nil, a.n))) {
		c.finishFailure(f)
	}
}

func safeJSON(fn func([]byte, *Response) bool, body []byte, r *Response) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fn(body, r)
}

// streamBody splits a text/event-stream body into events as the caller
// reads it and records the call when the stream ends.
type streamBody struct {
	rc    io.ReadCloser
	a     *Attempt
	h     *Handler
	split *Splitter
	stop  func() bool

	mu        sync.Mutex
	done      bool
	lastModel string
}

// Read passes the wrapped body's Read through and watches its bytes.
func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	if !b.done {
		if got := clampN(p, n); len(got) > 0 {
			b.split.Write(got)
		}
		switch {
		case errors.Is(err, io.EOF):
			if b.h != nil && b.h.PartialLastEvent {
				b.split.Close()
			} else {
				b.split.Drop()
			}
			b.endLocked(ailabels.StreamEndEOF, nil)
		case err != nil:
			b.endLocked(ailabels.StreamEndError, err)
		}
	}
	b.mu.Unlock()
	return n, err
}

// Close closes the wrapped body, returning its error, and ends the watch.
func (b *streamBody) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	if !b.done {
		b.endLocked(ailabels.StreamEndClose, nil)
	}
	b.mu.Unlock()
	return err
}

func (b *streamBody) contextDone() {
	b.mu.Lock()
	if !b.done {
		b.endLocked(ailabels.StreamEndContext, context.Cause(b.a.ctx))
	}
	b.mu.Unlock()
}

// event is the Splitter's sink: one event of the stream (b.mu is held).
func (b *streamBody) event(name, data, _ []byte, oversize bool) {
	c := b.a.c
	r := &c.resp
	chunk := true
	if oversize {
		c.mu.Lock()
		c.oversize = true
		c.mu.Unlock()
	} else if b.h.Event != nil {
		chunk = safeEvent(b.h.Event, name, data, r)
	}
	if r.Model != b.lastModel {
		b.lastModel = r.Model
		c.mc.SetResponseModel(c.usableModel(r.Model))
	}
	if chunk {
		c.mc.Chunk(time.Time{}) // now, if the clock is needed
	}
}

func safeEvent(fn func(name, data []byte, r *Response) bool, name, data []byte, r *Response) (chunk bool) {
	defer func() {
		if recover() != nil {
			chunk = false
		}
	}()
	return fn(name, data, r)
}

// endLocked records the call as the stream ended: how (ailabels.StreamEnd*)
// and with which error.
func (b *streamBody) endLocked(how string, err error) {
	b.done = true
	b.stop()
	c := b.a.c
	r := &c.resp
	res := c.successResult(r, time.Time{}) // ends now
	switch how {
	case ailabels.StreamEndEOF:
	case ailabels.StreamEndClose:
		if !r.Done && res.ErrorType == "" {
			res.ErrorType = ailabels.ErrorTypeCanceled
		}
	default: // a read error, the context's end
		if !r.Done {
			res.Err = err
			if res.ErrorType == "" {
				res.ErrorType = ErrorType(0, "", err)
			}
			if res.ErrorType == "" {
				res.ErrorType = ailabels.ErrorTypeOther
			}
		}
	}
	if res.ErrorType != "" && len(res.FinishReasons) == 0 {
		res.FinishReasons = []string{ailabels.FinishReasonError}
	}
	c.finish(res, how)
}
