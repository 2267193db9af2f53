module github.com/starmates-ai-team/telemetry/instrumentation/openaitel

go 1.26.0

replace github.com/starmates-ai-team/telemetry => ../..

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/tidwall/gjson v1.20.0 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
)

require (
	github.com/openai/openai-go/v3 v3.100.0
	github.com/starmates-ai-team/telemetry v0.0.0-00010101000000-000000000000
)
