package genaitel

import "bytes"

// lexer is an incremental (push) JSON tokenizer: bytes go in through feed in
// pieces of any size, and every scalar value (string, number, literal) whose
// key is one the parser looks for is handed to the parser's emit function
// with the path of containers that leads to it. Containers under any other
// key are skipped wholesale (strings by IndexByte, structure by a byte
// table), without keys or frames. It keeps no copy of the input: memory is
// bounded by maxDepth frames and one short value buffer, whatever the size
// or nesting of the document. Input that is not JSON stops the lexer (bad
// is set) until reset; it never panics.
//
// It does not validate everything a JSON parser would (inside a skipped
// value only strings and brackets are followed, and a trailing comma is
// accepted): it only has to find the fields of valid documents and survive
// invalid ones.
type lexer struct {
	state   lexState
	depth   int // containers open with frames (not those being skipped)
	frames  [maxDepth]frame
	esc     bool // the previous byte in a string was an unpaired backslash
	capture bool // the current scalar is captured in val
	trunc   bool // val lost bytes past its capacity
	bad     bool // the input is not JSON: everything up to reset is ignored
	done    bool // a complete top-level value was read
	skip    int  // depth inside a skipped container
	skipStr bool // inside a string of a skipped container
	keyLen  int
	valLen  int
	direct  []byte // the captured value or key, when it lay whole in one feed
	fresh   bool   // the string being read has not been scanned yet
	key     [maxKey]byte
	val     [maxVal]byte
}

const (
	maxDepth = 12  // containers deeper than this are skipped
	maxKey   = 32  // longer keys are none of those looked for
	maxVal   = 256 // longer values are truncated
)

// frame is one open container: an object with the key being read, or an
// array with the index of the element being read.
type frame struct {
	arr bool
	key fieldKey
	idx int32
}

type lexState uint8

const (
	sValue    lexState = iota // a value is expected (or the end of an empty array)
	sKeyOrEnd                 // after '{': a key or '}'
	sKey                      // inside a key
	sColon                    // after a key
	sAfter                    // after a value: ',' or the container's end
	sString                   // inside a string value
	sScalar                   // inside a number or literal
	sSkip                     // inside a skipped container
)

// reset makes the lexer ready for a new document.
func (l *lexer) reset() {
	l.state, l.depth, l.esc, l.capture, l.trunc, l.bad, l.done = sValue, 0, false, false, false, false, false
	l.skip, l.skipStr, l.keyLen, l.valLen, l.direct = 0, false, 0, 0, nil
}

// top returns the innermost frame, or nil at top level.
func (l *lexer) top() *frame {
	if l.depth < 1 {
		return nil
	}
	return &l.frames[l.depth-1]
}

// interesting reports whether the value starting now is worth looking into:
// the root, an element of an array (arrays are only entered when they
// are), or the value of a key the parser looks for, above maxDepth.
func (l *lexer) interesting() bool {
	f := l.top()
	if f == nil {
		return true
	}
	return l.depth < maxDepth && (f.arr || f.key != keyOther)
}

// structural marks the bytes a skipped container's scan stops at.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// feed lexes p, calling emit for each captured scalar. It returns at once
// when the lexer is bad.
func (l *lexer) feed(p []byte, emit func(l *lexer, str bool)) {
	i := 0
	for i < len(p) && !l.bad {
		switch l.state {
		case sSkip:
			n, closed := l.skipScan(p[i:])
			i += n
			if !closed {
				return
			}
			l.afterValue()
			continue
		case sString, sKey:
			n, closed := l.scanString(p[i:])
			i += n
			if !closed {
				return
			}
			if l.state == sKey {
				if f := l.top(); f != nil {
					if l.direct != nil {
						f.key = lookupKey(l.direct, len(l.direct) <= maxKey)
					} else {
						f.key = lookupKey(l.key[:min(l.keyLen, maxKey)], l.keyLen <= maxKey)
					}
				}
				l.direct = nil
				l.state = sColon
				continue
			}
			if l.capture {
				emit(l, true)
			}
			l.direct = nil
			l.afterValue()
			continue
		case sScalar:
			for i < len(p) && isScalarByte(p[i]) {
				if l.capture {
					l.put(p[i])
				}
				i++
			}
			if i == len(p) {
				return
			}
			if l.capture {
				emit(l, false)
			}
			l.afterValue()
			continue
		}
		c := p[i]
		i++
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
			continue
		}
		switch l.state {
		case sValue:
			l.value1(c)
		case sKeyOrEnd:
			switch c {
			case '"':
				l.keyLen, l.fresh = 0, true
				l.state = sKey
			case '}':
				l.close()
			default:
				l.bad = true
			}
		case sColon:
			if c != ':' {
				l.bad = true
				return
			}
			l.state = sValue
		case sAfter:
			f := l.top()
			switch {
			case f == nil:
				l.bad = true // garbage after the document
			case c == ',':
				if f.arr {
					f.idx++
					l.state = sValue
				} else {
					f.key = keyOther
					l.state = sKeyOrEnd
				}
			case c == '}' || c == ']':
				if f.arr != (c == ']') {
					l.bad = true
					return
				}
				l.close()
			default:
				l.bad = true
			}
		}
	}
}

// value1 starts a value with its first byte c.
func (l *lexer) value1(c byte) {
	if l.done {
		l.bad = true // a second top-level value
		return
	}
	switch {
	case c == '{' || c == '[':
		if !l.interesting() {
			l.state, l.skip, l.skipStr, l.esc = sSkip, 1, false, false
			return
		}
		l.depth++
		l.frames[l.depth-1] = frame{arr: c == '['}
		if c == '{' {
			l.state = sKeyOrEnd
		} else {
			l.state = sValue
		}
	case c == ']':
		if f := l.top(); f != nil && f.arr && f.idx == 0 {
			l.close() // an empty array
		} else {
			l.bad = true
		}
	case c == '"':
		l.startScalar()
		l.fresh = true
		l.state = sString
	case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
		l.startScalar()
		if l.capture {
			l.put(c)
		}
		l.state = sScalar
	default:
		l.bad = true
	}
}

// skipScan consumes a skipped container's bytes up to and including its
// closing bracket, following only strings and bracket depth. It returns
// the bytes consumed and whether the container closed.
func (l *lexer) skipScan(p []byte) (int, bool) {
	i := 0
	for i < len(p) {
		if l.skipStr {
			if l.esc {
				l.esc = false
				i++
				continue
			}
			j := indexQuoteOrBackslash(p[i:])
			if j < 0 {
				return len(p), false
			}
			i += j
			if p[i] == '\\' {
				l.esc = true
			} else {
				l.skipStr = false
			}
			i++
			continue
		}
		for i < len(p) && !structural[p[i]] {
			i++
		}
		if i == len(p) {
			return i, false
		}
		switch p[i] {
		case '"':
			l.skipStr = true
		case '{', '[':
			l.skip++
		default:
			l.skip--
			if l.skip == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return i, false
}

// end tells the lexer the document is complete: a number or literal at
// the very end has no byte after it to close it.
func (l *lexer) end(emit func(l *lexer, str bool)) {
	if l.state == sScalar && !l.bad {
		if l.capture {
			emit(l, false)
		}
		l.afterValue()
	}
}

// scanString consumes string bytes up to and including the closing quote,
// capturing them into key or val as the state asks. It returns the bytes
// consumed and whether the string closed.
func (l *lexer) scanString(p []byte) (int, bool) {
	fresh := l.fresh
	l.fresh = false
	if fresh && (l.state == sKey || l.capture) {
		// The common case: the whole string is in p, without escapes.
		if j := indexQuoteOrBackslash(p); j >= 0 && p[j] == '"' {
			l.direct = p[:j:j]
			if l.state == sString && j > maxVal {
				l.direct, l.trunc = p[:maxVal:maxVal], true
			}
			return j + 1, true
		}
	}
	i := 0
	for i < len(p) {
		if l.esc {
			l.esc = false
			l.putStr(p[i])
			i++
			continue
		}
		// Jump to the next quote or backslash.
		j := indexQuoteOrBackslash(p[i:])
		if j < 0 {
			l.putStrs(p[i:])
			return len(p), false
		}
		l.putStrs(p[i : i+j])
		i += j
		if p[i] == '\\' {
			l.esc = true
			l.putStr('\\')
			i++
			continue
		}
		return i + 1, true // the closing quote
	}
	return i, false
}

// indexQuoteOrBackslash returns the index of the first '"' or '\\' in p, or
// -1. Most strings (keys, ids) are short: a plain loop finds their end
// faster than IndexByte's call; long ones (text) use IndexByte.
func indexQuoteOrBackslash(p []byte) int {
	n := min(len(p), 24)
	for i := 0; i < n; i++ {
		if c := p[i]; c == '"' || c == '\\' {
			return i
		}
	}
	if n == len(p) {
		return -1
	}
	if j := indexQuoteOrBackslashLong(p[n:]); j >= 0 {
		return n + j
	}
	return -1
}

func indexQuoteOrBackslashLong(p []byte) int {
	q := bytes.IndexByte(p, '"')
	if q < 0 {
		return bytes.IndexByte(p, '\\')
	}
	if b := bytes.IndexByte(p[:q], '\\'); b >= 0 {
		return b
	}
	return q
}

func (l *lexer) putStr(c byte) {
	if l.state == sKey {
		if l.keyLen < maxKey {
			l.key[l.keyLen] = c
		}
		l.keyLen++
		return
	}
	if l.capture {
		l.put(c)
	}
}

func (l *lexer) putStrs(p []byte) {
	if len(p) == 0 {
		return
	}
	if l.state == sKey {
		if l.keyLen < maxKey {
			copy(l.key[l.keyLen:], p)
		}
		l.keyLen += len(p)
		return
	}
	if l.capture {
		n := copy(l.val[l.valLen:], p)
		l.valLen += n
		if n < len(p) {
			l.trunc = true
		}
	}
}

func (l *lexer) put(c byte) {
	if l.valLen < maxVal {
		l.val[l.valLen] = c
		l.valLen++
	} else {
		l.trunc = true
	}
}

// startScalar decides whether the scalar starting now is captured: its key
// is one of those the parser looks for.
func (l *lexer) startScalar() {
	f := l.top()
	l.capture = f != nil && !f.arr && f.key != keyOther
	l.valLen, l.trunc = 0, false
}

func (l *lexer) close() {
	if l.depth == 0 {
		l.bad = true
		return
	}
	l.depth--
	l.afterValue()
}

func (l *lexer) afterValue() {
	l.capture = false
	l.state = sAfter
	if l.depth == 0 {
		l.done = true
		l.state = sValue
	}
}

func isScalarByte(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.'
}

// value returns the captured scalar (valid until the next feed).
func (l *lexer) value() []byte {
	if l.direct != nil {
		return l.direct
	}
	return l.val[:l.valLen]
}

// path returns the open frames, outermost first.
func (l *lexer) path() []frame { return l.frames[:l.depth] }

// parseInt reads a non-negative JSON integer, saturating instead of
// overflowing; ok is false for anything else.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<62)/10 {
			n = 1 << 62
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
