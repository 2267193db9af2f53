module github.com/starmates-ai-team/telemetry/examples/stack/tools

go 1.26.0

require golang.org/x/crypto v0.59.0
