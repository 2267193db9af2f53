// Package faults is the SDK's fault suite: it injects real faults into a
// real OpenTelemetry Collector and checks that a service built on the SDK
// stays healthy and that the SDK loses only what it says it loses.
//
// The tests are behind the build tag faults, so that go test ./... stays
// fast:
//
//	go test -race -count=1 -tags faults -timeout 20m ./faults/...
//
// They start their own collector processes on free loopback ports (never
// the shared stack's 4317/4318/8889/...), built by
// examples/stack/local/stack.sh (bin otelcol) or taken from OTELCOL_BIN,
// with configs written to a temporary folder: an OTLP receiver fanning out
// to file exporters (to count what arrived), a prometheus exporter (to read
// metric totals) and, for the cloud scenarios, an otlp_http exporter to a
// fake cloud in the test. Faults: the collector down from the start, killed
// with SIGKILL mid-load and restarted; a blackhole that accepts connections
// and never answers; a cloud answering 401, 429 or 503; hostile input
// (floods of distinct label values, huge and invalid UTF-8 values).
//
// docs/reliability.md has the table of faults, what is measured and the
// results. The package has no API: this file only documents it.
package faults
