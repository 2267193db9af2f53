package middleware

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// delegator stands between a handler and the server's ResponseWriter and
// remembers the status the handler sent. The types that wrap it (rw*)
// expose exactly the optional interfaces (http.Flusher, http.Hijacker,
// io.ReaderFrom) that the server's writer has, so a handler that checks
// for them sees what it would see without the middleware; Unwrap lets
// http.ResponseController reach the server's writer for the rest
// (deadlines, full duplex).
//
// Each wrapper is a struct holding one pointer: storing it in an interface
// does not allocate.
type delegator struct {
	w           http.ResponseWriter
	status      int
	wroteHeader bool // a final status (not 1xx) was sent, explicitly or by Write/Flush
	hijacked    bool
	timedOut    bool // a write failed with http.ErrHandlerTimeout
}

func (d *delegator) Header() http.Header { return d.w.Header() }

func (d *delegator) WriteHeader(code int) {
	// Informational responses (103 Early Hints, ...) may precede the final
	// one; 101 Switching Protocols is final.
	if !d.wroteHeader && !d.hijacked && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		d.status = code
		d.wroteHeader = true
	}
	d.w.WriteHeader(code)
}

func (d *delegator) implicitHeader() {
	if !d.wroteHeader && !d.hijacked {
		d.status = http.StatusOK
		d.wroteHeader = true
	}
}

func (d *delegator) Write(b []byte) (int, error) {
	d.implicitHeader()
	n, err := d.w.Write(b)
	if err == http.ErrHandlerTimeout {
		d.timedOut = true
	}
	return n, err
}

// WriteString keeps io.WriteString free of a []byte copy when the server's
// writer has WriteString (net/http's has).
func (d *delegator) WriteString(s string) (int, error) {
	d.implicitHeader()
	n, err := io.WriteString(d.w, s)
	if err == http.ErrHandlerTimeout {
		d.timedOut = true
	}
	return n, err
}

// Unwrap returns the server's writer, for http.ResponseController.
func (d *delegator) Unwrap() http.ResponseWriter { return d.w }

func (d *delegator) flush() {
	d.implicitHeader()
	d.w.(http.Flusher).Flush()
}

func (d *delegator) flushError() error {
	d.implicitHeader()
	if f, ok := d.w.(interface{ FlushError() error }); ok {
		return f.FlushError()
	}
	d.w.(http.Flusher).Flush()
	return nil
}

func (d *delegator) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := d.w.(http.Hijacker).Hijack()
	if err == nil {
		d.hijacked = true
	}
	return c, rw, err
}

func (d *delegator) readFrom(r io.Reader) (int64, error) {
	d.implicitHeader()
	return d.w.(io.ReaderFrom).ReadFrom(r)
}

// The wrappers: F = http.Flusher, H = http.Hijacker, R = io.ReaderFrom.
type (
	rw    struct{ *delegator }
	rwF   struct{ *delegator }
	rwH   struct{ *delegator }
	rwR   struct{ *delegator }
	rwFH  struct{ *delegator }
	rwFR  struct{ *delegator }
	rwHR  struct{ *delegator }
	rwFHR struct{ *delegator }
)

func (w rwF) Flush()            { w.flush() }
func (w rwF) FlushError() error { return w.flushError() }

func (w rwH) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }

func (w rwR) ReadFrom(r io.Reader) (int64, error) { return w.readFrom(r) }

func (w rwFH) Flush()                                       { w.flush() }
func (w rwFH) FlushError() error                            { return w.flushError() }
func (w rwFH) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }

func (w rwFR) Flush()                              { w.flush() }
func (w rwFR) FlushError() error                   { return w.flushError() }
func (w rwFR) ReadFrom(r io.Reader) (int64, error) { return w.readFrom(r) }

func (w rwHR) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }
func (w rwHR) ReadFrom(r io.Reader) (int64, error)          { return w.readFrom(r) }

func (w rwFHR) Flush()                                       { w.flush() }
func (w rwFHR) FlushError() error                            { return w.flushError() }
func (w rwFHR) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }
func (w rwFHR) ReadFrom(r io.Reader) (int64, error)          { return w.readFrom(r) }

// The optional interfaces of a server's http.ResponseWriter that the
// wrapper keeps, as bits: a wrapper has exactly the ones the writer has
// (promhttp's delegator does the same).
const (
	canFlush    = 1 << iota // http.Flusher
	canHijack               // http.Hijacker
	canReadFrom             // io.ReaderFrom
)

// wrap returns the wrapper with the server writer's optional interfaces.
func (d *delegator) wrap() http.ResponseWriter {
	k := 0
	if _, ok := d.w.(http.Flusher); ok {
		k |= canFlush
	}
	if _, ok := d.w.(http.Hijacker); ok {
		k |= canHijack
	}
	if _, ok := d.w.(io.ReaderFrom); ok {
		k |= canReadFrom
	}
	switch k {
	case canFlush:
		return rwF{d}
	case canHijack:
		return rwH{d}
	case canFlush | canHijack:
		return rwFH{d}
	case canReadFrom:
		return rwR{d}
	case canFlush | canReadFrom:
		return rwFR{d}
	case canHijack | canReadFrom:
		return rwHR{d}
	case canFlush | canHijack | canReadFrom:
		return rwFHR{d}
	}
	return rw{d}
}
