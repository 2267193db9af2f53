package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// ownProviders is an OpenTelemetry SDK of the test's own, not a Telemetry.
type ownProviders struct{ *testutil.Providers }

func newOwnProviders(t *testing.T) *ownProviders { return &ownProviders{testutil.NewProviders(t)} }

// requests returns the http_requests_total points by endpoint.
func (p *ownProviders) requests(t *testing.T) map[string]int64 {
	t.Helper()
	return p.SumBy(t, metrics.HTTPRequestsName, metrics.HTTPEndpointKey)
}

// TestProvidersWithoutTelemetry: with a nil Telemetry, the provider
// options make New and Transport work on those providers.
func TestProvidersWithoutTelemetry(t *testing.T) {
	p := newOwnProviders(t)
	var gotParent trace.SpanContext
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(_ http.ResponseWriter, r *http.Request) {
		gotParent = trace.SpanContextFromContext(r.Context())
	})
	h := middleware.New(nil,
		middleware.WithTracerProvider(p.TP),
		middleware.WithMeterProvider(p.MP),
		middleware.WithPropagators(propagation.TraceContext{}),
	)(mux)
	r := httptest.NewRequest("GET", "/users/1", nil)
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	h.ServeHTTP(httptest.NewRecorder(), r)

	spans := p.Spans.GetSpans()
	if len(spans) != 1 || spans[0].Name != "GET /users/{id}" {
		t.Fatalf("spans %q, want one GET /users/{id}", spanNames(spans))
	}
	if spans[0].SpanContext.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" || gotParent.SpanID() != spans[0].SpanContext.SpanID() {
		t.Errorf("span %v does not continue the incoming trace, or is not the handler's", spans[0].SpanContext)
	}
	if got := p.requests(t); got["/users/{id}"] != 1 {
		t.Errorf("http_requests_total by endpoint %v, want /users/{id}: 1", got)
	}

	// Transport on a tracer provider alone.
	p.Spans.Reset()
	rt := middleware.Transport(nil, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Traceparent") == "" {
			t.Error("no traceparent injected")
		}
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	}), middleware.WithTracerProvider(p.TP))
	req, _ := http.NewRequest("GET", "http://svc.example/x", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if spans := p.Spans.GetSpans(); len(spans) != 1 || spans[0].SpanKind != trace.SpanKindClient {
		t.Errorf("client spans %q, want one", spanNames(spans))
	}
	if rt := middleware.Transport(nil, nil, middleware.WithMeterProvider(p.MP)); rt != http.DefaultTransport {
		t.Errorf("Transport with a meter provider only = %T, want the base (it records no metrics)", rt)
	}
}

// TestProvidersOverrideTelemetry: with an enabled Telemetry, the options
// still win, each for its own signal.
func TestProvidersOverrideTelemetry(t *testing.T) {
	kit := telemetrytest.New(t)
	p := newOwnProviders(t)
	h := middleware.Handler(kit.Telemetry, http.NotFoundHandler(), middleware.WithTracerProvider(p.TP))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if n := len(p.Spans.GetSpans()); n != 1 {
		t.Errorf("%d spans on the option's provider, want 1", n)
	}
	if n := len(kit.Spans()); n != 0 {
		t.Errorf("%d spans on the Telemetry's provider, want 0", n)
	}
	if got := requests(t, kit, "GET", metrics.HTTPUnmatched, "404"); got != 1 {
		t.Errorf("the Telemetry's meter provider counted %v, want 1", got)
	}
}

// TestMeterProviderOnlyWithoutTelemetry: metrics on the given provider,
// no spans anywhere.
func TestMeterProviderOnlyWithoutTelemetry(t *testing.T) {
	p := newOwnProviders(t)
	h := middleware.Handler(nil, http.NotFoundHandler(), middleware.WithMeterProvider(p.MP))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got := p.requests(t); got[metrics.HTTPUnmatched] != 1 {
		t.Errorf("http_requests_total by endpoint %v", got)
	}
}

const (
	incomingTrace = "0af7651916cd43dd8448eb211c80319c"
	incomingSpan  = "b7ad6b7169203331"
)

// servePublic sends a request with an unsampled incoming trace context and
// baggage, and reports the handler's view.
func servePublic(t *testing.T, h func(http.Handler) http.Handler, path string) (bag baggage.Baggage) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("Traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-00") // not sampled
	r.Header.Set("Baggage", "user=alice")
	h(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		bag = baggage.FromContext(r.Context())
		middleware.SetRoute(r, path)
	})).ServeHTTP(httptest.NewRecorder(), r)
	return bag
}

func TestPublicEndpoint(t *testing.T) {
	kit := telemetrytest.New(t) // ParentBased(AlwaysOn)

	// Not public: the caller's unsampled flag is followed, baggage kept.
	bag := servePublic(t, middleware.New(kit.Telemetry), "/internal")
	if n := len(kit.Spans()); n != 0 {
		t.Errorf("%d spans for an unsampled parent, want 0", n)
	}
	if bag.Member("user").Value() != "alice" {
		t.Errorf("baggage %v, want the caller's", bag)
	}

	// Public: a new, sampled root linked to the caller's span; no baggage.
	bag = servePublic(t, middleware.New(kit.Telemetry, middleware.WithPublicEndpoint()), "/public")
	checkPublicSpan(t, kit)
	if bag.Len() != 0 {
		t.Errorf("baggage %v reached a public endpoint's handler", bag)
	}
}

func TestPublicEndpointFn(t *testing.T) {
	kit := telemetrytest.New(t)
	mw := middleware.New(kit.Telemetry, middleware.WithPublicEndpointFn(func(r *http.Request) bool {
		return r.URL.Path == "/public"
	}))
	if bag := servePublic(t, mw, "/internal"); len(kit.Spans()) != 0 || bag.Len() != 1 {
		t.Errorf("a non-public request: %d spans, baggage %v; want the caller's decision and baggage", len(kit.Spans()), bag)
	}
	if bag := servePublic(t, mw, "/public"); bag.Len() != 0 {
		t.Errorf("baggage %v reached a public endpoint's handler", bag)
	}
	checkPublicSpan(t, kit)
}

func checkPublicSpan(t *testing.T, kit *telemetrytest.Kit) {
	t.Helper()
	s := onlySpan(t, kit)
	if s.Parent.IsValid() || s.SpanContext.TraceID().String() == incomingTrace {
		t.Errorf("public span has parent %v, trace %s: want a new root", s.Parent, s.SpanContext.TraceID())
	}
	if len(s.Links) != 1 || s.Links[0].SpanContext.TraceID().String() != incomingTrace ||
		s.Links[0].SpanContext.SpanID().String() != incomingSpan {
		t.Errorf("links %+v, want one to the incoming span", s.Links)
	}
	kit.Reset()
}

// TestPublicEndpointWithoutIncomingContext: no link when there is nothing
// to link to.
func TestPublicEndpointWithoutIncomingContext(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("edge"))
	middleware.Handler(kit.Telemetry, http.NotFoundHandler(), middleware.WithPublicEndpoint()).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if s := onlySpan(t, kit); len(s.Links) != 0 || s.Parent.IsValid() {
		t.Errorf("links %v parent %v, want none", s.Links, s.Parent)
	}
}
