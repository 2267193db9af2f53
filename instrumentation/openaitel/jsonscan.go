package openaitel

import (
	"bytes"
	"encoding/json"
	"math"
)

// A small JSON scanner over a complete value held in a byte slice. It reads
// the few fields the instrumentation needs without decoding the rest, and
// allocates nothing: keys and values are returned as sub-slices of the
// input. Malformed input makes the scanner stop and report false; it never
// panics and never reads past the slice. Nesting is bounded by maxDepth so
// that a hostile body cannot exhaust the stack.

const maxDepth = 64

// skipWS returns the index of the first non-space byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] ('"').
func skipString(b []byte, i int) (int, bool) {
	i++ // opening quote
	for i < len(b) {
		j := bytes.IndexAny(b[i:], "\"\\")
		if j < 0 {
			return len(b), false
		}
		i += j
		if b[i] == '"' {
			return i + 1, true
		}
		i += 2 // backslash and the escaped byte (\uXXXX's digits are plain bytes)
	}
	return len(b), false
}

// skipValue returns the index just past the value starting at or after i.
func skipValue(b []byte, i int) (int, bool) {
	return skipValueDepth(b, i, 0)
}

func skipValueDepth(b []byte, i, depth int) (int, bool) {
	i = skipWS(b, i)
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; c {
	case '"':
		return skipString(b, i)
	case '{', '[':
		if depth >= maxDepth {
			return i, false
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1, true
		}
		for {
			var ok bool
			if c == '{' {
				i = skipWS(b, i)
				if i >= len(b) || b[i] != '"' {
					return i, false
				}
				if i, ok = skipString(b, i); !ok {
					return i, false
				}
				i = skipWS(b, i)
				if i >= len(b) || b[i] != ':' {
					return i, false
				}
				i++
			}
			if i, ok = skipValueDepth(b, i, depth+1); !ok {
				return i, false
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == ',' {
				i++
				continue
			}
			if b[i] == closer {
				return i + 1, true
			}
			return i, false
		}
	default:
		// number, true, false, null: up to the next delimiter.
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if j == i {
					return j, false
				}
				return j, true
			case '"', '{', '[', ':':
				return j, false
			}
			j++
		}
		return j, j > i
	}
}

// eachField calls fn for each field of the object b[start:] holds, with the
// raw key (without quotes, escapes left as they are) and the raw value
// (trimmed). It stops when fn returns false. It reports whether the object
// was well formed up to where it stopped.
func eachField(b []byte, fn func(key, val []byte) bool) bool {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for {
		i = skipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return false
		}
		ks := i + 1
		ke, ok := skipString(b, i)
		if !ok {
			return false
		}
		key := b[ks : ke-1]
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		vs := skipWS(b, i+1)
		ve, ok := skipValue(b, vs)
		if !ok {
			return false
		}
		if !fn(key, b[vs:ve]) {
			return true
		}
		i = skipWS(b, ve)
		if i >= len(b) {
			return false
		}
		if b[i] == ',' {
			i++
			continue
		}
		return b[i] == '}'
	}
}

// eachElem calls fn for each element of the array b holds.
func eachElem(b []byte, fn func(val []byte) bool) bool {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return true
	}
	for {
		vs := skipWS(b, i)
		ve, ok := skipValue(b, vs)
		if !ok {
			return false
		}
		if !fn(b[vs:ve]) {
			return true
		}
		i = skipWS(b, ve)
		if i >= len(b) {
			return false
		}
		if b[i] == ',' {
			i++
			continue
		}
		return b[i] == ']'
	}
}

// isNull reports whether the raw value v is null (or absent).
func isNull(v []byte) bool {
	return len(v) == 0 || (len(v) == 4 && string(v) == "null")
}

// rawString returns the contents of the raw JSON string v (without quotes,
// escapes not decoded) and whether v was a string at all.
func rawString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	return v[1 : len(v)-1], true
}

// stringValue decodes the JSON string v. It allocates the string; a string
// with escapes goes through encoding/json. Non-strings give "".
func stringValue(v []byte) string {
	s, ok := rawString(v)
	if !ok {
		return ""
	}
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s)
	}
	var out string
	if json.Unmarshal(v, &out) != nil {
		return ""
	}
	return out
}

// intValue parses the JSON integer v (a non-negative count). Fractions,
// exponents, negatives and overflow give false.
func intValue(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// floatValue parses the JSON number v.
func floatValue(v []byte) (float64, bool) {
	if len(v) == 0 || len(v) > 64 {
		return 0, false
	}
	var f float64
	if json.Unmarshal(v, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// boolValue parses the JSON boolean v.
func boolValue(v []byte) (val, ok bool) {
	switch string(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
