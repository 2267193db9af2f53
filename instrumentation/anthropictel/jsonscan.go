package anthropictel

import (
	"strconv"
	"unicode/utf8"
)

// A small JSON scanner that finds the few fields the instrumentation reads
// without decoding the rest: values are returned as sub-slices of the input,
// nothing is allocated, and malformed input is reported, never panicked on.
// It checks the structure that it walks over (strings, nesting, literals), not
// every detail of the grammar: a value it accepts that encoding/json would
// reject costs at most a field read from a body the client rejects too.

// maxDepth bounds the nesting skipValue follows; deeper values are malformed
// for the scanner (the API sends a few levels).
const maxDepth = 512

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i] == '"',
// or -1 when it does not end.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			i++
		}
	}
	return -1
}

// skipValue returns the index after the JSON value that starts at or after i,
// or -1 when there is none or it is malformed.
func skipValue(b []byte, i int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		return skipNested(b, i)
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		return j
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return -1
}

func literal(b []byte, i int, word string) int {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// skipNested skips the object or array at b[i] and checks its structure:
// keys, colons, commas and matching brackets (an explicit stack, no recursion).
func skipNested(b []byte, i int) int {
	const (
		expValue = iota
		expKey
		expKeyOrEnd
		expValueOrEnd
		expCommaOrEnd
	)
	var stack [maxDepth]byte
	depth, state := 0, expValue
	for {
		i = skipSpace(b, i)
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
			if i = skipString(b, i); i < 0 {
				return -1
			}
			if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
				return -1
			}
			i++
			state = expValue
		case expValue:
			switch c {
			case '{', '[':
				if depth == maxDepth {
					return -1
				}
				stack[depth] = c
				depth++
				i++
				state = expValueOrEnd
				if c == '{' {
					state = expKeyOrEnd
				}
			default:
				if i = skipValue(b, i); i < 0 {
					return -1
				}
				state = expCommaOrEnd
			}
		case expCommaOrEnd:
			top := stack[depth-1]
			switch {
			case c == ',':
				i++
				state = expValue
				if top == '{' {
					state = expKey
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

// field returns the raw value of key in the JSON object obj (surrounding
// white space allowed), and whether it was found. Keys are compared as they
// are written: the keys the API sends have no escapes. A malformed object
// returns what was found before the fault, and false after it.
func field(obj []byte, key string) ([]byte, bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, false
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return nil, false
		}
		end := skipString(obj, i)
		if end < 0 {
			return nil, false
		}
		name := obj[i+1 : end-1]
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		start := skipSpace(obj, i+1)
		i = skipValue(obj, start)
		if i < 0 {
			return nil, false
		}
		if string(name) == key {
			return obj[start:i], true
		}
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != ',' {
			return nil, false
		}
		i++
	}
}

// path returns the value at the keys in nested objects of obj.
func path(obj []byte, keys ...string) ([]byte, bool) {
	v, ok := obj, true
	for _, k := range keys {
		if v, ok = field(v, k); !ok {
			return nil, false
		}
	}
	return v, true
}

// isString reports whether the raw value v is a JSON string equal to s
// (without escapes), without allocating.
func isString(v []byte, s string) bool {
	return len(v) == len(s)+2 && v[0] == '"' && v[len(v)-1] == '"' && string(v[1:len(v)-1]) == s
}

// toInt reads a non-negative JSON integer; it reports false for anything else
// (null, a fraction, a negative count, an overflow).
func toInt(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// toFloat reads a JSON number as a float64 (once per request: it may allocate).
func toFloat(v []byte) (float64, bool) {
	if len(v) == 0 || len(v) > 64 || !(v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return f, err == nil
}

// toString decodes the JSON string v. It allocates the result; it is used only
// for the few identifiers a call carries (id, model, stop reason, tool names).
// maxLen bounds what is kept, in bytes, on a rune boundary.
func toString(v []byte, maxLen int) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	s := v[1 : len(v)-1]
	plain := true
	for _, c := range s {
		if c == '\\' || c < 0x20 {
			plain = false
			break
		}
	}
	var out []byte
	if plain {
		out = s
	} else {
		out = make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c != '\\' {
				out = append(out, c)
				continue
			}
			i++
			if i >= len(s) {
				return "", false
			}
			switch s[i] {
			case '"', '\\', '/':
				out = append(out, s[i])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if i+4 >= len(s) {
					return "", false
				}
				r, ok := hex4(s[i+1 : i+5])
				if !ok {
					return "", false
				}
				i += 4
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		}
	}
	if len(out) > maxLen {
		cut := maxLen
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return string(out), true
}

func hex4(h []byte) (rune, bool) {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// eachElement calls fn with the raw value of each element of the JSON array
// arr, until fn returns false; it reports whether the array was well formed
// up to where it stopped.
func eachElement(arr []byte, fn func(v []byte) bool) bool {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return true
	}
	for {
		start := skipSpace(arr, i)
		end := skipValue(arr, start)
		if end < 0 {
			return false
		}
		if !fn(arr[start:end]) {
			return true
		}
		i = skipSpace(arr, end)
		if i >= len(arr) {
			return false
		}
		switch arr[i] {
		case ',':
			i++
		case ']':
			return true
		default:
			return false
		}
	}
}

// eachField calls fn with each key (raw, without quotes) and raw value of the
// JSON object obj, until fn returns false; it reports whether the object was
// well formed up to where it stopped.
func eachField(obj []byte, fn func(key, v []byte) bool) bool {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return true
	}
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return false
		}
		end := skipString(obj, i)
		if end < 0 {
			return false
		}
		key := obj[i+1 : end-1]
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		start := skipSpace(obj, i+1)
		i = skipValue(obj, start)
		if i < 0 {
			return false
		}
		if !fn(key, obj[start:i]) {
			return true
		}
		i = skipSpace(obj, i)
		if i >= len(obj) {
			return false
		}
		switch obj[i] {
		case ',':
			i++
		case '}':
			return true
		default:
			return false
		}
	}
}

// valid reports whether b holds exactly one JSON value, with white space
// around it allowed, as far as the scanner checks structure.
func valid(b []byte) bool {
	end := skipValue(b, 0)
	return end >= 0 && skipSpace(b, end) == len(b)
}
