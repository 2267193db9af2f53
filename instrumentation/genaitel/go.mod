module github.com/starmates-ai-team/telemetry/instrumentation/genaitel

go 1.26.0

replace github.com/starmates-ai-team/telemetry => ../..

require github.com/starmates-ai-team/telemetry v0.0.0-00010101000000-000000000000

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
)
