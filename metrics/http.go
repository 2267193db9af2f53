package metrics

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/starmates-ai-team/telemetry/internal/httpconv"
)

// The HTTP server metrics that package middleware records, as they appear
// in Prometheus once the collector has translated them (docs/metrics.md
// has their units, descriptions and labels). The SDK adds the labels
// environment, project and service at export.
const (
	// HTTPRequestsName counts finished HTTP server requests, labelled
	// method, endpoint and status_code.
	HTTPRequestsName = "http_requests_total"
	// HTTPRequestDurationName is the histogram of HTTP server request
	// durations in seconds, labelled method and endpoint. Its buckets are
	// telemetry.SecondsBuckets (the SDK's view for unit "s").
	HTTPRequestDurationName = "http_request_duration_seconds"
	// HTTPErrorsName counts failed HTTP server requests by error_type:
	// client_error, server_error, timeout, canceled or panic.
	HTTPErrorsName = "http_errors_total"
)

// The label keys of the HTTP metrics.
const (
	HTTPMethodKey     attribute.Key = "method"
	HTTPEndpointKey   attribute.Key = "endpoint"
	HTTPStatusCodeKey attribute.Key = "status_code"
	HTTPErrorTypeKey  attribute.Key = "error_type"
)

// Label values that stand for a group of inputs.
const (
	// HTTPOther is the method of a request whose method is not a known
	// one, the status_code of a status outside 100..599, and the endpoint
	// once a middleware has seen more distinct routes than it keeps.
	HTTPOther = httpconv.Other
	// HTTPUnmatched is the endpoint of a request that the router answered
	// itself because no route matched: a 404 or 405 without a route,
	// anything an http.ServeMux answers without a pattern (its redirects
	// included), or a request whose route function (or SetRoute) gave
	// middleware.Unmatched, as the router integrations do for a mounted
	// router's 404 or gorilla's clean-path redirect.
	HTTPUnmatched = "unmatched"
	// HTTPNoRoute is the endpoint of a request that got a response other
	// than 404 or 405 without any route being known: a handler that is not
	// a router, or a router the middleware cannot ask. The middleware warns
	// once when it first sees one; name the routes with middleware.SetRoute,
	// middleware.WithRouteFunc or a router integration.
	HTTPNoRoute = "no_route"
)
