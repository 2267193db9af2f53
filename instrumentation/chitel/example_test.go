package chitel_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/go-chi/chi/v5"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/instrumentation/chitel"
	"github.com/starmates-ai-team/telemetry/internal/routertest"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func getUser(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, "user "+chi.URLParam(r, "id"))
}

func ExampleMiddleware() {
	// In a service, tel comes from telemetry.Init; the example records
	// into memory to show what comes out.
	kit, _ := telemetrytest.NewKit(context.Background(), telemetry.WithService("api-gateway"))
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()
	tel := kit.Telemetry

	r := chi.NewRouter()
	r.Use(chitel.Middleware(tel, middleware.ExcludePaths("/healthz")))
	r.Get("/users/{id}", getUser)
	r.Route("/api", func(r chi.Router) {
		r.Get("/orders/{id}", func(http.ResponseWriter, *http.Request) {})
	})

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

func ExampleHandler() {
	kit, _ := telemetrytest.NewKit(context.Background(), telemetry.WithService("api-gateway"))
	defer func() { _ = kit.Telemetry.Shutdown(context.Background()) }()
	tel := kit.Telemetry

	r := chi.NewRouter()
	r.Get("/users/{id}", getUser)

	// The server's handler is the router: wrap it from outside.
	//	http.ListenAndServe(":8080", chitel.Handler(tel, r))
	srv := httptest.NewServer(chitel.Handler(tel, r))
	defer srv.Close()
	routertest.ServeClient(srv, "GET /users/1", "POST /users/1")
	routertest.Print(os.Stdout, kit)
	// Output:
	// span: GET /users/{id}
	// span: POST
	// http_requests_total{endpoint="/users/{id}", status_code="200"} 1
	// http_requests_total{endpoint="unmatched", status_code="405"} 1
}
