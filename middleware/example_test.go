package middleware_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// In a service, tel comes from telemetry.Init; the examples record into
// memory with telemetrytest to show what comes out.
func newExampleKit() *telemetrytest.Kit {
	kit, err := telemetrytest.NewKit(context.Background(), telemetry.WithService("api-gateway"))
	if err != nil {
		panic(err)
	}
	return kit
}

func ExampleNew() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "user "+r.PathValue("id"))
	})
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	handler := middleware.New(kit.Telemetry, middleware.ExcludePaths("/healthz"))(mux)

	for _, path := range []string{"/users/1", "/users/2", "/healthz", "/nope"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}

	for _, s := range kit.Spans() {
		fmt.Println("span:", s.Name)
	}
	ok, _ := kit.Sum(metrics.HTTPRequestsName,
		metrics.HTTPEndpointKey.String("/users/{id}"), metrics.HTTPStatusCodeKey.String("200"))
	notFound, _ := kit.Sum(metrics.HTTPRequestsName,
		metrics.HTTPEndpointKey.String(metrics.HTTPUnmatched), metrics.HTTPStatusCodeKey.String("404"))
	fmt.Println("GET /users/{id} 200:", ok)
	fmt.Println("GET unmatched 404:", notFound)
	// Output:
	// span: GET /users/{id}
	// span: GET /users/{id}
	// span: GET
	// GET /users/{id} 200: 2
	// GET unmatched 404: 1
}

func ExampleHandler() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	// One handler without a router: name its route with SetRoute (or
	// WithRouteFunc), else it counts as "no_route".
	upload := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/upload")
		w.WriteHeader(http.StatusCreated)
	})
	handler := middleware.Handler(kit.Telemetry, upload)
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/upload?name=a.txt", nil))

	fmt.Println("span:", kit.Spans()[0].Name)
	n, _ := kit.Sum(metrics.HTTPRequestsName, metrics.HTTPMethodKey.String("PUT"),
		metrics.HTTPEndpointKey.String("/upload"), metrics.HTTPStatusCodeKey.String("201"))
	fmt.Println("requests:", n)
	// Output:
	// span: PUT /upload
	// requests: 1
}

func ExampleTransport() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	// A downstream service that reports the trace context it received.
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("traceparent received:", r.Header.Get("Traceparent") != "")
	}))
	defer downstream.Close()

	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: middleware.Transport(kit.Telemetry, base)}

	// Inside a handler, pass r.Context() so the client span is its child.
	req, _ := http.NewRequestWithContext(context.Background(), "GET", downstream.URL+"/v1/run", nil)
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	_ = resp.Body.Close()

	s := kit.Spans()[0]
	fmt.Println("span:", s.Name, s.SpanKind)
	// Output:
	// traceparent received: true
	// span: GET client
}

// A sub-mux mounted behind a prefix: StripPrefix keeps the full route.
func ExampleStripPrefix() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	api := http.NewServeMux()
	api.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "user "+r.PathValue("id"))
	})
	mux := http.NewServeMux()
	mux.Handle("/api/", middleware.StripPrefix("/api", api))
	handler := middleware.New(kit.Telemetry)(mux)

	for _, path := range []string{"/api/users/1", "/api/nope"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, s := range kit.Spans() {
		fmt.Println("span:", s.Name)
	}
	n, _ := kit.Sum(metrics.HTTPRequestsName, metrics.HTTPEndpointKey.String("/api/users/{id}"))
	fmt.Println("/api/users/{id}:", n)
	// Output:
	// span: GET /api/users/{id}
	// span: GET
	// /api/users/{id}: 1
}

// An edge service does not let its callers choose its traces.
func ExampleWithPublicEndpoint() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	handler := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/login")
		fmt.Println("baggage members:", baggage.FromContext(r.Context()).Len())
	}), middleware.WithPublicEndpoint())

	r := httptest.NewRequest("POST", "/login", nil)
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00") // "do not sample"
	r.Header.Set("Baggage", "tenant=evil")
	handler.ServeHTTP(httptest.NewRecorder(), r)

	s := kit.Spans()[0]
	fmt.Println("span:", s.Name)
	fmt.Println("continues the caller's trace:", s.SpanContext.TraceID().String() == "0af7651916cd43dd8448eb211c80319c")
	fmt.Println("links to the caller's span:", s.Links[0].SpanContext.SpanID())
	// Output:
	// baggage members: 0
	// span: POST /login
	// continues the caller's trace: false
	// links to the caller's span: b7ad6b7169203331
}

// Without a *telemetry.Telemetry, the middleware records on providers of
// one's own (without the environment, project and service labels, which
// the Telemetry's exporters add).
func ExampleWithTracerProvider() {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(http.ResponseWriter, *http.Request) {})
	handler := middleware.New(nil, middleware.WithTracerProvider(tp), middleware.WithMeterProvider(mp))(mux)
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/7", nil))

	fmt.Println("span:", spans.GetSpans()[0].Name)
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		fmt.Println("metric:", m.Name)
	}
	// Output:
	// span: GET /users/{id}
	// metric: http_requests_total
	// metric: http_request_duration_seconds
}

// Only some requests come from outside: the edge proxy marks them.
func ExampleWithPublicEndpointFn() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	handler := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/orders")
	}), middleware.WithPublicEndpointFn(func(r *http.Request) bool {
		return r.Header.Get("X-From-Edge") == "1" // set by the proxy, stripped from client requests
	}))

	for _, edge := range []bool{false, true} {
		r := httptest.NewRequest("GET", "/orders", nil)
		r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		if edge {
			r.Header.Set("X-From-Edge", "1")
		}
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	for _, s := range kit.Spans() {
		fmt.Println("continues the caller's trace:", s.Parent.IsValid(), "links:", len(s.Links))
	}
	// Output:
	// continues the caller's trace: true links: 0
	// continues the caller's trace: false links: 1
}

// Behind a proxy that sets X-Forwarded-For, client.address is the
// original client; the proxy is network.peer.address.
func ExampleWithForwardedClientAddress() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	handler := middleware.Handler(kit.Telemetry, http.NotFoundHandler(), middleware.WithForwardedClientAddress())
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.5:41000" // the proxy
	r.Header.Set("X-Forwarded-For", "203.0.113.7, 10.0.0.5")
	handler.ServeHTTP(httptest.NewRecorder(), r)

	for _, kv := range kit.Spans()[0].Attributes {
		switch kv.Key {
		case "client.address", "network.peer.address":
			fmt.Println(kv.Key, kv.Value.AsString())
		}
	}
	// Output:
	// client.address 203.0.113.7
	// network.peer.address 10.0.0.5
}

// WithPropagators reads only what the given propagator knows: here W3C
// trace context without baggage.
func ExampleWithPropagators() {
	kit := newExampleKit()
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()

	handler := middleware.Handler(kit.Telemetry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.SetRoute(r, "/")
		fmt.Println("baggage members:", baggage.FromContext(r.Context()).Len())
	}), middleware.WithPropagators(propagation.TraceContext{}))

	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	r.Header.Set("Baggage", "tenant=a")
	handler.ServeHTTP(httptest.NewRecorder(), r)
	fmt.Println("trace:", kit.Spans()[0].SpanContext.TraceID())
	// Output:
	// baggage members: 0
	// trace: 0af7651916cd43dd8448eb211c80319c
}
