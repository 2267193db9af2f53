module github.com/starmates-ai-team/telemetry/examples/stack/tools

go 1.26.7

require golang.org/x/crypto v0.59.0

require (
	github.com/grafana/grafana-foundation-sdk/go v0.0.22 // indirect
	github.com/prometheus/prometheus v0.316.0 // indirect
)
