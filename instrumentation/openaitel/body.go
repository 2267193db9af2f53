package openaitel

import (
	"io"
	"net/http"
	"sync"
	"unsafe"
)

// requestBody returns the bytes of req's body without consuming it or
// copying it, and the address of its first byte, which is the same for
// every attempt of one logical call.
//
// openai-go serialises the body once per call and gives each attempt (a
// clone of one request) a GetBody that reads that one buffer:
// io.NopCloser(bytes.NewReader(b)). bytes.Reader's WriteTo hands b itself
// to the writer, in one Write, so the body is read without a copy, and
// &b[0] identifies the call across its retries (and differs between
// concurrent calls, even with the same body: each has its own buffer).
// Any other body (no GetBody, a reader that is not an io.WriterTo, or one
// that writes in pieces) is not read: the call is then recorded without
// its request parameters, as its own call.
func requestBody(req *http.Request) (body []byte, id *byte) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody == nil {
		return nil, nil
	}
	rc, err := req.GetBody()
	if err != nil || rc == nil {
		return nil, nil
	}
	defer rc.Close()
	wt, ok := rc.(io.WriterTo)
	if !ok {
		return nil, nil
	}
	c := capturePool.Get().(*capture)
	_, err = wt.WriteTo(c)
	b, n := c.b, c.n
	*c = capture{}
	capturePool.Put(c)
	if err != nil || n != 1 || len(b) == 0 {
		return nil, nil
	}
	return b, unsafe.SliceData(b)
}

var capturePool = sync.Pool{New: func() any { return new(capture) }}

// capture keeps the slice its one Write gets.
type capture struct {
	b []byte
	n int
}

func (c *capture) Write(p []byte) (int, error) {
	c.n++
	// Kept past the call, which io.Writer asks writers not to do: that
	// rule protects buffers the caller reuses, and bytes.Reader hands over
	// the client's serialised body, which nothing writes to again.
	c.b = p
	return len(p), nil
}
