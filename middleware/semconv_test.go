package middleware_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value.String()
	}
	return m
}

// TestServerSpanAttributes checks the HTTP semantic-convention attributes
// of a server span, and that those known at the start reach a sampler of
// the caller's. With Init's own samplers, which read no attributes, they
// all go at the span's end, and the span is the same.
func TestServerSpanAttributes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sampler *testutil.StartSampler // nil: Init's default sampler
		foreign bool                   // the sampler is on a provider of the caller's
	}{
		{"WithSampler", &testutil.StartSampler{}, false},
		{"default sampler", nil, false},
		{"WithTracerProvider", &testutil.StartSampler{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []telemetry.Option
			if tc.sampler != nil && !tc.foreign {
				opts = append(opts, telemetry.WithSampler(tc.sampler))
			}
			kit := telemetrytest.New(t, opts...)
			if got, want := kit.Telemetry.SamplerReadsAttributes(), tc.sampler != nil && !tc.foreign; got != want {
				t.Errorf("SamplerReadsAttributes() = %v, want %v", got, want)
			}
			var mwOpts []middleware.Option
			spans := func() []sdktrace.ReadOnlySpan { return nil }
			if tc.foreign {
				rec := tracetest.NewSpanRecorder()
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(tc.sampler), sdktrace.WithSpanProcessor(rec))
				t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
				mwOpts = append(mwOpts, middleware.WithTracerProvider(tp))
				spans = rec.Ended
			}
			checkServerSpanAttributes(t, kit, tc.sampler, mwOpts, spans)
		})
	}
}

// checkServerSpanAttributes serves one request through New(kit.Telemetry,
// opts...) and checks its span: the kit's, or the only one of spans.
func checkServerSpanAttributes(t *testing.T, kit *telemetrytest.Kit, sampler *testutil.StartSampler, opts []middleware.Option, spans func() []sdktrace.ReadOnlySpan) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) })
	h := middleware.New(kit.Telemetry, opts...)(mux)

	r := httptest.NewRequest("GET", "/users/7?q=go&token=s3cr3t&X-Amz-Signature=abc&Sig=x", nil)
	r.Host = "api.example.com:8443"
	r.RemoteAddr = "203.0.113.9:5555"
	r.Header.Set("User-Agent", "curl/8.5")
	r.Header.Set("X-Forwarded-For", "198.51.100.1") // ignored without WithForwardedClientAddress
	h.ServeHTTP(httptest.NewRecorder(), r)

	start := map[attribute.Key]string{
		"http.request.method":      "GET",
		"url.scheme":               "http",
		"url.path":                 "/users/7",
		"url.query":                "q=go&token=REDACTED&X-Amz-Signature=REDACTED&Sig=REDACTED",
		"server.address":           "api.example.com",
		"server.port":              "8443",
		"network.protocol.version": "1.1",
		"user_agent.original":      "curl/8.5",
		"client.address":           "203.0.113.9",
	}
	if sampler != nil {
		seen := sampler.Last(t)
		for k, want := range start {
			if v, ok := seen[k]; !ok || v.String() != want {
				t.Errorf("sampler saw %s = %q, want %q", k, v.String(), want)
			}
		}
		for _, k := range []attribute.Key{"http.response.status_code", "http.route",
			"network.peer.address"} { // the peer is client.address
			if _, ok := seen[k]; ok {
				t.Errorf("sampler saw %s", k)
			}
		}
	}
	var got map[attribute.Key]string
	if ended := spans(); ended != nil {
		if len(ended) != 1 {
			t.Fatalf("got %d spans, want 1", len(ended))
		}
		got = attrMap(ended[0].Attributes())
	} else {
		got = attrMap(onlySpan(t, kit).Attributes)
	}
	want := maps(start, map[attribute.Key]string{"http.response.status_code": "202", "http.route": "/users/{id}"})
	for k, w := range want {
		if got[k] != w {
			t.Errorf("span %s = %q, want %q", k, got[k], w)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected span attribute %s = %q", k, v)
		}
	}
	for _, v := range got {
		if strings.Contains(v, "s3cr3t") || strings.Contains(v, "abc") {
			t.Errorf("a secret reached the span: %q", v)
		}
	}
}

func maps(ms ...map[attribute.Key]string) map[attribute.Key]string {
	out := map[attribute.Key]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestServerAddressAndPortDefaults(t *testing.T) {
	for _, tt := range []struct {
		name, host, remote string
		tls                bool
		want               map[attribute.Key]string
		absent             []attribute.Key
	}{
		{"http, Host without port", "example.com", "192.0.2.1:1234", false,
			map[attribute.Key]string{"server.address": "example.com", "url.scheme": "http"}, []attribute.Key{"server.port"}},
		{"https, Host with the default port", "example.com:443", "192.0.2.1:1234", true,
			map[attribute.Key]string{"server.address": "example.com", "server.port": "443", "url.scheme": "https"}, nil},
		{"ipv6 host", "[2001:db8::1]:8080", "[2001:db8::2]:40000", false,
			map[attribute.Key]string{"server.address": "2001:db8::1", "server.port": "8080", "client.address": "2001:db8::2"},
			[]attribute.Key{"network.peer.address", "network.peer.port"}},
		{"no host, no remote address", "", "", false, nil,
			[]attribute.Key{"server.address", "server.port", "client.address", "network.peer.address", "network.peer.port"}},
		{"invalid UTF-8 host", "ex\xffample", "192.0.2.1:1234", false,
			map[attribute.Key]string{"server.address": "ex\uFFFDample"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			r := httptest.NewRequest("GET", "/", nil)
			r.Host, r.RemoteAddr = tt.host, tt.remote
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			middleware.Handler(kit.Telemetry, http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
			got := attrMap(onlySpan(t, kit).Attributes)
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s = %q, want %q", k, got[k], w)
				}
			}
			for _, k := range tt.absent {
				if v, ok := got[k]; ok {
					t.Errorf("span has %s = %q", k, v)
				}
			}
		})
	}
}

func TestForwardedClientAddress(t *testing.T) {
	for _, tt := range []struct {
		name    string
		headers map[string]string
		opt     bool
		client  string
		peer    string // "": no network.peer.address (it would repeat client.address)
	}{
		{"headers ignored by default", map[string]string{"X-Forwarded-For": "198.51.100.1", "Forwarded": "for=198.51.100.2"}, false, "203.0.113.9", ""},
		{"X-Forwarded-For first hop", map[string]string{"X-Forwarded-For": "198.51.100.1, 10.0.0.1"}, true, "198.51.100.1", "203.0.113.9"},
		{"Forwarded wins", map[string]string{"X-Forwarded-For": "198.51.100.1", "Forwarded": `for="[2001:db8::9]:443";proto=https`}, true, "2001:db8::9", "203.0.113.9"},
		{"no header: the peer", nil, true, "203.0.113.9", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kit := telemetrytest.New(t)
			var opts []middleware.Option
			if tt.opt {
				opts = append(opts, middleware.WithForwardedClientAddress())
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "203.0.113.9:5555"
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			middleware.Handler(kit.Telemetry, http.NotFoundHandler(), opts...).ServeHTTP(httptest.NewRecorder(), r)
			got := attrMap(onlySpan(t, kit).Attributes)
			if got["client.address"] != tt.client {
				t.Errorf("client.address = %q, want %q", got["client.address"], tt.client)
			}
			if got["network.peer.address"] != tt.peer {
				t.Errorf("network.peer.address = %q, want %q", got["network.peer.address"], tt.peer)
			}
			if wantPort := map[bool]string{true: "5555", false: ""}[tt.peer != ""]; got["network.peer.port"] != wantPort {
				t.Errorf("network.peer.port = %q, want %q", got["network.peer.port"], wantPort)
			}
		})
	}
}

func TestQueryMethodIsKnown(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("QUERY /search", func(http.ResponseWriter, *http.Request) {})
	h := middleware.New(kit.Telemetry)(mux)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("QUERY", "/search", strings.NewReader("q")))
	if got := requests(t, kit, "QUERY", "/search", "200"); got != 1 {
		t.Errorf("QUERY /search = %v, want 1", got)
	}
	s := onlySpan(t, kit)
	if s.Name != "QUERY /search" {
		t.Errorf("span name %q", s.Name)
	}
	if _, ok := attr(s, "http.request.method_original"); ok {
		t.Error("a known method got http.request.method_original")
	}
}

// TestKnownMethodsFromEnvironment: OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS
// replaces the default set, for the method label, the span name and the
// client span.
func TestKnownMethodsFromEnvironment(t *testing.T) {
	t.Setenv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "GET, PROPFIND")
	kit := telemetrytest.New(t)
	route := middleware.WithRouteFunc(func(*http.Request) string { return "/dav" })
	h := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), route)
	for _, m := range []string{"PROPFIND", "GET", "POST", "propfind"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(m, "/dav", nil))
	}
	for _, c := range []struct {
		method string
		want   float64
	}{{"PROPFIND", 1}, {"GET", 1}, {metrics.HTTPOther, 2}, {"POST", 0}} {
		if got := requests(t, kit, c.method, "/dav", "200"); got != c.want {
			t.Errorf("method %s = %v, want %v", c.method, got, c.want)
		}
	}
	names := spanNames(kit.Spans())
	if want := []string{"PROPFIND /dav", "GET /dav", "HTTP /dav", "HTTP /dav"}; !slices.Equal(names, want) {
		t.Errorf("span names %q, want %q", names, want)
	}

	kit.Reset()
	rt := middleware.Transport(kit.Telemetry, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	}))
	for _, m := range []string{"PROPFIND", "POST"} {
		r, _ := http.NewRequest(m, "http://dav.example/x", nil)
		resp, err := rt.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	if names := spanNames(kit.Spans()); !slices.Equal(names, []string{"PROPFIND", "HTTP"}) {
		t.Errorf("client span names %q", names)
	}
}

// TestBadKnownMethodsFallsBack: a bad value is reported once per New and
// Transport through the Telemetry's error handler, naming the bad item,
// and the default set is used.
func TestBadKnownMethodsFallsBack(t *testing.T) {
	log := &testutil.ErrorLog{}
	kit := telemetrytest.New(t, telemetry.WithErrorHandler(log.Handle))
	// Set after Init, which refuses a bad value itself.
	t.Setenv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "GET,GE T")
	h := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		middleware.WithRouteFunc(func(*http.Request) string { return "/r" }))
	for _, m := range []string{"POST", "QUERY", "PROPFIND"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(m, "/r", nil))
	}
	errs := log.All()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `"GE T"`) ||
		!strings.Contains(errs[0].Error(), "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS") {
		t.Fatalf("errors %v, want one naming the variable and \"GE T\"", errs)
	}
	for _, c := range []struct {
		method string
		want   float64
	}{{"POST", 1}, {"QUERY", 1}, {metrics.HTTPOther, 1}} {
		if got := requests(t, kit, c.method, "/r", "200"); got != c.want {
			t.Errorf("method %s = %v, want %v (the default set)", c.method, got, c.want)
		}
	}
}

// TestClientSpanAttributes checks the client span's semantic-convention
// attributes, and that url.full carries no credentials and no secret.
func TestClientSpanAttributes(t *testing.T) {
	sampler := &testutil.StartSampler{}
	kit := telemetrytest.New(t, telemetry.WithSampler(sampler))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: middleware.Transport(kit.Telemetry, base)}

	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	target := "http://alice:pa55@" + host + ":" + port + "/v1/items?page=2&api_key=k3y&access_token=t0k"
	req, _ := http.NewRequest("GET", target, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()

	wantFull := "http://REDACTED:REDACTED@" + host + ":" + port + "/v1/items?page=2&api_key=REDACTED&access_token=REDACTED"
	start := map[attribute.Key]string{
		"http.request.method": "GET", "url.full": wantFull, "url.scheme": "http",
		"server.address": host, "server.port": port,
	}
	seen := sampler.Last(t)
	for k, w := range start {
		if v := seen[k]; v.String() != w {
			t.Errorf("sampler saw %s = %q, want %q", k, v.String(), w)
		}
	}
	s := onlySpan(t, kit)
	got := attrMap(s.Attributes)
	want := maps(start, map[attribute.Key]string{
		"http.response.status_code": "404", "error.type": "404", "network.protocol.version": "1.1",
	})
	for k, w := range want {
		if got[k] != w {
			t.Errorf("span %s = %q, want %q", k, got[k], w)
		}
	}
	for _, v := range got {
		if strings.Contains(v, "pa55") || strings.Contains(v, "alice") || strings.Contains(v, "k3y") || strings.Contains(v, "t0k") {
			t.Errorf("a credential reached the client span: %q", v)
		}
	}
	if req.URL.User == nil || req.URL.User.Username() != "alice" {
		t.Error("the caller's URL was modified")
	}
}

func TestClientMethodOriginal(t *testing.T) {
	kit := telemetrytest.New(t)
	rt := middleware.Transport(kit.Telemetry, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("refused")
	}))
	r, _ := http.NewRequest("BREW", "coffee://pot.example/", nil)
	if _, err := rt.RoundTrip(r); err == nil {
		t.Fatal("no error")
	}
	got := attrMap(onlySpan(t, kit).Attributes)
	for k, w := range map[attribute.Key]string{
		"http.request.method": "_OTHER", "http.request.method_original": "BREW",
		"server.address": "pot.example", "error.type": "_OTHER",
	} {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if v, ok := got["server.port"]; ok {
		t.Errorf("server.port = %q for a scheme without a default port", v)
	}
}
