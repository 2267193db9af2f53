// Package muxtel makes the telemetry HTTP middleware see the routes of a
// gorilla/mux router, so that requests are labelled and their spans named
// by path template ("GET /users/{id}") instead of counting as
// "unmatched", and so that the router's 404 and 405 answers are measured.
//
// Wrap the router from outside:
//
//	http.ListenAndServe(":8080", muxtel.Handler(tel, r))
//
// or install the middleware in the router, after its routes:
//
//	muxtel.Use(tel, r)
//
// gorilla/mux runs the middlewares of router.Use only for requests that
// match a route, so router.Use(middleware.New(tel)) alone never sees a 404
// or a 405; Use also wraps the router's NotFoundHandler and
// MethodNotAllowedHandler. In both ways a 404 or 405 of the router has no
// route and counts under the endpoint "unmatched", and a route of a
// sub-router gets its full template ("/api/users/{id}"), as gorilla keeps
// it (GetPathTemplate: variable patterns included, "/items/{id:[0-9]+}"). The options are
// those of the middleware package (middleware.ExcludePaths,
// middleware.WithLogger, ...).
//
// This package is its own Go module, so that the core module does not
// depend on gorilla/mux.
package muxtel
