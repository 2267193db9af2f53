package httpconv_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/internal/httpconv"
)

// FuzzParseKnownMethods: any value either fails with an error quoting the
// bad item, or gives a set whose members are exactly the listed tokens.
func FuzzParseKnownMethods(f *testing.F) {
	for _, s := range []string{"", "GET,POST", " GET , PROPFIND ", "GE T", ",", "GET,,", "\xff", "a,b,c,d", "\f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := httpconv.ParseKnownMethods(s)
		if err != nil {
			return
		}
		for item := range strings.SplitSeq(s, ",") {
			if m := strings.Trim(item, " \t"); m != "" && ms.Normalize(m) != m {
				t.Errorf("ParseKnownMethods(%q) does not know listed %q", s, m)
			}
		}
		for _, m := range ms.List() {
			if strings.ContainsAny(m, " \t,") || m == "" {
				t.Errorf("ParseKnownMethods(%q) has member %q", s, m)
			}
		}
	})
}

// FuzzRedactQuery: the redacted query keeps its shape (same parameters,
// same keys, in order), no sensitive parameter keeps a non-empty value,
// and the other parameters are unchanged.
func FuzzRedactQuery(f *testing.F) {
	for _, s := range []string{"", "q=1&sig=abc", "token=&token", "a=1;TOKEN=x;b", "to%6Ben=t", "%zz=1", "=x&&=", "api_key=" + strings.Repeat("k", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := httpconv.RedactQuery(q)
		split := func(s string) []string {
			return strings.FieldsFunc(s, func(r rune) bool { return r == '&' || r == ';' })
		}
		in, out := split(q), split(got)
		if len(in) != len(out) {
			t.Fatalf("RedactQuery(%q) = %q: %d parameters, want %d", q, got, len(out), len(in))
		}
		for i := range in {
			k, v, hasV := strings.Cut(in[i], "=")
			ko, vo, _ := strings.Cut(out[i], "=")
			if ko != k {
				t.Errorf("RedactQuery(%q): key %q became %q", q, k, ko)
			}
			switch {
			case hasV && v != "" && httpconv.SensitiveQueryKey(k):
				if vo != httpconv.Redacted {
					t.Errorf("RedactQuery(%q): sensitive %q kept value %q", q, k, vo)
				}
			case out[i] != in[i]:
				t.Errorf("RedactQuery(%q): parameter %q became %q", q, in[i], out[i])
			}
		}
	})
}

// FuzzSplitHostPort: no panic; the host is a substring of the input and
// the port is -1 or in 0..65535.
func FuzzSplitHostPort(f *testing.F) {
	for _, s := range []string{"", "h:1", "[::1]:80", "[::1", "::1", ":", "[]:", "h:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, p := httpconv.SplitHostPort(s)
		if !strings.Contains(s, h) {
			t.Errorf("SplitHostPort(%q) host %q is not in the input", s, h)
		}
		if p < -1 || p > 65535 {
			t.Errorf("SplitHostPort(%q) port %d", s, p)
		}
	})
}

// FuzzForwardedClient: no panic, and the address comes from the headers.
func FuzzForwardedClient(f *testing.F) {
	f.Add("for=192.0.2.60;proto=http", "203.0.113.7, 10.0.0.1")
	f.Add(`for="[2001:db8::1]:80"`, "")
	f.Add(`"\`, ",,,")
	f.Add("for=", "_x")
	f.Fuzz(func(t *testing.T, fwd, xff string) {
		h := http.Header{"Forwarded": {fwd}, "X-Forwarded-For": {xff}}
		got := httpconv.ForwardedClient(h)
		if got != "" && !strings.Contains(fwd, got) && !strings.Contains(xff, got) {
			t.Errorf("ForwardedClient(%q, %q) = %q, from neither header", fwd, xff, got)
		}
	})
}
