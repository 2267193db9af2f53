package httpconv

import (
	"bytes"
	"net/url"
	"strings"
)

// Redacted replaces a credential or a sensitive query value, as the
// semantic conventions of url.full and url.query say.
const Redacted = "REDACTED"

var (
	redactedUser     = url.User(Redacted)
	redactedUserPass = url.UserPassword(Redacted, Redacted)
)

// FullURL returns u as the url.full attribute of a client span: user name
// and password replaced by REDACTED ("https://REDACTED:REDACTED@host/"),
// and the values of sensitive query parameters (SensitiveQueryKey)
// replaced by REDACTED, in the query and in a fragment of the same form.
// u itself is not modified.
func FullURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	v := *u
	switch {
	case v.User == nil:
	case hasPassword(v.User):
		v.User = redactedUserPass
	default:
		v.User = redactedUser
	}
	v.RawQuery = RedactQuery(v.RawQuery)
	if v.Fragment != "" {
		if f := RedactQuery(v.Fragment); f != v.Fragment {
			v.Fragment, v.RawFragment = f, ""
		}
	}
	return v.String()
}

func hasPassword(u *url.Userinfo) bool {
	_, ok := u.Password()
	return ok
}

// RedactQuery returns the raw query string q with the value of every
// sensitive parameter (SensitiveQueryKey) replaced by REDACTED; the keys
// and the other parameters stay as they are ("color=blue&sig=REDACTED").
// Parameters are separated by '&' or ';'. An empty value is left empty.
// When nothing is sensitive, q itself is returned, without allocating.
func RedactQuery(q string) string {
	first := firstSensitive(q)
	if first < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + len(Redacted))
	b.WriteString(q[:first])
	for i := first; ; {
		end := indexSep(q, i)
		pair := q[i:end]
		if k, v, ok := strings.Cut(pair, "="); ok && v != "" && SensitiveQueryKey(k) {
			b.WriteString(k)
			b.WriteString("=" + Redacted)
		} else {
			b.WriteString(pair)
		}
		if end == len(q) {
			break
		}
		b.WriteByte(q[end])
		i = end + 1
	}
	return b.String()
}

// firstSensitive returns the index of the first parameter of q whose value
// must be redacted, or -1.
func firstSensitive(q string) int {
	for i := 0; i < len(q); {
		end := indexSep(q, i)
		if k, v, ok := strings.Cut(q[i:end], "="); ok && v != "" && SensitiveQueryKey(k) {
			return i
		}
		i = end + 1
	}
	return -1
}

// indexSep returns the index of the first '&' or ';' in q from i on, or
// len(q).
func indexSep(q string, i int) int {
	if j := strings.IndexAny(q[i:], "&;"); j >= 0 {
		return i + j
	}
	return len(q)
}

// SensitiveQueryKey reports whether the value of the query parameter key
// (raw, as in the query string; percent-encoding is decoded first) is a
// credential to redact. Keys are compared in ASCII lower case with '-', '_'
// and '.' removed ("X-Amz-Signature" is "xamzsignature"), and a key is
// sensitive when it
//
//   - is sig, key, code, auth, jwt or awsaccesskeyid (the signed URLs of
//     Azure, Google API keys, OAuth authorization codes, AWS query auth);
//   - contains signature (Signature, X-Amz-Signature, X-Goog-Signature),
//     credential (X-Amz-Credential, X-Goog-Credential), apikey (api_key,
//     x-api-key), secret (client_secret), passw (password, passwd),
//     authorization or privatekey;
//   - ends in token (token, access_token, refresh_token, id_token,
//     X-Amz-Security-Token).
//
// This covers the list of the semantic conventions (AWSAccessKeyId,
// Signature, sig, X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
// X-Goog-Signature), matched case-insensitively where they ask for an exact
// match: redacting "SIG" too costs nothing.
func SensitiveQueryKey(key string) bool {
	if strings.ContainsAny(key, "%+") {
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
	}
	var buf [64]byte
	k := buf[:0]
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		k = append(k, c) // past 64 bytes append moves k to the heap: rare
	}
	return sensitiveNormalized(k)
}

// sensitiveNormalized is SensitiveQueryKey on a normalised key.
func sensitiveNormalized(k []byte) bool {
	switch string(k) {
	case "sig", "key", "code", "auth", "jwt", "awsaccesskeyid":
		return true
	}
	if bytes.HasSuffix(k, []byte("token")) {
		return true
	}
	for _, p := range [...]string{"signature", "credential", "apikey", "secret", "passw", "authorization", "privatekey"} {
		if bytes.Contains(k, []byte(p)) {
			return true
		}
	}
	return false
}
