// Package jsonscan reads the few fields the AI client integrations need
// from a JSON value held in memory (a response body, one event of a
// stream, a request body), without decoding the rest.
//
// A Value is read front to back, in one pass: Fields and Elems hand each
// member to a callback as a Value of its own, and what the callback does
// not read is skipped once, with its structure checked (strings, nesting,
// commas, colons, literals), while what it reads (a nested object, a
// number) is scanned only by the read. Values belong to a Scanner (one
// per input, reused, or lent by Scan) and are passed by value; keys and
// raw strings are sub-slices of the input: nothing is allocated but the
// strings String decodes.
// Malformed input makes a read report false; nothing panics, nothing reads
// past the input, and nothing recurses, so no nesting exhausts the stack.
//
// It checks the structure that it walks over, not every detail of the
// grammar (a number's digits, say): a value it accepts that encoding/json
// would refuse costs at most a field read from a body the client refuses
// too.
package jsonscan

import (
	"bytes"
	"math"
	"strconv"
	"sync"
)

// MaxDepth bounds the nesting a skipped value may have; deeper ones are
// malformed for the scanner (the APIs send a few levels).
const MaxDepth = 512

// A Scanner reads one input at a time. Its Values refer to it: they are
// passed by value and allocate nothing. A Scanner is not safe for
// concurrent use; Scan lends one from a pool.
type Scanner struct {
	b []byte
	// last is the value whose end a read found last: the one a callback
	// read, when it read its member whole.
	lastStart, lastEnd int
	bad                bool // a read found the input malformed
}

// Parse starts reading b and returns the value it holds, white space
// around it allowed. Bytes after the value are not looked at (see Valid).
func (s *Scanner) Parse(b []byte) Value {
	*s = Scanner{b: b, lastStart: -1}
	return Value{s: s, i: SkipSpace(b, 0)}
}

var scanners = sync.Pool{New: func() any { return new(Scanner) }}

// Scan calls fn with the value b holds, read by a pooled Scanner, and
// returns what fn returns. fn must not keep the Value.
func Scan(b []byte, fn func(v Value) bool) bool {
	s := scanners.Get().(*Scanner)
	ok := fn(s.Parse(b))
	*s = Scanner{}
	scanners.Put(s)
	return ok
}

// Valid reports whether b holds exactly one JSON value with only white
// space around it, as far as the scanner checks structure.
func Valid(b []byte) bool {
	i := SkipSpace(b, 0)
	n := skipValue(b[i:])
	return n >= 0 && SkipSpace(b, i+n) == len(b)
}

// A Value is one JSON value of a Scanner's input. Its methods read it;
// the zero Value is empty and reads as nothing.
type Value struct {
	s *Scanner
	i int // the value's first byte in s.b
}

// rest returns the input from v's first byte on.
func (v Value) rest() []byte {
	if v.s == nil || v.i >= len(v.s.b) {
		return nil
	}
	return v.s.b[v.i:]
}

// Kind is the first byte of a JSON value, which says what it is: '{', '[',
// '"', 't' or 'f' (a boolean), 'n' (null), '-' or a digit (a number); 0
// for an empty value.
func (v Value) Kind() byte {
	if b := v.rest(); len(b) > 0 {
		return b[0]
	}
	return 0
}

// Malformed reports whether a read found the Scanner's input malformed.
func (v Value) Malformed() bool { return v.s != nil && v.s.bad }

// fail marks the input malformed.
func (v Value) fail() bool {
	v.s.bad = true
	return false
}

// done records that v is n bytes long.
func (v Value) done(n int) { v.s.lastStart, v.s.lastEnd = v.i, v.i+n }

// end returns the index just past v in the input, skipping it (its
// structure checked) unless a read just found it, or -1 when it is
// malformed.
func (v Value) end() int {
	s := v.s
	if s.lastStart == v.i {
		return s.lastEnd
	}
	n := skipValue(v.rest())
	if n < 0 {
		v.fail()
		return -1
	}
	v.done(n)
	return v.i + n
}

// Raw returns the bytes of v, skipping it (its structure checked), and
// false when it is malformed or missing.
func (v Value) Raw() ([]byte, bool) {
	if v.s == nil || v.s.bad || len(v.rest()) == 0 {
		return nil, false
	}
	e := v.end()
	if e < 0 {
		return nil, false
	}
	return v.s.b[v.i:e], true
}

// IsNull reports whether v is null.
func (v Value) IsNull() bool {
	if b := v.rest(); len(b) >= 4 && string(b[:4]) == "null" {
		v.done(4)
		return true
	}
	return false
}

// Str returns the contents of the string v, without its quotes and with
// its escapes as they are written, and false when v is not a string.
func (v Value) Str() ([]byte, bool) {
	b := v.rest()
	if len(b) == 0 || b[0] != '"' {
		return nil, false
	}
	n, ok := skipString(b, 0)
	if !ok {
		return nil, v.fail()
	}
	v.done(n)
	return b[1 : n-1], true
}

// Is reports whether v is the string s, written without escapes.
func (v Value) Is(s string) bool {
	raw, ok := v.Str()
	return ok && string(raw) == s
}

// String decodes the string v, cut to at most max bytes on a rune
// boundary (max < 0: no limit), and reports false when v is not a string
// or has a bad escape. It allocates the result.
func (v Value) String(max int) (string, bool) {
	raw, ok := v.Str()
	if !ok {
		return "", false
	}
	return Unquote(raw, max)
}

// scalar returns the bytes of the number or literal v, up to the next
// delimiter.
func (v Value) scalar() []byte {
	b := v.rest()
	j := 0
	for j < len(b) && !delimiter[b[j]] {
		j++
	}
	return b[:j]
}

// Int returns the non-negative integer v (a count), and false for
// anything else: null, a fraction, an exponent, a negative number, or one
// above 2^62.
func (v Value) Int() (int64, bool) {
	b := v.scalar()
	n, ok := ParseInt(b)
	if ok {
		v.done(len(b))
	}
	return n, ok
}

// ParseInt parses b, the digits of a non-negative integer, as Value.Int
// does.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// Float returns the finite number v.
func (v Value) Float() (float64, bool) {
	b := v.scalar()
	if len(b) == 0 || len(b) > 64 || !(b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	v.done(len(b))
	return f, true
}

// Bool returns the boolean v, and ok false when v is not one.
func (v Value) Bool() (val, ok bool) {
	switch b := v.rest(); {
	case len(b) >= 4 && string(b[:4]) == "true":
		v.done(4)
		return true, true
	case len(b) >= 5 && string(b[:5]) == "false":
		v.done(5)
		return false, true
	}
	return false, false
}

// Fields calls fn for each field of the object v, with the key as it is
// written (without quotes, escapes not decoded) and the field's value,
// until fn returns false. What fn does not read of a value is skipped. It
// reports whether the object was well formed up to where it stopped
// (false also when v is not an object).
func (v Value) Fields(fn func(key []byte, f Value) bool) bool {
	i, st := v.open('{', '}')
	if st != stepNext {
		return st != stepBad
	}
	b := v.s.b
	for {
		if i >= len(b) || b[i] != '"' {
			return v.fail()
		}
		ke, ok := skipString(b, i)
		if !ok {
			return v.fail()
		}
		key := b[i+1 : ke-1]
		i = SkipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return v.fail()
		}
		f := Value{s: v.s, i: SkipSpace(b, i+1)}
		if i, st = v.step(f, fn(key, f), '}'); st != stepNext {
			return st != stepBad
		}
	}
}

// Elems calls fn for each element of the array v until fn returns false.
// What fn does not read of an element is skipped. It reports whether the
// array was well formed up to where it stopped (false also when v is not
// an array).
func (v Value) Elems(fn func(e Value) bool) bool {
	i, st := v.open('[', ']')
	if st != stepNext {
		return st != stepBad
	}
	for {
		if i >= len(v.s.b) {
			return v.fail()
		}
		e := Value{s: v.s, i: i}
		if i, st = v.step(e, fn(e), ']'); st != stepNext {
			return st != stepBad
		}
	}
}

// How Fields and Elems go on after a step.
const (
	stepNext = iota // to the member at the index returned
	stepEnd         // the container ended (well formed)
	stepBad         // malformed, or not the container asked for
)

// open starts reading the object or array v (open '{' or '['): the index
// of its first member, or stepEnd for an empty one.
func (v Value) open(open, close byte) (int, int) {
	b := v.rest()
	if len(b) == 0 || b[0] != open || v.s.bad {
		return 0, stepBad
	}
	b = v.s.b
	i := SkipSpace(b, v.i+1)
	if i < len(b) && b[i] == close {
		v.done(i + 1 - v.i)
		return 0, stepEnd
	}
	return i, stepNext
}

// step finishes member m of v after its callback, which asked for more or
// not: it skips what the callback left unread of m, then reads the comma
// before the next member or the closing byte.
func (v Value) step(m Value, more bool, close byte) (int, int) {
	if v.s.bad {
		return 0, stepBad
	}
	end := m.end()
	if end < 0 {
		return 0, stepBad
	}
	if !more {
		return 0, stepEnd // stopped: well formed up to here
	}
	b := v.s.b
	switch i := SkipSpace(b, end); {
	case i >= len(b):
	case b[i] == ',':
		return SkipSpace(b, i+1), stepNext
	case b[i] == close:
		v.done(i + 1 - v.i)
		return 0, stepEnd
	}
	v.fail()
	return 0, stepBad
}

// Field returns the value of key in the object v (keys compared as they
// are written), and false when v is not an object, has no such key before
// a fault, or the value is malformed.
func (v Value) Field(key string) (Value, bool) {
	var out Value
	found := false
	v.Fields(func(k []byte, f Value) bool {
		if string(k) != key {
			return true
		}
		found = f.end() >= 0
		out = f
		return false
	})
	return out, found
}

// Path returns the value at keys in nested objects of v.
func (v Value) Path(keys ...string) (Value, bool) {
	for _, k := range keys {
		next, ok := v.Field(k)
		if !ok {
			return Value{}, false
		}
		v = next
	}
	return v, true
}

// delimiter marks the bytes that end a number or a literal.
var delimiter = [256]bool{',': true, '}': true, ']': true, ' ': true, '\t': true, '\n': true, '\r': true,
	'"': true, '{': true, '[': true, ':': true}

// space marks JSON white space.
var space = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// IsSpace reports whether c is JSON white space.
func IsSpace(c byte) bool { return space[c] }

// SkipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && space[b[i]] {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i]
// ('"'). Short strings (keys, ids, enum values) are scanned byte by byte;
// a longer one (text) goes to bytes.IndexByte past its first 16 bytes.
func skipString(b []byte, i int) (int, bool) {
	i++ // the opening quote
	for n := min(len(b), i+16); i < n; i++ {
		switch b[i] {
		case '"':
			return i + 1, true
		case '\\':
			i++ // the escaped byte
		}
	}
	for i < len(b) {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b), false
		}
		// The quote ends the string unless an odd number of backslashes
		// precede it (from i on: an escape before i was seen above).
		q := i + j
		k := q - 1
		for k >= i && b[k] == '\\' {
			k--
		}
		if (q-1-k)%2 == 0 {
			return q + 1, true
		}
		i = q + 1
	}
	return len(b), false
}

// skipValue returns the index just past the value at the start of b, or
// -1 when it is malformed or missing. Objects and arrays are checked with
// an explicit stack: keys, colons, commas, matching brackets.
func skipValue(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	switch c := b[0]; {
	case c == '"':
		end, ok := skipString(b, 0)
		if !ok {
			return -1
		}
		return end
	case c == '{' || c == '[':
		return skipNested(b)
	case c == 't':
		return literal(b, "true")
	case c == 'f':
		return literal(b, "false")
	case c == 'n':
		return literal(b, "null")
	case c == '-' || c >= '0' && c <= '9':
		j := 1
		for j < len(b) && !delimiter[b[j]] {
			j++
		}
		return j
	}
	return -1
}

func literal(b []byte, word string) int {
	if len(b) < len(word) || string(b[:len(word)]) != word {
		return -1
	}
	if len(b) > len(word) && !delimiter[b[len(word)]] {
		return -1
	}
	return len(word)
}

// skipNested skips the object or array at the start of b.
func skipNested(b []byte) int {
	const (
		expValue = iota
		expKey
		expKeyOrEnd
		expValueOrEnd
		expCommaOrEnd
	)
	var stack [MaxDepth]byte
	depth, state, i := 0, expValue, 0
	for {
		for i < len(b) && b[i] <= ' ' && space[b[i]] {
			i++
		}
		if i >= len(b) {
			return -1
		}
		c := b[i]
		switch state {
		case expKeyOrEnd, expValueOrEnd:
			if (state == expKeyOrEnd && c == '}') || (state == expValueOrEnd && c == ']') {
				depth--
				i++
				if depth == 0 {
					return i
				}
				state = expCommaOrEnd
				continue
			}
			if state == expValueOrEnd {
				state = expValue
				continue
			}
			fallthrough
		case expKey:
			if c != '"' {
				return -1
			}
			end, ok := skipString(b, i)
			if !ok {
				return -1
			}
			if i = SkipSpace(b, end); i >= len(b) || b[i] != ':' {
				return -1
			}
			i++
			state = expValue
		case expValue:
			switch {
			case c == '{' || c == '[':
				if depth == MaxDepth {
					return -1
				}
				stack[depth] = c
				depth++
				i++
				state = expKeyOrEnd
				if c == '[' {
					state = expValueOrEnd
				}
				continue
			case c == '"':
				end, ok := skipString(b, i)
				if !ok {
					return -1
				}
				i = end
			default:
				n := skipValue(b[i:])
				if n < 0 {
					return -1
				}
				i += n
			}
			state = expCommaOrEnd
		case expCommaOrEnd:
			top := stack[depth-1]
			switch {
			case c == ',':
				i++
				state = expKey
				if top == '[' {
					state = expValue
				}
			case (c == '}' && top == '{') || (c == ']' && top == '['):
				depth--
				i++
				if depth == 0 {
					return i
				}
			default:
				return -1
			}
		}
	}
}
