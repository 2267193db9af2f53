// Package integration holds the tests that run against the real local
// monitoring stack (examples/stack/local/stack.sh up): an OpenTelemetry
// Collector built from the Go module proxy, Jaeger, Prometheus, the
// remote-write "cloud" Prometheus and the cloud stand-in collector.
// They are behind the build tag "integration":
//
//	bash examples/stack/local/stack.sh up
//	go test -race -tags integration ./integration/...
package integration
