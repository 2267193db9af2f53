package muxtel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"

	"github.com/gorilla/mux"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/instrumentation/muxtel"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func getUser(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, "user "+mux.Vars(r)["id"])
}

func ExampleHandler() {
	// In a service, tel comes from telemetry.Init; the example records
	// into memory to show what comes out.
	kit, _ := telemetrytest.NewKit(context.Background(), telemetry.WithService("api-gateway"))
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()
	tel := kit.Telemetry

	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", getUser).Methods("GET")

	// The server's handler is the router: wrap it from outside.
	//	http.ListenAndServe(":8080", muxtel.Handler(tel, r))
	srv := httptest.NewServer(muxtel.Handler(tel, r))
	defer srv.Close()
	for _, c := range []struct{ method, path string }{{"GET", "/users/1"}, {"POST", "/users/1"}, {"GET", "/nope"}} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		if resp, err := srv.Client().Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}
	printTelemetry(kit)
	// Output:
	// span: GET /users/{id}
	// span: POST
	// span: GET
	// http_requests_total{endpoint="/users/{id}", status_code="200"} 1
	// http_requests_total{endpoint="unmatched", status_code="404"} 1
	// http_requests_total{endpoint="unmatched", status_code="405"} 1
}

func ExampleUse() {
	kit, _ := telemetrytest.NewKit(context.Background(), telemetry.WithService("api-gateway"))
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()
	tel := kit.Telemetry

	r := mux.NewRouter()
	r.HandleFunc("/users/{id}", getUser).Methods("GET")
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/orders/{id}", func(http.ResponseWriter, *http.Request) {})

	// After the routes: Use also measures the router's 404s and 405s.
	muxtel.Use(tel, r)

	for _, path := range []string{"/users/1", "/api/orders/2", "/nope", "/api/nope"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	printTelemetry(kit)
	// Output:
	// span: GET /users/{id}
	// span: GET /api/orders/{id}
	// span: GET
	// span: GET
	// http_requests_total{endpoint="/api/orders/{id}", status_code="200"} 1
	// http_requests_total{endpoint="/users/{id}", status_code="200"} 1
	// http_requests_total{endpoint="unmatched", status_code="404"} 2
}

// printTelemetry prints the span names, then the http_requests_total
// points by endpoint and status code.
func printTelemetry(kit *telemetrytest.Kit) {
	for _, s := range kit.Spans() {
		fmt.Println("span:", s.Name)
	}
	m, _ := kit.Metric(metrics.HTTPRequestsName)
	sum, _ := m.Data.(metricdata.Sum[int64])
	var lines []string
	for _, dp := range sum.DataPoints {
		e, _ := dp.Attributes.Value(metrics.HTTPEndpointKey)
		s, _ := dp.Attributes.Value(metrics.HTTPStatusCodeKey)
		lines = append(lines, fmt.Sprintf("%s{endpoint=%q, status_code=%q} %d",
			metrics.HTTPRequestsName, e.AsString(), s.AsString(), dp.Value))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}
