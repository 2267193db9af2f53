package logbridge

import (
	"bytes"
	"log/slog"
)

// Redacted replaces the value of an attribute whose key looks like a
// credential.
const Redacted = "[REDACTED]"

// The default patterns, compared with the normalised key (see normalize).
var (
	defaultContains = [...]string{
		"authorization", "apikey", "passw", "passphrase", "secret",
		"cookie", "credential", "privatekey", "bearer",
	}
	defaultSuffix = "token"
	defaultExact  = "auth"
)

// redactor decides which keys hold secrets and rewrites attributes. It is
// immutable once built, so handlers share it.
type redactor struct {
	extra [][]byte // normalised WithRedactKeys patterns
}

func newRedactor(keys []string) *redactor {
	r := &redactor{}
	for _, k := range keys {
		if n := normalize(nil, k); len(n) > 0 {
			r.extra = append(r.extra, n)
		}
	}
	return r
}

// normalize appends key to dst in ASCII lower case without the separators
// '-', '_', '.' and ' ', so that "X-Api-Key", "openai_api_key" and "apiKey"
// all contain "apikey".
func normalize(dst []byte, key string) []byte {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// match reports whether key looks like a credential.
func (r *redactor) match(key string) bool {
	var buf [64]byte
	k := normalize(buf[:0], key)
	if len(k) < 4 && len(r.extra) == 0 {
		return false // shorter than every default pattern
	}
	if bytes.HasSuffix(k, []byte(defaultSuffix)) || string(k) == defaultExact {
		return true
	}
	// One pass over the key; a pattern is only compared where its first
	// byte is.
	for i := 0; i < len(k); i++ {
		var found bool
		switch k[i] {
		case 'a':
			found = hasAt(k, i, defaultContains[0]) || hasAt(k, i, defaultContains[1])
		case 'p':
			found = hasAt(k, i, defaultContains[2]) || hasAt(k, i, defaultContains[3]) || hasAt(k, i, defaultContains[7])
		case 's':
			found = hasAt(k, i, defaultContains[4])
		case 'c':
			found = hasAt(k, i, defaultContains[5]) || hasAt(k, i, defaultContains[6])
		case 'b':
			found = hasAt(k, i, defaultContains[8])
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

func hasAt(k []byte, i int, p string) bool {
	return len(k)-i >= len(p) && string(k[i:i+len(p)]) == p
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
