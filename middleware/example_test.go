package middleware_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

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
	// WithRouteFunc), else it counts as "unmatched".
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
