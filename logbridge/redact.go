package logbridge

import (
	"bytes"
	"log/slog"
)

// Redacted replaces the value of an attribute whose key looks like a
// credential.
const Redacted = "[REDACTED]"

// The default patterns are listed in the package documentation; match
// compares them with the normalised key (see normalize).
const defaultExact = "auth"

// redactor decides which keys hold secrets and rewrites attributes. It is
// immutable once built, so handlers share it.
type redactor struct {
	extra [][]byte // normalised WithRedactKeys patterns
	// starts holds, as a bit set indexed by two bytes, the first two bytes
	// of every pattern: a key without any of these pairs cannot match, and
	// most keys are rejected by that one pass (8 KiB, shared by all the
	// handlers derived from one NewHandler).
	starts   [1 << 16 / 64]uint64
	fullScan bool // a one-byte extra pattern: no pair to filter on
}

// defaultStarts are the first two bytes of the default patterns
// (authorization, auth; apikey; passw, passphrase; privatekey; secret;
// cookie; credential; bearer; and the suffix token).
var defaultStarts = [...]string{"au", "ap", "pa", "pr", "se", "co", "cr", "be", "to"}

func newRedactor(keys []string) *redactor {
	r := &redactor{}
	for _, p := range defaultStarts {
		r.addStart(p)
	}
	for _, k := range keys {
		n := normalize(nil, k)
		switch {
		case len(n) == 0:
			continue
		case len(n) == 1:
			r.fullScan = true
		default:
			r.addStart(string(n[:2]))
		}
		r.extra = append(r.extra, n)
	}
	return r
}

func (r *redactor) addStart(p string) {
	v := uint16(p[0])<<8 | uint16(p[1])
	r.starts[v>>6] |= 1 << (v & 63)
}

// normalize appends key to dst in ASCII lower case without the separators
// '-', '_', '.' and ' ', so that "X-Api-Key", "openai_api_key" and "apiKey"
// all contain "apikey".
func normalize(dst []byte, key string) []byte {
	for i := 0; i < len(key); i++ {
		if c, keep := fold(key[i]); keep {
			dst = append(dst, c)
		}
	}
	return dst
}

// fold is the rule of normalize for one byte: ASCII upper case to lower
// case, and keep is false for a separator ('-', '_', '.', ' ').
func fold(c byte) (_ byte, keep bool) {
	if c-'A' < 26 {
		return c + 'a' - 'A', true
	}
	return c, c != '-' && c != '_' && c != '.' && c != ' '
}

// match reports whether key looks like a credential. It runs for every
// attribute of every record, so it allocates nothing, and most keys take
// one pass over their bytes: only a key holding the first two bytes of a
// pattern is compared with the patterns.
func (r *redactor) match(key string) bool {
	if !r.fullScan {
		var prev uint16
		have, hit := false, false
		for i := 0; i < len(key); i++ {
			c, keep := fold(key[i])
			if !keep {
				continue
			}
			if have {
				if v := prev<<8 | uint16(c); r.starts[v>>6]&(1<<(v&63)) != 0 {
					hit = true
					break
				}
			}
			prev, have = uint16(c), true
		}
		if !hit {
			return false
		}
	}
	return r.matchSlow(key)
}

// matchSlow is match without the pair filter.
func (r *redactor) matchSlow(key string) bool {
	var buf [64]byte
	n := 0
	for i := 0; i < len(key); i++ {
		c, keep := fold(key[i])
		if !keep {
			continue
		}
		if n == len(buf) {
			return r.matchNormalized(normalize(nil, key)) // a long key: rare
		}
		buf[n] = c
		n++
	}
	return r.matchNormalized(buf[:n])
}

// matchNormalized is match on a normalised key.
func (r *redactor) matchNormalized(k []byte) bool {
	if len(k) < len(defaultExact) && len(r.extra) == 0 {
		return false // shorter than every default pattern
	}
	if n := len(k); n >= 5 && k[n-5] == 't' && k[n-4] == 'o' && k[n-3] == 'k' && k[n-2] == 'e' && k[n-1] == 'n' {
		return true // ends in "token"
	}
	if string(k) == defaultExact {
		return true
	}
	for i := 0; i+1 < len(k); i++ {
		var found bool
		switch uint16(k[i])<<8 | uint16(k[i+1]) {
		case 'a'<<8 | 'u':
			found = hasAt(k, i, "authorization")
		case 'a'<<8 | 'p':
			found = hasAt(k, i, "apikey")
		case 'p'<<8 | 'a':
			found = hasAt(k, i, "passw") || hasAt(k, i, "passphrase")
		case 'p'<<8 | 'r':
			found = hasAt(k, i, "privatekey")
		case 's'<<8 | 'e':
			found = hasAt(k, i, "secret")
		case 'c'<<8 | 'o':
			found = hasAt(k, i, "cookie")
		case 'c'<<8 | 'r':
			found = hasAt(k, i, "credential")
		case 'b'<<8 | 'e':
			found = hasAt(k, i, "bearer")
		}
		if found {
			return true
		}
	}
	for _, p := range r.extra {
		if bytes.Contains(k, p) {
			return true
		}
	}
	return false
}

// hasAt reports whether k holds p at index i.
func hasAt(k []byte, i int, p string) bool {
	return i >= 0 && len(k)-i >= len(p) && string(k[i:i+len(p)]) == p
}

// clean reports whether a can be written as it is: a key that does not
// match and a value that is neither a LogValuer nor a group.
func (r *redactor) clean(a slog.Attr, all bool) bool {
	switch a.Value.Kind() {
	case slog.KindLogValuer, slog.KindGroup:
		return false
	}
	if all {
		return false
	}
	return a.Key == "" || !r.match(a.Key)
}

// attr returns a with its value redacted if its key matches (or all is
// set), LogValuers resolved and groups rewritten recursively, and whether
// anything changed. A group with an empty key is inlined by handlers, so
// its members are checked instead of the group.
func (r *redactor) attr(a slog.Attr, all bool) (slog.Attr, bool) {
	if a.Key != "" && (all || r.match(a.Key)) {
		if a.Value.Kind() == slog.KindGroup && len(a.Value.Group()) == 0 {
			return a, false // an empty group is not output at all
		}
		return slog.String(a.Key, Redacted), true
	}
	v, changed := a.Value, false
	if v.Kind() == slog.KindLogValuer {
		v, changed = v.Resolve(), true
	}
	switch {
	case v.Kind() == slog.KindGroup:
		if g, ok := r.attrs(v.Group(), all); ok {
			v, changed = slog.GroupValue(g...), true
		}
	case all && a.Key == "" && (v.Kind() != slog.KindAny || v.Any() != nil):
		v, changed = slog.StringValue(Redacted), true
	}
	if changed {
		a.Value = v
	}
	return a, changed
}

// attrs applies attr to each of as. It returns a new slice, and true, only
// if something changed.
func (r *redactor) attrs(as []slog.Attr, all bool) ([]slog.Attr, bool) {
	var out []slog.Attr
	for i, a := range as {
		na, changed := r.attr(a, all)
		if changed && out == nil {
			out = make([]slog.Attr, len(as))
			copy(out, as[:i])
		}
		if out != nil {
			out[i] = na
		}
	}
	return out, out != nil
}
