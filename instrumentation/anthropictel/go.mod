module github.com/starmates-ai-team/telemetry/instrumentation/anthropictel

go 1.26.0

require (
	github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream v1.6.3
	github.com/starmates-ai-team/telemetry v0.0.0-00010101000000-000000000000
)

require (
	github.com/aws/smithy-go v1.22.5 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
)

replace github.com/starmates-ai-team/telemetry => ../..
