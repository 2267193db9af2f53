package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/internal/httpconv"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// The attribute keys a server span may carry: nothing from the baggage or
// any other header but the User-Agent and the Host (server.address,
// server.port) becomes an attribute; the forwarding headers only with
// WithForwardedClientAddress.
var fuzzSpanKeys = map[attribute.Key]bool{
	"http.request.method": true, "url.scheme": true, "url.path": true, "url.query": true,
	"http.response.status_code": true, "http.route": true,
	"http.request.method_original": true, "user_agent.original": true, "error.type": true,
	"server.address": true, "server.port": true, "network.protocol.version": true,
	"client.address": true, "network.peer.address": true, "network.peer.port": true,
}

// fuzzMaxAttrs is the most attributes a server span gets (the package's
// maxSpanAttrs at the start, 3 at the end).
const fuzzMaxAttrs = 15

// FuzzPropagationHeaders sends hostile traceparent, tracestate, baggage and
// User-Agent headers and raw paths through the middleware. It must not
// panic; the server span must continue a valid incoming trace context and
// only that; no header but the User-Agent may become an attribute; the
// endpoint label must stay in the bounded set; and every string the span
// and the metrics carry must be valid UTF-8, because OTLP (protobuf) refuses
// to marshal anything else and one such string loses the whole export batch.
func FuzzPropagationHeaders(f *testing.F) {
	f.Add("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "congo=t61rcWkgMzE", "userId=alice,k2=v2;prop", "curl/8", "/users/7")
	f.Add("00-00000000000000000000000000000000-0000000000000000-01", "", "", "", "/")
	f.Add("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ",,,=", "=;;;", "", "/users/")
	f.Add("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", "a=b,a=c", "k=%ZZ", "\x00", "//users/1/../2")
	f.Add("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-09-extra", "x", "k=v,k=v,k=v", "agent", "/users/%2F")
	f.Add("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331", "", "k=\xff", "\xff\xfe", "/users/\xff")
	f.Add("", "", "", "Mozilla/5.0 (\u00e9)", "/\u00e9t\u00e9")

	kit := telemetrytest.New(f)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	h := middleware.New(kit.Telemetry)(mux)
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

	f.Fuzz(func(t *testing.T, traceparent, tracestate, baggage, userAgent, path string) {
		kit.Reset()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL = &url.URL{Path: path}
		r.RequestURI = ""
		r.Header = http.Header{}
		for k, v := range map[string]string{"Traceparent": traceparent, "Tracestate": tracestate, "Baggage": baggage, "User-Agent": userAgent} {
			if v != "" {
				r.Header[k] = []string{v}
			}
		}
		want := prop.Extract(context.Background(), propagation.HeaderCarrier(r.Header))
		h.ServeHTTP(httptest.NewRecorder(), r)

		spans := kit.Spans()
		if len(spans) != 1 {
			t.Fatalf("%d spans, want 1", len(spans))
		}
		s := spans[0]
		if in := trace.SpanContextFromContext(want); in.IsValid() {
			if s.Parent.TraceID() != in.TraceID() || s.Parent.SpanID() != in.SpanID() || s.SpanContext.TraceID() != in.TraceID() {
				t.Errorf("span %v / parent %v does not continue the incoming %v", s.SpanContext, s.Parent, in)
			}
		} else if s.Parent.IsValid() {
			t.Errorf("span has parent %v from an invalid traceparent %q", s.Parent, traceparent)
		}
		if len(s.Attributes) > fuzzMaxAttrs {
			t.Errorf("span has %d attributes, want at most %d", len(s.Attributes), fuzzMaxAttrs)
		}
		for _, kv := range s.Attributes {
			if !fuzzSpanKeys[kv.Key] {
				t.Errorf("unexpected span attribute %s=%q", kv.Key, kv.Value.String())
			}
		}
		checkSpansUTF8(t, spans)

		m, ok := kit.Metric(metrics.HTTPRequestsName)
		if !ok {
			t.Fatalf("no %s", metrics.HTTPRequestsName)
		}
		for _, set := range fuzzPointSets(m.Data) {
			switch e, _ := set.Value(metrics.HTTPEndpointKey); e.AsString() {
			case "/users/{id}", metrics.HTTPUnmatched:
			default:
				t.Errorf("endpoint label %q from path %q", e.AsString(), path)
			}
			checkSetUTF8(t, set)
		}
	})
}

// FuzzSetRoute hands arbitrary routes to SetRoute, as a third-party router
// might. The series of http_requests_total must stay bounded (the
// middleware keeps 1000 endpoints, the rest count as _OTHER), and every
// label value and the span name must be valid UTF-8 (see
// FuzzPropagationHeaders).
func FuzzSetRoute(f *testing.F) {
	for _, s := range []string{"/users/{id}", "", "/", "\x00", "/a b/{c}", "/\u00e9", "/\xff", "{", "/x/" + string(make([]byte, 300))} {
		f.Add(s)
	}
	kit := telemetrytest.New(f)
	var route string
	h := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, route)
	}))
	f.Fuzz(func(t *testing.T, rt string) {
		kit.Reset()
		route = rt
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
		checkSpansUTF8(t, kit.Spans())
		m, ok := kit.Metric(metrics.HTTPRequestsName)
		if !ok {
			t.Fatalf("no %s", metrics.HTTPRequestsName)
		}
		sets := fuzzPointSets(m.Data)
		// One method and one status: at most 1000 routes + unmatched + _OTHER.
		if len(sets) > 1002 {
			t.Fatalf("%d series of %s, want at most 1002", len(sets), metrics.HTTPRequestsName)
		}
		for _, set := range sets {
			checkSetUTF8(t, set)
		}
	})
}

func checkSpansUTF8(t *testing.T, spans tracetest.SpanStubs) {
	t.Helper()
	for _, s := range spans {
		if !utf8.ValidString(s.Name) {
			t.Errorf("span name %q is not valid UTF-8: the OTLP export of its batch would fail", s.Name)
		}
		for _, kv := range s.Attributes {
			checkValueUTF8(t, kv)
		}
	}
}

func checkSetUTF8(t *testing.T, set attribute.Set) {
	t.Helper()
	for _, kv := range set.ToSlice() {
		checkValueUTF8(t, kv)
	}
}

func checkValueUTF8(t *testing.T, kv attribute.KeyValue) {
	t.Helper()
	ok := utf8.ValidString(string(kv.Key))
	switch kv.Value.Type() {
	case attribute.STRING:
		ok = ok && utf8.ValidString(kv.Value.AsString())
	case attribute.STRINGSLICE:
		for _, s := range kv.Value.AsStringSlice() {
			ok = ok && utf8.ValidString(s)
		}
	}
	if !ok {
		t.Errorf("attribute %q=%q is not valid UTF-8: the OTLP export of its batch would fail", kv.Key, kv.Value.String())
	}
}

func fuzzPointSets(d metricdata.Aggregation) []attribute.Set {
	var out []attribute.Set
	switch d := d.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out = append(out, p.Attributes)
		}
	}
	return out
}

// FuzzRequestAttributes sends hostile Host, RemoteAddr, query, method and
// forwarding headers through a middleware that trusts the forwarding
// headers. It must not panic; every span string must be valid UTF-8; the
// method label must stay in the known set; no sensitive query value may
// reach the span.
func FuzzRequestAttributes(f *testing.F) {
	f.Add("example.com:8080", "192.0.2.1:1234", "q=1&token=s3cr3t", "for=192.0.2.60", "203.0.113.7", "GET")
	f.Add("[::1", ":", "a=%zz;sig=x", `for="[`, ",,,", "PROPFIND")
	f.Add("\xff:99999", "[2001:db8::1]:80", "Signature=\xff&x", "for=_hidden;for=1.2.3.4", "unknown", "get")
	f.Add("", "", "", "", "", "")
	kit := telemetrytest.New(f)
	h := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		middleware.WithForwardedClientAddress())
	f.Fuzz(func(t *testing.T, host, remote, query, forwarded, xff, method string) {
		kit.Reset()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Method, r.Host, r.RemoteAddr = method, host, remote
		r.URL = &url.URL{Path: "/p", RawQuery: query}
		r.Header = http.Header{"Forwarded": {forwarded}, "X-Forwarded-For": {xff}}
		h.ServeHTTP(httptest.NewRecorder(), r)
		spans := kit.Spans()
		if len(spans) != 1 {
			t.Fatalf("%d spans", len(spans))
		}
		checkSpansUTF8(t, spans)
		if len(spans[0].Attributes) > fuzzMaxAttrs {
			t.Errorf("%d attributes", len(spans[0].Attributes))
		}
		for _, kv := range spans[0].Attributes {
			if kv.Key != "url.query" {
				continue
			}
			for _, pair := range strings.FieldsFunc(kv.Value.AsString(), func(r rune) bool { return r == '&' || r == ';' }) {
				if k, v, ok := strings.Cut(pair, "="); ok && v != "" && httpconvSensitive(k) && v != "REDACTED" {
					t.Errorf("url.query %q keeps the value of %q", kv.Value.AsString(), k)
				}
			}
		}
		m, _ := kit.Metric(metrics.HTTPRequestsName)
		for _, set := range fuzzPointSets(m.Data) {
			if v, _ := set.Value(metrics.HTTPMethodKey); (httpconv.Methods{}).Normalize(v.AsString()) != v.AsString() {
				t.Errorf("method label %q outside the known set", v.AsString())
			}
			checkSetUTF8(t, set)
		}
	})
}

// httpconvSensitive is the key rule of the package's url.query redaction
// for the keys the seeds use (the full rule is tested in internal/httpconv).
func httpconvSensitive(k string) bool {
	switch strings.ToLower(k) {
	case "token", "sig", "signature", "api_key", "password":
		return true
	}
	return false
}
