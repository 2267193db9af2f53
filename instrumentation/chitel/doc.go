// Package chitel makes the telemetry HTTP middleware see the routes of a
// go-chi/chi v5 router, so that requests are labelled and their spans
// named by route template ("GET /users/{id}") instead of counting as
// "unmatched".
//
// Install it in the router, first among its middlewares:
//
//	r := chi.NewRouter()
//	r.Use(chitel.Middleware(tel))
//	r.Get("/users/{id}", getUser)
//
// or wrap the router from outside:
//
//	http.ListenAndServe(":8080", chitel.Handler(tel, r))
//
// Both measure every request the router answers, chi's 404 and 405
// included: those have no route and count under the endpoint "unmatched".
// A route of a mounted router gets its full template ("/api/users/{id}"),
// and a request that the router's middlewares answer before chi routes it
// (a 401 from authentication) the template of the route that would have
// served it.
// The options are those of the middleware package (middleware.ExcludePaths,
// middleware.WithLogger, ...).
//
// This package is its own Go module, so that the core module does not
// depend on chi.
package chitel
