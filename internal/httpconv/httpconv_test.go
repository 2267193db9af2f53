package httpconv_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/internal/httpconv"
)

func TestParseKnownMethods(t *testing.T) {
	tests := []struct {
		in      string
		known   []string
		unknown []string
		errHas  string // non-empty: an error naming this
	}{
		{in: "", known: []string{"GET", "QUERY", "PATCH"}, unknown: []string{"get", "PROPFIND"}},
		{in: "  \t", known: []string{"GET", "QUERY"}},
		{in: "GET,POST", known: []string{"GET", "POST"}, unknown: []string{"PUT", "QUERY", "get"}},
		{in: " GET , PROPFIND\t,MKCOL ", known: []string{"GET", "PROPFIND", "MKCOL"}, unknown: []string{"POST", " GET "}},
		{in: "GET,,POST,", known: []string{"GET", "POST"}},
		{in: "get", known: []string{"get"}, unknown: []string{"GET"}},
		{in: "M-SEARCH,X_Y.Z~!", known: []string{"M-SEARCH", "X_Y.Z~!"}},
		{in: "GET,GE T", errHas: `"GE T"`},
		{in: "GET,PO/ST", errHas: `"PO/ST"`},
		{in: "GET;POST", errHas: `"GET;POST"`},
		{in: "GÉT", errHas: `"GÉT"`},
		{in: ",", errHas: "names no method"},
		{in: " , ,", errHas: "names no method"},
	}
	for _, tt := range tests {
		ms, err := httpconv.ParseKnownMethods(tt.in)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ParseKnownMethods(%q) error = %v, want one naming %s", tt.in, err, tt.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseKnownMethods(%q): %v", tt.in, err)
			continue
		}
		for _, m := range tt.known {
			if got := ms.Normalize(m); got != m {
				t.Errorf("ParseKnownMethods(%q).Normalize(%q) = %q, want it known", tt.in, m, got)
			}
		}
		for _, m := range tt.unknown {
			if got := ms.Normalize(m); got != httpconv.Other {
				t.Errorf("ParseKnownMethods(%q).Normalize(%q) = %q, want %s", tt.in, m, got, httpconv.Other)
			}
		}
	}
}

func TestDefaultMethods(t *testing.T) {
	var ms httpconv.Methods
	want := []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"}
	if got := ms.List(); !slices.Equal(got, want) {
		t.Errorf("default List() = %v, want %v", got, want)
	}
	for _, m := range want {
		if ms.Normalize(m) != m {
			t.Errorf("default set does not know %s", m)
		}
	}
	for _, m := range []string{"", "get", "Get", "PROPFIND", "GET ", "_OTHER"} {
		if got := ms.Normalize(m); got != httpconv.Other && m != httpconv.Other {
			t.Errorf("Normalize(%q) = %q, want %s", m, got, httpconv.Other)
		}
	}
	if got := httpconv.NewMethods().List(); !slices.Equal(got, want) {
		t.Errorf("NewMethods() = %v, want the default set", got)
	}
	if got := httpconv.NewMethods("PUT", "GET").List(); !slices.Equal(got, []string{"GET", "PUT"}) {
		t.Errorf("NewMethods(PUT, GET).List() = %v", got)
	}
}

func TestNormalizeDoesNotAllocate(t *testing.T) {
	custom, err := httpconv.ParseKnownMethods("GET,PROPFIND")
	if err != nil {
		t.Fatal(err)
	}
	method := strings.Repeat("PROPFIND", 1) // not a constant
	for _, ms := range []httpconv.Methods{{}, custom} {
		if n := testing.AllocsPerRun(100, func() {
			_ = ms.Normalize(method)
			_ = ms.Normalize("GET")
			_ = ms.Normalize("nope")
		}); n != 0 {
			t.Errorf("Normalize allocates %v times", n)
		}
	}
}

func TestRedactQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"q=OpenTelemetry":        "q=OpenTelemetry",
		"q=1&sig=abc":            "q=1&sig=REDACTED",
		"color=blue&sig=x&SIG=y": "color=blue&sig=REDACTED&SIG=REDACTED",
		"AWSAccessKeyId=AK&Signature=s&Expires=1":                                  "AWSAccessKeyId=REDACTED&Signature=REDACTED&Expires=1",
		"X-Amz-Credential=c&X-Amz-Signature=s&X-Amz-Security-Token=t&X-Amz-Date=d": "X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED&X-Amz-Date=d",
		"X-Goog-Signature=s&X-Goog-Credential=c":                                   "X-Goog-Signature=REDACTED&X-Goog-Credential=REDACTED",
		"api_key=1&apikey=2&x-api-key=3&key=4&keyword=k":                           "api_key=REDACTED&apikey=REDACTED&x-api-key=REDACTED&key=REDACTED&keyword=k",
		"token=t&access_token=a&refresh_token=r&id_token=i&token_type=bearer":      "token=REDACTED&access_token=REDACTED&refresh_token=REDACTED&id_token=REDACTED&token_type=bearer",
		"client_secret=s&password=p&passwd=p&secret=s&auth=a&code=c&jwt=j":         "client_secret=REDACTED&password=REDACTED&passwd=REDACTED&secret=REDACTED&auth=REDACTED&code=REDACTED&jwt=REDACTED",
		"authorization=Bearer+x&author=me":                                         "authorization=REDACTED&author=me",
		"token=&token":                                                             "token=&token",
		"a=1;token=t;b=2":                                                          "a=1;token=REDACTED;b=2",
		"to%6Ben=t":                                                                "to%6Ben=REDACTED",
		"&&token=t&":                                                               "&&token=REDACTED&",
		"token=a=b":                                                                "token=REDACTED",
		"page=2&sort=name":                                                         "page=2&sort=name",
	} {
		if got := httpconv.RedactQuery(in); got != want {
			t.Errorf("RedactQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactQueryCleanDoesNotAllocate(t *testing.T) {
	q := strings.Repeat("page=2&sort=name&", 3) + "q=x"
	if n := testing.AllocsPerRun(100, func() { _ = httpconv.RedactQuery(q) }); n != 0 {
		t.Errorf("RedactQuery of a clean query allocates %v times", n)
	}
}

func TestFullURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.example.com/path?color=blue":         "https://www.example.com/path?color=blue",
		"https://user:pass@www.example.com/":              "https://REDACTED:REDACTED@www.example.com/",
		"https://user@www.example.com/":                   "https://REDACTED@www.example.com/",
		"https://www.example.com/path?color=blue&sig=abc": "https://www.example.com/path?color=blue&sig=REDACTED",
		"http://u:p@h:8080/a/b?access_token=x#frag":       "http://REDACTED:REDACTED@h:8080/a/b?access_token=REDACTED#frag",
		"https://app.example/cb#access_token=x&state=s":   "https://app.example/cb#access_token=REDACTED&state=s",
		"http://h/%7Euser?key=1":                          "http://h/%7Euser?key=REDACTED",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		before := *u
		if got := httpconv.FullURL(u); got != want {
			t.Errorf("FullURL(%q) = %q, want %q", in, got, want)
		}
		if *u != before {
			t.Errorf("FullURL(%q) modified its argument", in)
		}
	}
	if got := httpconv.FullURL(nil); got != "" {
		t.Errorf("FullURL(nil) = %q", got)
	}
}

func TestSplitHostPort(t *testing.T) {
	type hp struct {
		host string
		port int
	}
	for in, want := range map[string]hp{
		"":                      {"", -1},
		"example.com":           {"example.com", -1},
		"example.com:8080":      {"example.com", 8080},
		"example.com:":          {"example.com", -1},
		"example.com:http":      {"example.com", -1},
		"example.com:65536":     {"example.com", -1},
		"example.com:0":         {"example.com", 0},
		"192.0.2.1:1234":        {"192.0.2.1", 1234},
		"[2001:db8::1]:443":     {"2001:db8::1", 443},
		"[2001:db8::1]":         {"2001:db8::1", -1},
		"[2001:db8::1":          {"", -1},
		"2001:db8::1":           {"2001:db8::1", -1},
		":8080":                 {"", 8080},
		"[fe80::1%eth0]:80":     {"fe80::1%eth0", 80},
		"example.com:123456789": {"example.com", -1},
	} {
		h, p := httpconv.SplitHostPort(in)
		if h != want.host || p != want.port {
			t.Errorf("SplitHostPort(%q) = %q, %d; want %q, %d", in, h, p, want.host, want.port)
		}
	}
}

func TestForwardedClient(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.Header
		want string
	}{
		{"none", http.Header{}, ""},
		{"xff one", http.Header{"X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		{"xff first hop", http.Header{"X-Forwarded-For": {" 203.0.113.7 , 10.0.0.1", "10.0.0.2"}}, "203.0.113.7"},
		{"xff with port", http.Header{"X-Forwarded-For": {"203.0.113.7:5555"}}, "203.0.113.7"},
		{"xff v6", http.Header{"X-Forwarded-For": {"2001:db8::7, 10.0.0.1"}}, "2001:db8::7"},
		{"xff unknown", http.Header{"X-Forwarded-For": {"unknown"}}, ""},
		{"forwarded", http.Header{"Forwarded": {"for=192.0.2.60;proto=http;by=203.0.113.43"}}, "192.0.2.60"},
		{"forwarded first element", http.Header{"Forwarded": {"for=192.0.2.43, for=198.51.100.17"}}, "192.0.2.43"},
		{"forwarded quoted v6 port", http.Header{"Forwarded": {`For="[2001:db8:cafe::17]:4711"`}}, "2001:db8:cafe::17"},
		{"forwarded later param", http.Header{"Forwarded": {`proto=https; for=198.51.100.9`}}, "198.51.100.9"},
		{"forwarded quoted separator", http.Header{"Forwarded": {`by="a;b,c"; for=198.51.100.9`}}, "198.51.100.9"},
		{"forwarded no for in first", http.Header{"Forwarded": {"proto=https, for=198.51.100.9"}}, ""},
		{"forwarded obfuscated falls back", http.Header{"Forwarded": {"for=_hidden"}, "X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		{"forwarded wins", http.Header{"Forwarded": {"for=192.0.2.60"}, "X-Forwarded-For": {"203.0.113.7"}}, "192.0.2.60"},
		{"forwarded unknown", http.Header{"Forwarded": {"for=unknown"}}, ""},
		{"forwarded garbage", http.Header{"Forwarded": {`"for=;;,,\`}}, ""},
	} {
		if got := httpconv.ForwardedClient(tt.h); got != tt.want {
			t.Errorf("%s: ForwardedClient(%v) = %q, want %q", tt.name, tt.h, got, tt.want)
		}
	}
}

func TestProtocolVersion(t *testing.T) {
	for _, tt := range []struct {
		major, minor int
		proto, want  string
	}{
		{1, 1, "HTTP/1.1", "1.1"}, {1, 0, "HTTP/1.0", "1.0"}, {2, 0, "HTTP/2.0", "2"}, {3, 0, "HTTP/3", "3"},
		{0, 9, "HTTP/0.9", "0.9"}, {0, 0, "", ""}, {0, 0, "junk", ""},
	} {
		if got := httpconv.ProtocolVersion(tt.major, tt.minor, tt.proto); got != tt.want {
			t.Errorf("ProtocolVersion(%d, %d, %q) = %q, want %q", tt.major, tt.minor, tt.proto, got, tt.want)
		}
	}
}
