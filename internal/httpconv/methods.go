// Package httpconv holds the HTTP semantic-convention plumbing shared by
// the middleware and the metrics package: the set of known request methods
// (OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS), the redaction of URLs and query
// strings, and the parsing of host:port pairs and forwarding headers. Every
// function here reads outside input and allocates nothing on the common
// path.
package httpconv

import (
	"fmt"
	"slices"
	"strings"
)

// KnownMethodsEnv is the environment variable that replaces the default set
// of known methods, per the HTTP semantic conventions: a comma-separated
// list of case-sensitive method names.
const KnownMethodsEnv = "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"

// Other is the value that stands for a method outside the known set.
const Other = "_OTHER"

// defaultMethods are the methods of RFC 9110, PATCH (RFC 5789) and QUERY
// (draft-ietf-httpbis-safe-method-w-body), the default set of the HTTP
// semantic conventions since v1.41.
var defaultMethods = []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"}

// Methods is a set of known HTTP request methods. The zero Methods is the
// default set (CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT,
// QUERY, TRACE). A Methods is immutable and safe for concurrent use.
type Methods struct {
	known map[string]struct{} // nil: the default set
}

// ParseKnownMethods parses the value of KnownMethodsEnv: method names
// separated by commas, each a token of RFC 9110 (letters, digits and
// !#$%&'*+-.^_`|~), spaces and tabs around them ignored. Names are
// case-sensitive ("get" is not "GET") and the list replaces the default set
// rather than adding to it. An empty or blank s is the default set, as for
// an unset variable (blank: spaces and tabs only); empty items ("GET,,POST", a trailing comma) are
// skipped. The error names the first bad item.
func ParseKnownMethods(s string) (Methods, error) {
	if strings.Trim(s, " \t") == "" {
		return Methods{}, nil
	}
	known := make(map[string]struct{})
	for item := range strings.SplitSeq(s, ",") {
		m := strings.Trim(item, " \t")
		if m == "" {
			continue
		}
		if !isToken(m) {
			return Methods{}, fmt.Errorf("known HTTP methods: %q is not a method name (a token of letters, digits and !#$%%&'*+-.^_`|~)", m)
		}
		known[m] = struct{}{}
	}
	if len(known) == 0 {
		return Methods{}, fmt.Errorf("known HTTP methods: %q names no method", s)
	}
	return Methods{known: known}, nil
}

// Normalize returns m when it is a known method and Other when it is not.
// It does not allocate.
func (ms Methods) Normalize(m string) string {
	if ms.Known(m) {
		return m
	}
	return Other
}

// Known reports whether m is in the set (exactly: case-sensitive).
func (ms Methods) Known(m string) bool {
	if ms.known == nil {
		switch m {
		case "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "QUERY", "CONNECT", "TRACE":
			return true
		}
		return false
	}
	_, ok := ms.known[m]
	return ok
}

// IsDefault reports whether ms is the default set (the zero Methods, as
// ParseKnownMethods returns for an empty value).
func (ms Methods) IsDefault() bool { return ms.known == nil }

// List returns the methods of the set, sorted.
func (ms Methods) List() []string {
	if ms.known == nil {
		return slices.Clone(defaultMethods)
	}
	out := make([]string, 0, len(ms.known))
	for m := range ms.known {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// NewMethods returns the set of the given methods, taken as they are
// (case-sensitive, not validated); none gives the default set.
func NewMethods(methods ...string) Methods {
	if len(methods) == 0 {
		return Methods{}
	}
	known := make(map[string]struct{}, len(methods))
	for _, m := range methods {
		known[m] = struct{}{}
	}
	return Methods{known: known}
}

// isToken reports whether s is a token of RFC 9110 section 5.6.2.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
