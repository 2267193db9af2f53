package muxtel_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gorilla/mux"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/instrumentation/muxtel"
	"github.com/starmates-ai-team/telemetry/internal/routertest"
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
	routertest.ServeClient(srv, "GET /users/1", "POST /users/1", "GET /nope")
	routertest.Print(os.Stdout, kit)
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

	routertest.Serve(r, "GET", "/users/1", "/api/orders/2", "/nope", "/api/nope")
	routertest.Print(os.Stdout, kit)
	// Output:
	// span: GET /users/{id}
	// span: GET /api/orders/{id}
	// span: GET
	// span: GET
	// http_requests_total{endpoint="/api/orders/{id}", status_code="200"} 1
	// http_requests_total{endpoint="/users/{id}", status_code="200"} 1
	// http_requests_total{endpoint="unmatched", status_code="404"} 2
}
