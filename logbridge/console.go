package logbridge

import (
	"bytes"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"
)

// console writes records in the format of slog's JSONHandler or
// TextHandler under the same slog.HandlerOptions (AddSource, ReplaceAttr),
// with trace_id and span_id added at the top level, last, straight from
// the span context: no record copy and no allocation on the common path.
// Each record is one Write, serialised by a mutex shared by every console
// derived from the same one.
//
// It differs from slog's handlers where they write a broken line: an
// attribute group whose attributes are all empty (or all dropped by
// ReplaceAttr) is left out without leaving a missing separator, a stale
// key prefix or a stale group name for ReplaceAttr behind, and a time
// whose year has not four digits is written as an error string alone.
type console struct {
	json      bool
	addSource bool
	replace   func(groups []string, a slog.Attr) slog.Attr
	mu        *sync.Mutex
	w         io.Writer
	pre       []byte   // attributes from WithAttrs, encoded
	prefix    string   // text: the key prefix of the groups opened in pre
	groups    []string // every group opened by WithGroup, outermost first
	nOpen     int      // how many of groups pre opened (JSON: still open)
}

// newConsole returns a console writing to w; opts may be nil. Its Level
// is the Handler's business.
func newConsole(w io.Writer, json bool, opts *slog.HandlerOptions) *console {
	c := &console{json: json, mu: new(sync.Mutex), w: w}
	if opts != nil {
		c.addSource, c.replace = opts.AddSource, opts.ReplaceAttr
	}
	return c
}

func (c *console) clone() *console {
	c2 := *c
	c2.pre = slices.Clip(c.pre)
	c2.groups = slices.Clip(c.groups)
	return &c2
}

func (c *console) withGroup(name string) *console {
	c2 := c.clone()
	c2.groups = append(c2.groups, name)
	return c2
}

// withAttrs encodes as once, inside the groups opened so far.
func (c *console) withAttrs(as []slog.Attr) *console {
	e := encoder{json: c.json, buf: slices.Clip(c.pre), prefix: []byte(c.prefix), replace: c.replace, track: c.replace != nil}
	e.sep = len(e.buf) > 0 // pre ends with an attribute: it is kept only if one was written
	if e.track {
		e.groups = slices.Clone(c.groups[:c.nOpen])
	}
	for _, g := range c.groups[c.nOpen:] {
		e.openGroup(g)
	}
	if !e.attrs(as) {
		return c
	}
	c2 := c.clone()
	c2.pre, c2.prefix, c2.nOpen = e.buf, string(e.prefix), len(c.groups)
	return c2
}

var encoders = sync.Pool{New: func() any { return &encoder{buf: make([]byte, 0, 1024)} }}

// maxPooled is the largest buffer put back in the pool: a rare huge line
// does not stay in memory.
const maxPooled = 16 << 10

// handle writes r, followed by sc's ids when sc is valid. Without
// AddSource and ReplaceAttr the built-in attributes and the ids are
// written here, straight, which is most of the cost of a line.
func (c *console) handle(r slog.Record, sc trace.SpanContext) error {
	e := encoders.Get().(*encoder)
	e.reset(c)
	if c.json {
		e.buf = append(e.buf, '{')
	}
	if c.replace != nil || c.addSource {
		c.builtIns(e, &r)
	} else {
		if !r.Time.IsZero() {
			e.key(slog.TimeKey)
			e.time(r.Time.Round(0))
		}
		e.key(slog.LevelKey)
		e.string(r.Level.String())
		e.key(slog.MessageKey)
		e.string(r.Message)
	}
	open := c.attrs(e, &r)
	if c.json {
		for range open {
			e.buf = append(e.buf, '}')
		}
	}
	switch {
	case !sc.IsValid():
	case c.replace != nil:
		c.replacedIDs(e, sc)
	default:
		e.prefix = e.prefix[:0]
		tid, sid := sc.TraceID(), sc.SpanID()
		e.key(TraceIDKey)
		e.hex(tid[:])
		e.key(SpanIDKey)
		e.hex(sid[:])
	}
	if c.json {
		e.buf = append(e.buf, '}')
	}
	e.buf = append(e.buf, '\n')

	err := c.write(e.buf)
	if cap(e.buf) <= maxPooled {
		encoders.Put(e)
	}
	return err
}

// builtIns appends time, level, source and message, outside every group,
// as slog's handlers do under AddSource or ReplaceAttr: through
// ReplaceAttr when there is one.
func (c *console) builtIns(e *encoder, r *slog.Record) {
	if c.replace == nil {
		if !r.Time.IsZero() {
			e.key(slog.TimeKey)
			e.time(r.Time.Round(0))
		}
		e.key(slog.LevelKey)
		e.string(r.Level.String())
		c.source(e, r)
		e.key(slog.MessageKey)
		e.string(r.Message)
		return
	}
	if !r.Time.IsZero() {
		e.attr(slog.Time(slog.TimeKey, r.Time.Round(0)))
	}
	e.attr(slog.Any(slog.LevelKey, r.Level))
	c.source(e, r)
	e.attr(slog.String(slog.MessageKey, r.Message))
}

// source appends the source attribute when AddSource asks for it (none
// for a record without a PC).
func (c *console) source(e *encoder, r *slog.Record) {
	if !c.addSource {
		return
	}
	src := r.Source()
	if src == nil {
		src = &slog.Source{}
	}
	e.attr(slog.Any(slog.SourceKey, src))
}

// attrs appends the attributes of WithAttrs and of r, inside the groups
// of WithGroup, and returns how many JSON objects it left open.
func (c *console) attrs(e *encoder, r *slog.Record) (open int) {
	if len(c.pre) > 0 {
		e.separate()
		e.buf = append(e.buf, c.pre...)
		e.sep = true
	}
	if r.NumAttrs() == 0 {
		return c.nOpen
	}
	e.prefix = append(e.prefix, c.prefix...)
	if c.replace != nil {
		e.groups, e.track = append(e.groups, c.groups[:c.nOpen]...), true
	}
	pos, sep := len(e.buf), e.sep
	for _, g := range c.groups[c.nOpen:] {
		e.openGroup(g)
	}
	written := false
	r.Attrs(func(a slog.Attr) bool {
		written = e.attr(a) || written
		return true
	})
	if !written {
		e.buf, e.sep = e.buf[:pos], sep
		return c.nOpen
	}
	return len(c.groups)
}

// replacedIDs appends trace_id and span_id through ReplaceAttr, which
// sees them as top-level attributes (no groups).
func (c *console) replacedIDs(e *encoder, sc trace.SpanContext) {
	e.prefix, e.groups, e.track = e.prefix[:0], e.groups[:0], false
	e.attr(slog.String(TraceIDKey, sc.TraceID().String()))
	e.attr(slog.String(SpanIDKey, sc.SpanID().String()))
}

// write writes one line; a writer that panics does not leave the mutex
// locked.
func (c *console) write(line []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.w.Write(line)
	return err
}

// encoder appends one line (or the attributes of WithAttrs) to buf.
type encoder struct {
	buf     []byte
	prefix  []byte // text: the names of the open groups, each followed by '.'
	json    bool
	sep     bool // a separator goes before the next key
	replace func([]string, slog.Attr) slog.Attr
	groups  []string // with replace: the open groups, for it to see
	// track says whether groups follows the groups opened: not for the
	// built-in attributes, whose source group slog's handlers do not
	// show to ReplaceAttr either.
	track bool
}

// reset makes a pooled encoder ready for a line of c.
func (e *encoder) reset(c *console) {
	e.buf, e.prefix, e.groups = e.buf[:0], e.prefix[:0], e.groups[:0]
	e.json, e.sep, e.replace, e.track = c.json, false, c.replace, false
}

func (e *encoder) separate() {
	if !e.sep {
		return
	}
	if e.json {
		e.buf = append(e.buf, ',')
	} else {
		e.buf = append(e.buf, ' ')
	}
}

func (e *encoder) key(k string) {
	e.separate()
	switch {
	case len(e.prefix) == 0:
		e.string(k)
	case e.json:
		// JSON nests groups as objects; the prefix is text's.
		e.string(k)
	case !needsQuoting(string(e.prefix)) && !needsQuoting(k):
		e.buf = append(append(e.buf, e.prefix...), k...)
	default:
		e.buf = strconv.AppendQuote(e.buf, string(e.prefix)+k)
	}
	if e.json {
		e.buf = append(e.buf, ':')
	} else {
		e.buf = append(e.buf, '=')
	}
	e.sep = true
}

func (e *encoder) openGroup(name string) {
	e.pushGroup(name)
	if e.json {
		e.key(name)
		e.buf = append(e.buf, '{')
		e.sep = false
		return
	}
	e.prefix = append(append(e.prefix, name...), '.')
}

// pushGroup records an open group for ReplaceAttr.
func (e *encoder) pushGroup(name string) {
	if e.track {
		e.groups = append(e.groups, name)
	}
}

func (e *encoder) closeGroup(name string) {
	if e.track {
		e.groups = e.groups[:len(e.groups)-1]
	}
	if e.json {
		e.buf = append(e.buf, '}')
	} else {
		e.prefix = e.prefix[:len(e.prefix)-len(name)-1]
	}
	e.sep = true
}

// attrs appends as and reports whether it wrote anything.
func (e *encoder) attrs(as []slog.Attr) bool {
	written := false
	for _, a := range as {
		written = e.attr(a) || written
	}
	return written
}

// attr appends a, as slog's handlers do, and reports whether it wrote
// anything: empty attributes and groups are left out. ReplaceAttr,
// if any, sees every attribute that is not a group, resolved.
func (e *encoder) attr(a slog.Attr) bool {
	v := a.Value.Resolve()
	if e.replace != nil && v.Kind() != slog.KindGroup {
		a = e.replace(e.groups, slog.Attr{Key: a.Key, Value: v})
		v = a.Value.Resolve()
	}
	if v.Kind() == slog.KindAny {
		var ok bool
		if v, ok = e.written(a.Key, v); !ok {
			return false
		}
	}
	if v.Kind() != slog.KindGroup {
		e.key(a.Key)
		e.value(v)
		return true
	}
	as := v.Group()
	if len(as) == 0 {
		// Nothing to write, yet it counts as written, as in slog's
		// handlers: the groups around it stay (JSON "w":{}). Only
		// WithAttrs and ReplaceAttr can pass an empty group here; a
		// record's AddAttrs leaves them out.
		return true
	}
	if a.Key == "" { // inlined
		return e.attrs(as)
	}
	pos, sep, plen, glen := len(e.buf), e.sep, len(e.prefix), len(e.groups)
	e.openGroup(a.Key)
	if !e.attrs(as) {
		e.buf, e.sep, e.prefix, e.groups = e.buf[:pos], sep, e.prefix[:plen], e.groups[:glen]
		return false
	}
	e.closeGroup(a.Key)
	return true
}

// written returns the value that a line shows for the attribute of key
// and resolved value v of kind Any, or false when it is left out: the empty attribute and the empty source are;
// a source is a group in JSON and file:line in text.
func (e *encoder) written(key string, v slog.Value) (slog.Value, bool) {
	switch x := v.Any().(type) {
	case nil:
		return v, key != ""
	case *slog.Source:
		if x == nil || *x == (slog.Source{}) {
			return v, false
		}
		if e.json {
			return sourceGroup(x), true
		}
		return slog.StringValue(x.File + ":" + strconv.Itoa(x.Line)), true
	}
	return v, true
}

func sourceGroup(s *slog.Source) slog.Value {
	var as []slog.Attr
	if s.Function != "" {
		as = append(as, slog.String("function", s.Function))
	}
	if s.File != "" {
		as = append(as, slog.String("file", s.File))
	}
	if s.Line != 0 {
		as = append(as, slog.Int("line", s.Line))
	}
	return slog.GroupValue(as...)
}

func (e *encoder) value(v slog.Value) {
	switch v.Kind() {
	case slog.KindString:
		e.string(v.String())
	case slog.KindInt64:
		e.buf = strconv.AppendInt(e.buf, v.Int64(), 10)
	case slog.KindUint64:
		e.buf = strconv.AppendUint(e.buf, v.Uint64(), 10)
	case slog.KindFloat64:
		e.float(v.Float64())
	case slog.KindBool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case slog.KindDuration:
		if e.json {
			e.buf = strconv.AppendInt(e.buf, int64(v.Duration()), 10)
		} else {
			e.buf = append(e.buf, v.Duration().String()...)
		}
	case slog.KindTime:
		e.time(v.Time())
	default:
		e.any(v.Any())
	}
}

// any appends a value of kind Any: in JSON, an error's message or what
// encoding/json makes of it; in text, a TextMarshaler's text, a quoted
// byte slice or %+v. A method that panics (a nil pointer that does not
// guard against it, most often) gives "<nil>" or the panic's message: the
// caller never sees the panic.
func (e *encoder) any(x any) {
	pos, sep := len(e.buf), e.sep
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		e.buf, e.sep = e.buf[:pos], sep
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			e.string("<nil>")
			return
		}
		e.string(fmt.Sprintf("!PANIC: %v", p))
	}()
	if e.json {
		_, jm := x.(json.Marshaler)
		if err, ok := x.(error); ok && !jm {
			e.string(err.Error())
			return
		}
		e.marshal(x)
		return
	}
	if tm, ok := x.(encoding.TextMarshaler); ok {
		b, err := tm.MarshalText()
		if err != nil {
			e.string("!ERROR:" + err.Error())
			return
		}
		e.string(string(b))
		return
	}
	if b, ok := byteSlice(x); ok {
		e.buf = strconv.AppendQuote(e.buf, string(b))
		return
	}
	e.string(fmt.Sprintf("%+v", x))
}

// byteSlice returns x as a []byte if its type is a slice of bytes.
func byteSlice(x any) ([]byte, bool) {
	if b, ok := x.([]byte); ok {
		return b, true
	}
	if t := reflect.TypeOf(x); t != nil && t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return reflect.ValueOf(x).Bytes(), true
	}
	return nil, false
}

// jsonEncoder marshals Any values without escaping HTML, as slog does.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonEncoders = sync.Pool{New: func() any {
	j := new(jsonEncoder)
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}}

func (e *encoder) marshal(x any) {
	j := jsonEncoders.Get().(*jsonEncoder)
	if err := j.enc.Encode(x); err != nil {
		e.string("!ERROR:" + err.Error())
	} else {
		b := j.buf.Bytes()
		e.buf = append(e.buf, b[:len(b)-1]...) // less the newline
	}
	if j.buf.Cap() <= maxPooled {
		j.buf.Reset()
		jsonEncoders.Put(j)
	}
}

// float appends f as encoding/json does (JSON) or as slog's Value does
// (text).
func (e *encoder) float(f float64) {
	if !e.json {
		e.buf = strconv.AppendFloat(e.buf, f, 'g', -1, 64)
		return
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.marshal(f) // encoding/json's own error
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json writes it.
		if n := len(e.buf); n >= 4 && e.buf[n-4] == 'e' && e.buf[n-3] == '-' && e.buf[n-2] == '0' {
			e.buf[n-2] = e.buf[n-1]
			e.buf = e.buf[:n-1]
		}
	}
}

// time appends t: RFC 3339 with nanoseconds in JSON, milliseconds in text.
func (e *encoder) time(t time.Time) {
	if !e.json {
		// RFC3339Nano trims trailing zeros: add a tenth of a millisecond
		// to get four digits after the point, then drop the fourth.
		const head = len("2006-01-02T15:04:05.000")
		n := len(e.buf)
		e.buf = t.Truncate(time.Millisecond).Add(time.Millisecond/10).AppendFormat(e.buf, time.RFC3339Nano)
		if len(e.buf) > n+head {
			e.buf = append(e.buf[:n+head], e.buf[n+head+1:]...)
		}
		return
	}
	if y := t.Year(); y < 0 || y >= 10000 {
		e.string("!ERROR:time.Time year outside of range [0,9999]")
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = t.AppendFormat(e.buf, time.RFC3339Nano)
	e.buf = append(e.buf, '"')
}

// hex appends b in lower-case hex, quoted in JSON.
func (e *encoder) hex(b []byte) {
	if e.json {
		e.buf = append(e.buf, '"')
	}
	n := len(e.buf)
	e.buf = append(e.buf, make([]byte, 2*len(b))...)
	hex.Encode(e.buf[n:], b)
	if e.json {
		e.buf = append(e.buf, '"')
	}
}

// string appends s: escaped and quoted in JSON, quoted only when needed
// in text.
func (e *encoder) string(s string) {
	if !e.json {
		if needsQuoting(s) {
			e.buf = strconv.AppendQuote(e.buf, s)
		} else {
			e.buf = append(e.buf, s...)
		}
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = appendJSONString(e.buf, s)
	e.buf = append(e.buf, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s escaped as encoding/json does with HTML
// escaping off: quote, backslash and control bytes escaped, invalid UTF-8
// replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			buf = append(append(buf, s[start:i]...), `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			buf = append(append(buf, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(buf, s[start:]...)
}

// needsQuoting reports whether text must quote s: it is empty, or holds a
// space, '=', a quote, a control byte, invalid UTF-8 or a rune that is a
// space or not printable.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b <= ' ' || b == '=' || b == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
