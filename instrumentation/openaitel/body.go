package openaitel

import (
	"bytes"
	"io"
	"net/http"
	"unsafe"
)

// requestBody returns the bytes of req's body without consuming it, and
// an identity that is the same for every attempt of one logical call.
//
// openai-go serialises the body once per call and gives each attempt (a
// clone of one request) a GetBody that reads that one buffer:
// io.NopCloser(bytes.NewReader(b)). bytes.Reader's WriteTo hands b itself
// to the writer, so the body is read without a copy and &b[0] identifies
// the call across its retries (and differs between concurrent calls, even
// with the same body). A body without GetBody, or whose reader is not an
// io.WriterTo, is copied; its identity is then the request itself (such a
// request is not retried by the client).
func requestBody(req *http.Request) (body []byte, id any) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, req
	}
	if req.GetBody == nil {
		return nil, req
	}
	rc, err := req.GetBody()
	if err != nil || rc == nil {
		return nil, req
	}
	defer rc.Close()
	if wt, ok := rc.(io.WriterTo); ok {
		var c capture
		if _, err := wt.WriteTo(&c); err == nil && c.n == 1 && len(c.b) > 0 {
			return c.b, unsafe.SliceData(c.b)
		}
		if c.n > 1 {
			return c.joined.Bytes(), req
		}
		return nil, req
	}
	var buf bytes.Buffer
	if req.ContentLength > 0 && req.ContentLength < maxRequestBody {
		buf.Grow(int(req.ContentLength))
	}
	if _, err := io.Copy(&buf, io.LimitReader(rc, maxRequestBody)); err != nil {
		return nil, req
	}
	return buf.Bytes(), req
}

// maxRequestBody bounds the copy of a request body that has to be copied
// to be read.
const maxRequestBody = 8 << 20

// capture keeps the slice of the first Write (WriteTo's one call); later
// writes, from a reader that writes in pieces, are joined.
type capture struct {
	b      []byte
	n      int
	joined bytes.Buffer
}

func (c *capture) Write(p []byte) (int, error) {
	c.n++
	switch c.n {
	case 1:
		// Kept past the call, which io.Writer asks writers not to do: that
		// rule protects buffers the caller reuses, and bytes.Reader hands
		// over the client's serialised body, which nothing writes to again.
		c.b = p
	case 2:
		c.joined.Write(c.b)
		fallthrough
	default:
		if c.joined.Len()+len(p) > maxRequestBody {
			return 0, io.ErrShortWrite
		}
		c.joined.Write(p)
	}
	return len(p), nil
}
