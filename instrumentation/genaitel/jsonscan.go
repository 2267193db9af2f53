package genaitel

import "bytes"

// lexer is an incremental (push) JSON tokenizer: bytes go in through feed in
// pieces of any size, and every scalar value (string, number, literal) whose
// key is one the parser looks for is handed to the parser's scalar method
// with the path of containers that leads to it. It keeps no copy of the
// input: memory is bounded by maxDepth frames and one short value buffer,
// whatever the size of the document. Input that is not JSON stops the lexer
// (bad is set) until reset; it never panics.
//
// It does not validate everything a JSON parser would (a missing comma
// between two values is accepted): it only has to find the fields of valid
// documents and survive invalid ones.
type lexer struct {
	state   lexState
	depth   int // containers open, including those deeper than maxDepth
	frames  [maxDepth]frame
	deepArr uint64 // bit d: the container at depth maxDepth+1+d is an array
	esc     bool   // the previous byte in a string was an unpaired backslash
	capture bool   // the current scalar is captured in val
	trunc   bool   // val lost bytes past its capacity
	bad     bool   // the input is not JSON: everything up to reset is ignored
	done    bool   // a complete top-level value was read
	keyLen  int
	valLen  int
	key     [maxKey]byte
	val     [maxVal]byte
}

const (
	maxDepth = 12  // deeper containers are skipped without their keys
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
)

// reset makes the lexer ready for a new document.
func (l *lexer) reset() {
	l.deepArr = 0
	l.state, l.depth, l.esc, l.capture, l.trunc, l.bad, l.done = sValue, 0, false, false, false, false, false
	l.keyLen, l.valLen = 0, 0
}

// top returns the innermost frame, or nil beyond maxDepth or at top level.
func (l *lexer) top() *frame {
	if l.depth < 1 || l.depth > maxDepth {
		return nil
	}
	return &l.frames[l.depth-1]
}

// interesting reports whether the scalar starting now is worth capturing:
// its key is one of those the parser looks for.
func (l *lexer) interesting() bool {
	f := l.top()
	return f != nil && !f.arr && f.key != keyOther
}

// feed lexes p, calling emit for each captured scalar. It returns at once
// when the lexer is bad or done.
func (l *lexer) feed(p []byte, emit func(l *lexer, str bool)) {
	i := 0
	for i < len(p) && !l.bad {
		switch l.state {
		case sString, sKey:
			n, closed := l.scanString(p[i:])
			i += n
			if !closed {
				return
			}
			if l.state == sKey {
				f := l.top()
				if f != nil {
					f.key = lookupKey(l.key[:min(l.keyLen, maxKey)], l.keyLen <= maxKey)
				}
				l.state = sColon
				continue
			}
			if l.capture {
				emit(l, true)
			}
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
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
			i++
			continue
		}
		i++
		switch l.state {
		case sValue:
			if l.done {
				l.bad = true // a second top-level value
				return
			}
			switch {
			case c == '{':
				l.open(false)
				l.state = sKeyOrEnd
			case c == '[':
				l.open(true)
				l.state = sValue
			case c == ']':
				if f := l.top(); l.inArray() && (f == nil || f.idx == 0) {
					l.close() // an empty array
				} else {
					l.bad = true
				}
			case c == '"':
				l.startScalar()
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
		case sKeyOrEnd:
			switch c {
			case '"':
				l.keyLen = 0
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
			switch {
			case l.depth == 0:
				l.bad = true // garbage after the document
			case c == ',':
				if l.inArray() {
					if f := l.top(); f != nil {
						f.idx++
					}
					l.state = sValue
				} else {
					if f := l.top(); f != nil {
						f.key = keyOther
					}
					l.state = sKeyOrEnd
				}
			case c == '}' || c == ']':
				if l.inArray() != (c == ']') {
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

func indexQuoteOrBackslash(p []byte) int {
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

func (l *lexer) startScalar() {
	l.capture = l.interesting()
	l.valLen, l.trunc = 0, false
}

func (l *lexer) open(arr bool) {
	l.depth++
	if f := l.top(); f != nil {
		*f = frame{arr: arr}
		return
	}
	d := l.depth - maxDepth - 1
	if d >= 64 {
		l.bad = true // too deep to follow: not a response of this API
		return
	}
	if arr {
		l.deepArr |= 1 << d
	} else {
		l.deepArr &^= 1 << d
	}
}

// inArray reports whether the innermost open container is an array.
func (l *lexer) inArray() bool {
	if f := l.top(); f != nil {
		return f.arr
	}
	d := l.depth - maxDepth - 1
	return d >= 0 && d < 64 && l.deepArr&(1<<d) != 0
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
func (l *lexer) value() []byte { return l.val[:l.valLen] }

// path returns the open frames (at most maxDepth of them) and whether the
// scalar is deeper than that.
func (l *lexer) path() ([]frame, bool) {
	if l.depth > maxDepth {
		return l.frames[:], true
	}
	return l.frames[:l.depth], false
}

// parseInt reads a non-negative JSON integer (or a quoted one, as proto
// JSON writes int64), saturating instead of overflowing; ok is false for
// anything else.
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
