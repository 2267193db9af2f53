package jsonscan

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote decodes raw, the contents of a JSON string between its quotes,
// cut to at most max bytes on a rune boundary (max < 0: no limit). It
// reports false for a bad escape. A string without escapes is copied
// once; \u escapes of a surrogate pair give their rune, a lone surrogate
// U+FFFD, as encoding/json does.
func Unquote(raw []byte, max int) (string, bool) {
	plain := true
	for _, c := range raw {
		if c == '\\' {
			plain = false
			break
		}
	}
	out := raw
	if !plain {
		out = make([]byte, 0, len(raw))
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			if c != '\\' {
				out = append(out, c)
				continue
			}
			i++
			if i >= len(raw) {
				return "", false
			}
			switch raw[i] {
			case '"', '\\', '/':
				out = append(out, raw[i])
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
				r, ok := hex4(raw[i+1:])
				if !ok {
					return "", false
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := hex4(raw[min(i+3, len(raw)):])
					if ok && i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
						if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
							r = pair
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		}
	}
	if max >= 0 && len(out) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return string(out), true
}

// hex4 reads the four hex digits at the start of h.
func hex4(h []byte) (rune, bool) {
	if len(h) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range h[:4] {
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
