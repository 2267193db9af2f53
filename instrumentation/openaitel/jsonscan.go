package openaitel

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// A small JSON scanner over a complete value held in a byte slice. It reads
// the few fields the instrumentation needs without decoding the rest, and
// allocates nothing: keys and values are returned as sub-slices of the
// input. Malformed input makes the scanner stop and report false; it never
// panics and never reads past the slice, and it does not recurse, so no
// nesting exhausts the stack.

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
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b), false
		}
		i += j
		// The quote ends the string unless an odd number of backslashes
		// precede it.
		k := i - 1
		for k >= 0 && b[k] == '\\' {
			k--
		}
		if (i-1-k)%2 == 0 {
			return i + 1, true
		}
		i++
	}
}

// skipValue returns the index just past the value starting at or after i.
// Objects and arrays are skipped by counting brackets outside strings,
// without recursion: it checks that they are balanced, not that they are
// otherwise well formed (eachField and eachElem check the levels they
// read).
func skipValue(b []byte, i int) (int, bool) {
	i = skipWS(b, i)
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				var ok bool
				if i, ok = skipString(b, i); !ok {
					return i, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return i, false
	case '}', ']', ',', ':':
		return i, false
	default:
		// number, true, false, null: up to the next delimiter.
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return j, true
			case '"', '{', '[', ':':
				return j, false
			}
			j++
		}
		return j, true
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
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
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
