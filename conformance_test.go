package telemetry_test

// The conformance test of the standard OpenTelemetry environment variables.
//
// Each row runs telemetry.Init in a child process (this test binary again,
// -test.run=^TestConformanceChild$) with the row's environment and nothing
// else from OTEL_*, so that the environment, the OpenTelemetry globals and
// standard output are the row's alone. The child calls Init with
// WithService("conf") only, emits one span, one counter add, one histogram
// record and one log record, calls Shutdown and prints a JSON result after
// a marker; the parent checks what a local OTLP receiver (internal/otlptest)
// got and what the child printed.
//
//	go test -race -run 'TestConformance$' -v .                       # all rows
//	go test -race -run 'TestConformance$/propagators' -v .           # some rows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/otlptest"
)

// What the child emits and the parent looks for.
const (
	confService   = "conf"
	confSpan      = "conf-span"
	confCounter   = "conf.counter"
	confHistogram = "conf.histogram"
	confLog       = "conf-log"
	confLong      = "abcdefghijklmnop" // a 16-byte attribute value, to see truncation
)

// The defaults the mandatory labels take when the row does not set them.
const (
	confDefaultEnvironment = "dev"
	confDefaultProject     = telemetry.DefaultProject
)

var (
	confTraces  = otlptest.Traces
	confMetrics = otlptest.Metrics
	confLogs    = otlptest.Logs
)

// A row of the conformance table: the environment of one child process
// and what must come out of it.
type confRow struct {
	name   string
	server confServer // the receiver's transport security; plaintext by default
	env    confEnv    // {grpc}, {http}, {ca}, ... are replaced, see expand
	expect []confCheck
}

// confServer is the kind of receiver a row exports to.
type confServer int

const (
	confPlaintext  confServer = iota
	confTLSServer             // TLS with the private CA's server certificate
	confMTLSServer            // TLS that requires a client certificate of the CA
	confSlowServer            // plaintext, answers each export after confSlowDelay
)

// confSlowDelay is how long the slow receiver holds each answer: more than the
// timeouts the rows set, less than the 5 s shutdown deadline.
const confSlowDelay = 1500 * time.Millisecond

// confArrivalWait is how long a check waits for data at the receiver.
// The child has exited by then and the receiver records each export
// before it answers, so this is a margin, not a guess at export latency.
const confArrivalWait = time.Second

// confFailFast bounds the exports that are meant to fail (TLS refused,
// nothing listening), so that Shutdown gives up quickly.
const confFailFast = "1000"

type confEnv map[string]string

// confVars is an environment of alternating names and values.
func confVars(kv ...string) confEnv {
	if len(kv)%2 != 0 {
		panic("vars: odd number of arguments")
	}
	e := confEnv{}
	for i := 0; i < len(kv); i += 2 {
		e[kv[i]] = kv[i+1]
	}
	return e
}

// confGRPCEnv exports to the receiver over plaintext gRPC, plus kv.
func confGRPCEnv(kv ...string) confEnv {
	e := confVars("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://{grpc}")
	for k, v := range confVars(kv...) {
		e[k] = v
	}
	return e
}

// confHTTPEnv exports to the receiver over plaintext OTLP/HTTP, plus kv.
func confHTTPEnv(kv ...string) confEnv {
	e := confVars("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://{http}")
	for k, v := range confVars(kv...) {
		e[k] = v
	}
	return e
}

func confWant(c ...confCheck) []confCheck { return c }

// conformanceRows is the table. The short names are local aliases of the
// conf* helpers, so that each row reads as name, env, expect.
func conformanceRows() []confRow {
	const (
		tlsServer  = confTLSServer
		mtlsServer = confMTLSServer
		slowServer = confSlowServer
		failFast   = confFailFast
		dontCare   = confDontCare
	)
	var (
		traces, metrics, logs = confTraces, confMetrics, confLogs
		defaultEnvironment    = confDefaultEnvironment
		defaultProject        = confDefaultProject

		vars, grpcEnv, httpEnv = confVars, confGRPCEnv, confHTTPEnv
		want                   = confWant

		configError, configErrorSaying, errorOmits = confConfigError, confConfigErrorSaying, confErrorOmits
		delivered, nothingArrives, shutdownFails   = confDelivered, confNothingArrives, confShutdownFails
		via, viaFor, paths, gzipped, header        = confVia, confViaFor, confPaths, confGzipped, confHeader
		notTLS, overTLS                            = confNotTLS, confOverTLS
		resource, pointLabels, hasMetric           = confResource, confPointLabels, confHasMetric
		temporality, metricType, exemplars         = confTemporality, confMetricType, confExemplars
		spanAttrLen, spanShape                     = confSpanAttrLen, confSpanShape
		logAttrLen, logAttrCount                   = confLogAttrLen, confLogAttrCount
		propagates, stdoutHas, scraped             = confPropagates, confStdoutHas, confScraped
	)
	return []confRow{
		// Baseline: the three signals over each protocol, with resource and labels.
		{name: "baseline/grpc", env: grpcEnv(), expect: want(
			delivered(traces, metrics, logs), via(otlptest.GRPC), notTLS(), gzipped(),
			resource("service.name", confService), resource("deployment.environment.name", defaultEnvironment),
			resource("project", defaultProject), pointLabels(defaultEnvironment, defaultProject, confService),
			hasMetric("go.goroutine.count"), propagates("baggage", "traceparent"))},
		{name: "baseline/http", env: httpEnv(), expect: want(
			delivered(traces, metrics, logs), via(otlptest.HTTP), notTLS(), gzipped(),
			paths("/v1/traces", "/v1/metrics", "/v1/logs"),
			resource("service.name", confService), resource("deployment.environment.name", defaultEnvironment),
			pointLabels(defaultEnvironment, defaultProject, confService), hasMetric("go.goroutine.count"))},
		{name: "baseline/default protocol is grpc", env: vars("OTEL_EXPORTER_OTLP_ENDPOINT", "http://{grpc}"), expect: want(
			delivered(traces, metrics, logs), via(otlptest.GRPC))},
		{name: "baseline/empty values are unset", env: grpcEnv(
			"OTEL_SDK_DISABLED", "", "ENVIRONMENT", "", "OTEL_RESOURCE_ATTRIBUTES", "", "OTEL_SERVICE_NAME", "",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "", "OTEL_EXPORTER_OTLP_HEADERS", "",
			"OTEL_EXPORTER_OTLP_COMPRESSION", "", "OTEL_EXPORTER_OTLP_INSECURE", "", "OTEL_EXPORTER_OTLP_CERTIFICATE", "",
			"OTEL_EXPORTER_OTLP_TIMEOUT", "", "OTEL_TRACES_EXPORTER", "", "OTEL_METRICS_EXPORTER", "", "OTEL_LOGS_EXPORTER", "",
			"OTEL_PROPAGATORS", "", "OTEL_TRACES_SAMPLER", "", "OTEL_BSP_SCHEDULE_DELAY", "", "OTEL_BLRP_MAX_QUEUE_SIZE", "",
			"OTEL_METRIC_EXPORT_INTERVAL", "", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "", "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", ""),
			expect: want(delivered(traces, metrics, logs), via(otlptest.GRPC), propagates("baggage", "traceparent"),
				resource("deployment.environment.name", defaultEnvironment))},

		// Service and resource.
		{name: "resource/OTEL_SERVICE_NAME loses to WithService", env: grpcEnv("OTEL_SERVICE_NAME", "other"), expect: want(
			delivered(traces, metrics, logs), resource("service.name", confService), pointLabels(defaultEnvironment, defaultProject, confService))},
		{name: "resource/OTEL_RESOURCE_ATTRIBUTES", env: grpcEnv("OTEL_RESOURCE_ATTRIBUTES", "team=ai,note=a%20b,deployment.environment.name=staging,service.name=ignored"), expect: want(
			delivered(traces, metrics, logs), resource("team", "ai"), resource("note", "a b"), resource("deployment.environment.name", "staging"),
			resource("service.name", confService), pointLabels("staging", defaultProject, confService))},
		{name: "resource/ENVIRONMENT=prod", env: grpcEnv("ENVIRONMENT", "prod"), expect: want(
			delivered(traces, metrics, logs), resource("deployment.environment.name", "prod"), pointLabels("prod", defaultProject, confService))},
		{name: "resource/ENVIRONMENT=qa", env: grpcEnv("ENVIRONMENT", "qa"), expect: want(configError("ENVIRONMENT"))},
		{name: "resource/deployment.environment.name=qa", env: grpcEnv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=qa"), expect: want(configError("OTEL_RESOURCE_ATTRIBUTES"))},
		{name: "resource/OTEL_RESOURCE_ATTRIBUTES malformed", env: grpcEnv("OTEL_RESOURCE_ATTRIBUTES", "novalue"), expect: want(configError("OTEL_RESOURCE_ATTRIBUTES"))},

		// OTEL_SDK_DISABLED.
		{name: "disabled/true", env: grpcEnv("OTEL_SDK_DISABLED", "true"), expect: want(nothingArrives())},
		{name: "disabled/TRUE", env: grpcEnv("OTEL_SDK_DISABLED", "TRUE"), expect: want(nothingArrives())},
		{name: "disabled/True", env: httpEnv("OTEL_SDK_DISABLED", "True"), expect: want(nothingArrives())},
		{name: "disabled/false", env: grpcEnv("OTEL_SDK_DISABLED", "false"), expect: want(delivered(traces, metrics, logs))},
		{name: "disabled/FALSE", env: grpcEnv("OTEL_SDK_DISABLED", "FALSE"), expect: want(delivered(traces, metrics, logs))},
		{name: "disabled/1", env: grpcEnv("OTEL_SDK_DISABLED", "1"), expect: want(configError("OTEL_SDK_DISABLED"))},
		{name: "disabled/yes", env: grpcEnv("OTEL_SDK_DISABLED", "yes"), expect: want(configError("OTEL_SDK_DISABLED"))},

		// Endpoints and protocols.
		{name: "endpoint/http generic endpoint with a path", env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://{http}/otlp"), expect: want(
			delivered(traces, metrics, logs), paths("/otlp/v1/traces", "/otlp/v1/metrics", "/otlp/v1/logs"))},
		{name: "endpoint/http generic endpoint with a trailing slash", env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://{http}/otlp/"), expect: want(
			delivered(traces, metrics, logs), paths("/otlp/v1/traces", "/otlp/v1/metrics", "/otlp/v1/logs"))},
		{name: "endpoint/http per-signal endpoints used as is", env: vars("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://{http}/custom/traces",
			"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://{http}/custom/metrics",
			"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://{http}/custom/logs"), expect: want(
			delivered(traces, metrics, logs), paths("/custom/traces", "/custom/metrics", "/custom/logs"))},
		{name: "endpoint/http per-signal endpoint beats generic", env: httpEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://{http}/custom/traces"), expect: want(
			delivered(traces, metrics, logs), paths("/custom/traces", "/v1/metrics", "/v1/logs"))},
		{name: "endpoint/http per-signal endpoint without a path posts to /", env: httpEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://{http}"), expect: want(
			delivered(traces, metrics, logs), paths("/", "/v1/metrics", "/v1/logs"))},
		{name: "endpoint/grpc per-signal endpoint beats generic", env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://{grpc}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(
			delivered(traces), shutdownFails())},
		{name: "endpoint/per-signal protocol beats generic", env: grpcEnv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://{http}/v1/traces"), expect: want(
			delivered(traces, metrics, logs), viaFor(otlptest.HTTP, traces), viaFor(otlptest.GRPC, metrics, logs))},
		{name: "endpoint/http/json is not supported", env: httpEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"), expect: want(
			configErrorSaying("OTEL_EXPORTER_OTLP_PROTOCOL", "not supported"))},
		{name: "endpoint/per-signal http/json is not supported", env: grpcEnv("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"), expect: want(
			configErrorSaying("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "not supported"))},
		{name: "endpoint/unknown protocol", env: grpcEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift"), expect: want(configError("OTEL_EXPORTER_OTLP_PROTOCOL"))},
		{name: "endpoint/bad endpoint", env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://{grpc}"), expect: want(configError("OTEL_EXPORTER_OTLP_ENDPOINT"))},
		{name: "endpoint/bad per-signal endpoint", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://"), expect: want(configError("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"))},

		// Headers.
		{name: "headers/grpc metadata, percent-decoded", env: grpcEnv("OTEL_EXPORTER_OTLP_HEADERS", "x-conf=generic,x-auth=Basic%20abc"), expect: want(
			delivered(traces, metrics, logs), header("x-conf", "generic", traces, metrics, logs), header("x-auth", "Basic abc", traces, metrics, logs))},
		{name: "headers/http per-signal beats generic", env: httpEnv("OTEL_EXPORTER_OTLP_HEADERS", "x-conf=generic", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-conf=traces"), expect: want(
			delivered(traces, metrics, logs), header("x-conf", "traces", traces), header("x-conf", "generic", metrics, logs))},
		{name: "headers/grpc per-signal beats generic", env: grpcEnv("OTEL_EXPORTER_OTLP_HEADERS", "x-conf=generic", "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-conf=metrics"), expect: want(
			delivered(traces, metrics, logs), header("x-conf", "metrics", metrics), header("x-conf", "generic", traces, logs))},
		{name: "headers/malformed, value never echoed", env: grpcEnv("OTEL_EXPORTER_OTLP_HEADERS", "x-auth=Basic%ZZsecret-canary"), expect: want(
			configError("OTEL_EXPORTER_OTLP_HEADERS"), errorOmits("secret-canary"))},
		{name: "headers/malformed per-signal", env: grpcEnv("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "novalue"), expect: want(configError("OTEL_EXPORTER_OTLP_LOGS_HEADERS"))},

		// Timeouts (ms): the slow receiver answers after 1.5 s.
		{name: "timeout/grpc OTEL_EXPORTER_OTLP_TIMEOUT bounds an export", server: slowServer, env: grpcEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "200"), expect: want(
			delivered(traces, metrics, logs), shutdownFails())},
		{name: "timeout/http per-signal timeout beats generic", server: slowServer, env: httpEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "4000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "200"), expect: want(
			delivered(traces, metrics, logs), shutdownFails())},
		{name: "timeout/generous timeout waits for a slow receiver", server: slowServer, env: httpEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "4000"), expect: want(
			delivered(traces, metrics, logs))},
		{name: "timeout/abc", env: grpcEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "abc"), expect: want(configError("OTEL_EXPORTER_OTLP_TIMEOUT"))},
		{name: "timeout/-5", env: grpcEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "-5"), expect: want(configError("OTEL_EXPORTER_OTLP_TIMEOUT"))},
		{name: "timeout/per-signal x", env: grpcEnv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "x"), expect: want(configError("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"))},

		// Compression.
		{name: "compression/grpc gzip", env: grpcEnv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"), expect: want(delivered(traces, metrics, logs), gzipped(traces, metrics, logs))},
		{name: "compression/http gzip", env: httpEnv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"), expect: want(delivered(traces, metrics, logs), gzipped(traces, metrics, logs))},
		{name: "compression/http none", env: httpEnv("OTEL_EXPORTER_OTLP_COMPRESSION", "none"), expect: want(delivered(traces, metrics, logs), gzipped())},
		{name: "compression/grpc per-signal gzip", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "gzip"), expect: want(delivered(traces, metrics, logs), gzipped(metrics))},
		{name: "compression/http per-signal none beats generic gzip", env: httpEnv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip", "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none"), expect: want(
			delivered(traces, metrics, logs), gzipped(traces, metrics))},
		{name: "compression/brotli", env: grpcEnv("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"), expect: want(configError("OTEL_EXPORTER_OTLP_COMPRESSION"))},
		{name: "compression/per-signal zstd", env: grpcEnv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd"), expect: want(configError("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"))},

		// INSECURE and TLS.
		{name: "tls/grpc scheme-less endpoint with INSECURE=true is plaintext", env: vars("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
			"OTEL_EXPORTER_OTLP_ENDPOINT", "{grpc}", "OTEL_EXPORTER_OTLP_INSECURE", "true"), expect: want(delivered(traces, metrics, logs), notTLS())},
		{name: "tls/grpc per-signal INSECURE beats generic", env: vars("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", "{grpc}",
			"OTEL_EXPORTER_OTLP_INSECURE", "false", "OTEL_EXPORTER_OTLP_TRACES_INSECURE", "true", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(
			delivered(traces), notTLS(), shutdownFails())},
		{name: "tls/INSECURE=yes", env: grpcEnv("OTEL_EXPORTER_OTLP_INSECURE", "yes"), expect: want(configError("OTEL_EXPORTER_OTLP_INSECURE"))},
		{name: "tls/per-signal INSECURE=maybe", env: grpcEnv("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "maybe"), expect: want(configError("OTEL_EXPORTER_OTLP_TRACES_INSECURE"))},
		{name: "tls/grpc http:// with INSECURE=false is plaintext", env: grpcEnv("OTEL_EXPORTER_OTLP_INSECURE", "false"), expect: want(
			delivered(traces, metrics, logs), notTLS())},
		{name: "tls/grpc http:// is plaintext even with a CA", env: grpcEnv("OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(
			delivered(traces, metrics, logs), notTLS())},
		{name: "tls/grpc https:// with the CA", server: tlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(
			delivered(traces, metrics, logs), overTLS(false))},
		{name: "tls/grpc scheme-less endpoint with the CA", server: tlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "{grpc}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(
			delivered(traces, metrics, logs), overTLS(false))},
		{name: "tls/grpc https://localhost with the CA", server: tlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://localhost:{grpc-port}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(
			delivered(traces, metrics, logs), overTLS(false))},
		{name: "tls/http https:// with the CA", server: tlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(
			delivered(traces, metrics, logs), overTLS(false), paths("/v1/traces", "/v1/metrics", "/v1/logs"))},
		{name: "tls/grpc https:// without the CA fails", server: tlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(
			nothingArrives(), shutdownFails())},
		{name: "tls/http https:// without the CA fails", server: tlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(
			nothingArrives(), shutdownFails())},
		{name: "tls/grpc https:// with another CA fails", server: tlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}",
			"OTEL_EXPORTER_OTLP_CERTIFICATE", "{other-ca}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(nothingArrives(), shutdownFails())},
		{name: "tls/http per-signal CERTIFICATE beats generic", server: tlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}",
			"OTEL_EXPORTER_OTLP_CERTIFICATE", "{other-ca}", "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "{ca}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(
			delivered(traces), overTLS(false), shutdownFails())},
		{name: "tls/grpc INSECURE=true does not downgrade https://", server: tlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}",
			"OTEL_EXPORTER_OTLP_INSECURE", "true", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(delivered(traces, metrics, logs), overTLS(false))},
		{name: "tls/http INSECURE=true does not downgrade https://", server: tlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}",
			"OTEL_EXPORTER_OTLP_INSECURE", "true", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}"), expect: want(delivered(traces, metrics, logs), overTLS(false))},
		{name: "tls/grpc INSECURE=true https:// to a plaintext receiver gets nothing", env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}",
			"OTEL_EXPORTER_OTLP_INSECURE", "true", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(nothingArrives(), shutdownFails())},
		{name: "tls/http INSECURE=true https:// to a plaintext receiver gets nothing", env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}",
			"OTEL_EXPORTER_OTLP_INSECURE", "true", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(nothingArrives(), shutdownFails())},

		// Mutual TLS and the certificate files.
		{name: "mtls/grpc client certificate", server: mtlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}",
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{client-cert}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{client-key}"), expect: want(
			delivered(traces, metrics, logs), overTLS(true))},
		{name: "mtls/http client certificate", server: mtlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}",
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{client-cert}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{client-key}"), expect: want(
			delivered(traces, metrics, logs), overTLS(true))},
		{name: "mtls/grpc without a client certificate gets nothing", server: mtlsServer, env: grpcEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{grpc}",
			"OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(nothingArrives(), shutdownFails())},
		{name: "mtls/http without a client certificate gets nothing", server: mtlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}",
			"OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(nothingArrives(), shutdownFails())},
		{name: "mtls/http per-signal client certificate", server: mtlsServer, env: httpEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "https://{http}", "OTEL_EXPORTER_OTLP_CERTIFICATE", "{ca}",
			"OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE", "{client-cert}", "OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", "{client-key}", "OTEL_EXPORTER_OTLP_TIMEOUT", failFast), expect: want(
			delivered(logs), overTLS(true), shutdownFails())},
		{name: "mtls/client certificate without key", env: grpcEnv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{client-cert}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_KEY"))},
		{name: "mtls/client key without certificate", env: grpcEnv("OTEL_EXPORTER_OTLP_CLIENT_KEY", "{client-key}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_KEY"))},
		{name: "mtls/per-signal client certificate without key", env: grpcEnv("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "{client-cert}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY"))},
		{name: "mtls/CERTIFICATE unreadable", env: grpcEnv("OTEL_EXPORTER_OTLP_CERTIFICATE", "{missing}"), expect: want(configError("OTEL_EXPORTER_OTLP_CERTIFICATE"))},
		{name: "mtls/CERTIFICATE not PEM", env: grpcEnv("OTEL_EXPORTER_OTLP_CERTIFICATE", "{bad-pem}"), expect: want(configError("OTEL_EXPORTER_OTLP_CERTIFICATE"))},
		{name: "mtls/per-signal CERTIFICATE unreadable", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE", "{missing}"), expect: want(configError("OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE"))},
		{name: "mtls/CLIENT_CERTIFICATE not PEM", env: grpcEnv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{bad-pem}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{client-key}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"))},
		{name: "mtls/CLIENT_CERTIFICATE unreadable", env: grpcEnv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{missing}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{client-key}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"))},
		{name: "mtls/CLIENT_KEY not PEM", env: grpcEnv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{client-cert}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{bad-pem}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_CLIENT_KEY"))},
		{name: "mtls/CLIENT_KEY unreadable", env: grpcEnv("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{client-cert}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{missing}"), expect: want(
			configError("OTEL_EXPORTER_OTLP_CLIENT_KEY"))},

		// Propagators: the header names the propagator injects (span and baggage in the context).
		{name: "propagators/default", env: grpcEnv(), expect: want(propagates("baggage", "traceparent"))},
		{name: "propagators/tracecontext", env: grpcEnv("OTEL_PROPAGATORS", "tracecontext"), expect: want(propagates("traceparent"))},
		{name: "propagators/baggage", env: grpcEnv("OTEL_PROPAGATORS", "baggage"), expect: want(propagates("baggage"))},
		{name: "propagators/b3", env: grpcEnv("OTEL_PROPAGATORS", "b3"), expect: want(propagates("b3"))},
		{name: "propagators/b3multi", env: grpcEnv("OTEL_PROPAGATORS", "b3multi"), expect: want(propagates("x-b3-sampled", "x-b3-spanid", "x-b3-traceid"))},
		{name: "propagators/jaeger", env: grpcEnv("OTEL_PROPAGATORS", "jaeger"), expect: want(propagates("uber-trace-id"))},
		{name: "propagators/none", env: grpcEnv("OTEL_PROPAGATORS", "none"), expect: want(propagates())},
		{name: "propagators/list", env: grpcEnv("OTEL_PROPAGATORS", "tracecontext,baggage,b3"), expect: want(propagates("b3", "baggage", "traceparent"))},
		{name: "propagators/unknown", env: grpcEnv("OTEL_PROPAGATORS", "bogus"), expect: want(configError("OTEL_PROPAGATORS"))},
		{name: "propagators/unknown in a list", env: grpcEnv("OTEL_PROPAGATORS", "tracecontext,bogus"), expect: want(configError("OTEL_PROPAGATORS"))},

		// Exporter selection.
		{name: "exporters/traces console", env: grpcEnv("OTEL_TRACES_EXPORTER", "console"), expect: want(delivered(metrics, logs), stdoutHas(confSpan))},
		{name: "exporters/metrics console", env: grpcEnv("OTEL_METRICS_EXPORTER", "console"), expect: want(delivered(traces, logs), stdoutHas(confCounter))},
		{name: "exporters/logs console", env: grpcEnv("OTEL_LOGS_EXPORTER", "console"), expect: want(delivered(traces, metrics), stdoutHas(confLog))},
		{name: "exporters/all console", env: grpcEnv("OTEL_TRACES_EXPORTER", "console", "OTEL_METRICS_EXPORTER", "console", "OTEL_LOGS_EXPORTER", "console"), expect: want(
			nothingArrives(), stdoutHas(confSpan, confCounter, confLog))},
		{name: "exporters/traces none", env: grpcEnv("OTEL_TRACES_EXPORTER", "none"), expect: want(delivered(metrics, logs))},
		{name: "exporters/metrics none", env: grpcEnv("OTEL_METRICS_EXPORTER", "none"), expect: want(delivered(traces, logs))},
		{name: "exporters/logs none", env: grpcEnv("OTEL_LOGS_EXPORTER", "none"), expect: want(delivered(traces, metrics))},
		{name: "exporters/all none", env: grpcEnv("OTEL_TRACES_EXPORTER", "none", "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none"), expect: want(nothingArrives())},
		{name: "exporters/prometheus", env: grpcEnv("OTEL_METRICS_EXPORTER", "prometheus", "OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1",
			"OTEL_EXPORTER_PROMETHEUS_PORT", "{prom-port}"), expect: want(delivered(traces, logs), scraped())},
		{name: "exporters/otlp,prometheus on localhost", env: grpcEnv("OTEL_METRICS_EXPORTER", "otlp,prometheus", "OTEL_EXPORTER_PROMETHEUS_PORT", "{prom-port}"), expect: want(
			delivered(traces, metrics, logs), scraped())},
		{name: "exporters/traces zipkin", env: grpcEnv("OTEL_TRACES_EXPORTER", "zipkin"), expect: want(configError("OTEL_TRACES_EXPORTER"))},
		{name: "exporters/metrics zipkin", env: grpcEnv("OTEL_METRICS_EXPORTER", "zipkin"), expect: want(configError("OTEL_METRICS_EXPORTER"))},
		{name: "exporters/logs zipkin", env: grpcEnv("OTEL_LOGS_EXPORTER", "zipkin"), expect: want(configError("OTEL_LOGS_EXPORTER"))},
		{name: "exporters/prometheus port abc", env: grpcEnv("OTEL_METRICS_EXPORTER", "prometheus", "OTEL_EXPORTER_PROMETHEUS_PORT", "abc"), expect: want(
			configError("OTEL_EXPORTER_PROMETHEUS_PORT"))},
		{name: "exporters/prometheus port 70000", env: grpcEnv("OTEL_METRICS_EXPORTER", "prometheus", "OTEL_EXPORTER_PROMETHEUS_PORT", "70000"), expect: want(
			configError("OTEL_EXPORTER_PROMETHEUS_PORT"))},

		// Batch span and log record processors.
		{name: "batch/OTEL_BSP_* valid", env: grpcEnv("OTEL_BSP_SCHEDULE_DELAY", "50", "OTEL_BSP_EXPORT_TIMEOUT", "5000",
			"OTEL_BSP_MAX_QUEUE_SIZE", "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"), expect: want(delivered(traces, metrics, logs))},
		{name: "batch/OTEL_BLRP_* valid", env: grpcEnv("OTEL_BLRP_SCHEDULE_DELAY", "50", "OTEL_BLRP_EXPORT_TIMEOUT", "5000",
			"OTEL_BLRP_MAX_QUEUE_SIZE", "100", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "10"), expect: want(delivered(traces, metrics, logs))},
		{name: "batch/export timeouts of 0 are valid", env: grpcEnv("OTEL_BSP_EXPORT_TIMEOUT", "0", "OTEL_BLRP_EXPORT_TIMEOUT", "0"), expect: want(
			delivered(traces, metrics, logs))},
		{name: "batch/OTEL_BSP_MAX_EXPORT_BATCH_SIZE over the queue size", env: grpcEnv("OTEL_BSP_MAX_QUEUE_SIZE", "10", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "20"), expect: want(
			configError("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_MAX_QUEUE_SIZE"))},
		{name: "batch/OTEL_BLRP_MAX_EXPORT_BATCH_SIZE over the queue size", env: grpcEnv("OTEL_BLRP_MAX_QUEUE_SIZE", "10", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "20"), expect: want(
			configError("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "OTEL_BLRP_MAX_QUEUE_SIZE"))},

		// Metric reader and metrics SDK.
		{name: "metrics/interval and timeout valid", env: grpcEnv("OTEL_METRIC_EXPORT_INTERVAL", "100", "OTEL_METRIC_EXPORT_TIMEOUT", "5000"), expect: want(delivered(traces, metrics, logs))},
		{name: "metrics/exemplar filter always_on outside sampled spans", env: grpcEnv("OTEL_METRICS_EXEMPLAR_FILTER", "always_on", "OTEL_TRACES_SAMPLER", "always_off"), expect: want(
			delivered(metrics, logs), exemplars(confCounter, true))},
		{name: "metrics/exemplar filter always_off", env: grpcEnv("OTEL_METRICS_EXEMPLAR_FILTER", "always_off"), expect: want(delivered(traces, metrics, logs), exemplars(confCounter, false))},
		{name: "metrics/exemplar filter trace_based", env: grpcEnv("OTEL_METRICS_EXEMPLAR_FILTER", "trace_based"), expect: want(delivered(traces, metrics, logs), exemplars(confCounter, true))},
		{name: "metrics/exemplar filter unknown", env: grpcEnv("OTEL_METRICS_EXEMPLAR_FILTER", "sometimes"), expect: want(configError("OTEL_METRICS_EXEMPLAR_FILTER"))},
		{name: "metrics/temporality delta", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"), expect: want(
			delivered(traces, metrics, logs), temporality(confCounter, "DELTA"), temporality(confHistogram, "DELTA"))},
		{name: "metrics/temporality lowmemory", env: httpEnv("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "lowmemory"), expect: want(
			delivered(traces, metrics, logs), temporality(confCounter, "DELTA"))},
		{name: "metrics/temporality cumulative", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "cumulative"), expect: want(
			delivered(traces, metrics, logs), temporality(confCounter, "CUMULATIVE"))},
		{name: "metrics/temporality unknown", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes"), expect: want(
			configError("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"))},
		{name: "metrics/histogram base2_exponential_bucket_histogram", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "base2_exponential_bucket_histogram"), expect: want(
			delivered(traces, metrics, logs), metricType(confHistogram, "exponential_histogram"))},
		{name: "metrics/histogram explicit_bucket_histogram", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "explicit_bucket_histogram"), expect: want(
			delivered(traces, metrics, logs), metricType(confHistogram, "histogram"))},
		{name: "metrics/histogram aggregation unknown", env: grpcEnv("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "summary"), expect: want(
			configError("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION"))},

		// Samplers.
		{name: "sampler/always_on", env: grpcEnv("OTEL_TRACES_SAMPLER", "always_on"), expect: want(delivered(traces, metrics, logs))},
		{name: "sampler/always_off", env: grpcEnv("OTEL_TRACES_SAMPLER", "always_off"), expect: want(delivered(metrics, logs))},
		{name: "sampler/traceidratio 0", env: grpcEnv("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0"), expect: want(delivered(metrics, logs))},
		{name: "sampler/traceidratio 1", env: grpcEnv("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "1"), expect: want(delivered(traces, metrics, logs))},
		{name: "sampler/parentbased_always_on", env: grpcEnv("OTEL_TRACES_SAMPLER", "parentbased_always_on"), expect: want(delivered(traces, metrics, logs))},
		{name: "sampler/parentbased_always_off", env: grpcEnv("OTEL_TRACES_SAMPLER", "parentbased_always_off"), expect: want(delivered(metrics, logs))},
		{name: "sampler/parentbased_traceidratio 0", env: grpcEnv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0"), expect: want(delivered(metrics, logs))},
		{name: "sampler/jaeger_remote", env: grpcEnv("OTEL_TRACES_SAMPLER", "jaeger_remote"), expect: want(configErrorSaying("OTEL_TRACES_SAMPLER", "not supported"))},
		{name: "sampler/parentbased_jaeger_remote", env: grpcEnv("OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote"), expect: want(configErrorSaying("OTEL_TRACES_SAMPLER", "not supported"))},
		{name: "sampler/xray", env: grpcEnv("OTEL_TRACES_SAMPLER", "xray"), expect: want(configErrorSaying("OTEL_TRACES_SAMPLER", "not supported"))},
		{name: "sampler/unknown", env: grpcEnv("OTEL_TRACES_SAMPLER", "sometimes"), expect: want(configError("OTEL_TRACES_SAMPLER"))},
		{name: "sampler/arg abc", env: grpcEnv("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "abc"), expect: want(configError("OTEL_TRACES_SAMPLER_ARG"))},
		{name: "sampler/arg 2", env: grpcEnv("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2"), expect: want(configError("OTEL_TRACES_SAMPLER_ARG"))},

		// Limits: the child's span has 3 attributes (conf.long is 16 bytes), 2 events (the first with 2
		// attributes; over the limit the SDK keeps the newest), 2 links of 2 attributes; its log record
		// has 2 attributes (conf.log.long is 16 bytes).
		{name: "limits/OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", env: grpcEnv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5"), expect: want(spanAttrLen("conf.long", 5))},
		{name: "limits/OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", env: grpcEnv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5"), expect: want(spanAttrLen("conf.long", 5))},
		{name: "limits/OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", env: grpcEnv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "1"), expect: want(spanShape(1, 2, 2, 2, 2))},
		{name: "limits/OTEL_ATTRIBUTE_COUNT_LIMIT", env: grpcEnv("OTEL_ATTRIBUTE_COUNT_LIMIT", "1"), expect: want(spanShape(1, 2, dontCare, 2, dontCare))},
		{name: "limits/OTEL_SPAN_EVENT_COUNT_LIMIT", env: grpcEnv("OTEL_SPAN_EVENT_COUNT_LIMIT", "1"), expect: want(spanShape(3, 1, dontCare, 2, 2))},
		{name: "limits/OTEL_SPAN_LINK_COUNT_LIMIT", env: grpcEnv("OTEL_SPAN_LINK_COUNT_LIMIT", "1"), expect: want(spanShape(3, 2, 2, 1, 2))},
		{name: "limits/OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", env: grpcEnv("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "1"), expect: want(spanShape(3, 2, 1, 2, 2))},
		{name: "limits/OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", env: grpcEnv("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "1"), expect: want(spanShape(3, 2, 2, 2, 1))},
		{name: "limits/OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", env: grpcEnv("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5"), expect: want(logAttrLen("conf.log.long", 5))},
		{name: "limits/OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", env: grpcEnv("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "1"), expect: want(logAttrCount("conf.log.", 1))},
		{name: "limits/defaults", env: grpcEnv(), expect: want(spanShape(3, 2, 2, 2, 2), spanAttrLen("conf.long", len(confLong)), logAttrCount("conf.log.", 2))},

		// OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS.
		{name: "known methods/valid", env: grpcEnv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "GET,POST,QUERY"), expect: want(delivered(traces, metrics, logs))},
		{name: "known methods/bad token", env: grpcEnv("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS", "GET,GE T"), expect: want(configError("OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"))},
	}
}

// Variables that take a number: each of these values is a ConfigError
// naming the variable. They are rows too (invalid/NAME=value).
var confNumericVariables = []string{
	"OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
	"OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT", "OTEL_BLRP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE",
	"OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT",
	"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT",
	"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT",
	"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
	"OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT",
}

var confBadNumbers = []string{"abc", "-1"}

func confAllRows() []confRow {
	rows := conformanceRows()
	for _, name := range confNumericVariables {
		for _, v := range confBadNumbers {
			rows = append(rows, confRow{name: "invalid/" + name + "=" + v, env: confGRPCEnv(name, v), expect: confWant(confConfigError(name))})
		}
	}
	return rows
}

// TestConformance runs every row in its own child process against its own
// receiver, in parallel.
func TestConformance(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	certs := otlptest.NewCerts(t)
	fixtures := map[string]string{
		"{ca}":          certs.CAFile,
		"{other-ca}":    otlptest.NewCerts(t).CAFile,
		"{client-cert}": certs.ClientCertFile,
		"{client-key}":  certs.ClientKeyFile,
		"{bad-pem}":     confAbsPath(t, filepath.Join("testdata", "conformance", "not-pem.pem")),
		"{missing}":     filepath.Join(t.TempDir(), "missing.pem"),
	}
	seen := map[string]bool{}
	for _, r := range confAllRows() {
		if seen[r.name] {
			t.Fatalf("two rows named %q", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			confRunRow(t, exe, certs, fixtures, r)
		})
	}
}

func confRunRow(t *testing.T, exe string, certs *otlptest.Certs, fixtures map[string]string, r confRow) {
	opts := []otlptest.Option{
		otlptest.WithHTTPPath("/", confTraces),
		otlptest.WithHTTPPath("/custom/traces", confTraces),
		otlptest.WithHTTPPath("/custom/metrics", confMetrics),
		otlptest.WithHTTPPath("/custom/logs", confLogs),
		otlptest.WithHTTPPath("/otlp/v1/traces", confTraces),
		otlptest.WithHTTPPath("/otlp/v1/metrics", confMetrics),
		otlptest.WithHTTPPath("/otlp/v1/logs", confLogs),
	}
	switch r.server {
	case confTLSServer:
		opts = append(opts, otlptest.WithTLS(certs))
	case confMTLSServer:
		opts = append(opts, otlptest.WithMTLS(certs))
	case confSlowServer:
		opts = append(opts, otlptest.WithResponseDelay(confSlowDelay))
	}
	rcv := otlptest.Start(t, opts...)

	o := &confOutcome{rcv: rcv, certs: certs}
	o.env = confExpand(t, r.env, rcv, fixtures)
	o.run(t, exe)

	expectsInitError, expectsShutdownError, writesStdout := false, false, false
	for _, c := range r.expect {
		expectsInitError = expectsInitError || c.initError
		expectsShutdownError = expectsShutdownError || c.shutdownError
		writesStdout = writesStdout || c.stdout
	}
	// What every row must show besides its own checks.
	if !expectsInitError {
		if o.res.InitErr != "" {
			t.Fatalf("Init: %s", o.res.InitErr)
		}
		if o.res.EmitErr != "" {
			t.Errorf("emitting: %s", o.res.EmitErr)
		}
		if !expectsShutdownError && o.res.ShutdownErr != "" {
			t.Errorf("Shutdown: %s", o.res.ShutdownErr)
		}
		if expectsShutdownError && o.res.ShutdownErr == "" {
			t.Errorf("Shutdown returned nil; want the failed exports reported")
		}
		if o.res.LeakedAfterShutdown != "" {
			t.Errorf("goroutines still running 3 s after Shutdown returned:\n%s", confClip(o.res.LeakedAfterShutdown))
		}
	}
	if !writesStdout && strings.TrimSpace(o.sdkStdout) != "" {
		t.Errorf("the SDK wrote to standard output:\n%s", confClip(o.sdkStdout))
	}
	for _, q := range o.requests() {
		if q.Err != "" {
			t.Errorf("receiver refused a %s request to %s: %s", q.Protocol, q.Path, q.Err)
		}
	}
	for _, c := range r.expect {
		c.run(t, o)
	}
	if t.Failed() {
		t.Logf("environment: %v", o.env)
		t.Logf("child result: %+v", o.res)
		if s := strings.TrimSpace(o.stderr); s != "" {
			t.Logf("child stderr:\n%s", confClip(s))
		}
	}
}

// confOutcome is what one row's child did and what the receiver got.
type confOutcome struct {
	rcv   *otlptest.Receiver
	certs *otlptest.Certs
	env   []string // NAME=value, the row's variables after expansion

	res       confChildResult
	sdkStdout string // what the child wrote to standard output between Init and the result
	stderr    string
}

// run starts the child and waits for it. Everything the child exported has
// reached the receiver when it exits: Shutdown flushed and waited.
func (o *confOutcome) run(t *testing.T, exe string) {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestConformanceChild$", "-test.count=1", "-test.timeout=40s")
	cmd.Env = append(confChildBaseEnv(), confChildEnv+"=1")
	cmd.Env = append(cmd.Env, o.env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o.stderr = stderr.String()
	out := stdout.String()
	if err != nil {
		hint := ""
		if strings.Contains(o.stderr, "goleak") {
			hint = " (TestMain's goleak found goroutines left running at exit)"
		}
		t.Errorf("child process: %v%s\nstdout:\n%s\nstderr:\n%s", err, hint, confClip(out), confClip(o.stderr))
	}
	start := strings.Index(out, confStartMarker)
	end := strings.Index(out, confResultMarker)
	if start < 0 || end < start {
		t.Fatalf("child printed no result\nstdout:\n%s\nstderr:\n%s", confClip(out), confClip(o.stderr))
	}
	o.sdkStdout = out[start+len(confStartMarker) : end]
	line, _, _ := strings.Cut(strings.TrimLeft(out[end+len(confResultMarker):], "\r\n"), "\n")
	if err := json.Unmarshal([]byte(line), &o.res); err != nil {
		t.Fatalf("child result %q: %v", line, err)
	}
}

func (o *confOutcome) requests() []otlptest.Request { return o.rcv.Requests() }

// confChildBaseEnv is the parent's environment without OTEL_* variables,
// ENVIRONMENT, LOG_LEVEL and proxy settings.
func confChildBaseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch u := strings.ToUpper(k); {
		case strings.HasPrefix(u, "OTEL_"), u == "ENVIRONMENT", u == "LOG_LEVEL", u == confChildEnv,
			u == "HTTP_PROXY", u == "HTTPS_PROXY", u == "ALL_PROXY", u == "NO_PROXY", u == "GRPC_PROXY":
			continue
		}
		if k == "GORACE" {
			continue
		}
		out = append(out, kv)
	}
	// A race-enabled binary sleeps a second at exit by default; a child
	// per row cannot afford it.
	return append(out, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// confExpand replaces the placeholders in a row's environment: {grpc} and
// {http} (the receiver's 127.0.0.1:port), {grpc-port}, {http-port},
// {prom-port} (a free port), {ca}, {other-ca}, {client-cert},
// {client-key}, {bad-pem}, {missing}.
func confExpand(t *testing.T, e confEnv, rcv *otlptest.Receiver, fixtures map[string]string) []string {
	_, grpcPort, _ := net.SplitHostPort(rcv.GRPCAddr())
	_, httpPort, _ := net.SplitHostPort(rcv.HTTPAddr())
	pairs := []string{"{grpc}", rcv.GRPCAddr(), "{http}", rcv.HTTPAddr(), "{grpc-port}", grpcPort, "{http-port}", httpPort}
	for k, v := range fixtures {
		pairs = append(pairs, k, v)
	}
	for _, v := range e {
		if strings.Contains(v, "{prom-port}") {
			pairs = append(pairs, "{prom-port}", confFreePort(t))
			break
		}
	}
	rep := strings.NewReplacer(pairs...)
	out := make([]string, 0, len(e))
	for _, k := range slices.Sorted(maps.Keys(e)) {
		v := rep.Replace(e[k])
		if strings.Contains(v, "{") {
			t.Fatalf("unknown placeholder in %s=%s", k, v)
		}
		out = append(out, k+"="+v)
	}
	return out
}

func confFreePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func confAbsPath(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a); err != nil {
		t.Fatal(err)
	}
	return a
}

func confClip(s string) string {
	const max = 6000
	if len(s) > max {
		return s[:max/2] + "\n...\n" + s[len(s)-max/2:]
	}
	return s
}

// ---------------------------------------------------------------------------
// Checks.

// confCheck is one expectation of a row.
type confCheck struct {
	initError     bool // Init must fail (turns off the success invariants)
	shutdownError bool // Shutdown must report failed exports
	stdout        bool // the SDK is expected to write to standard output
	run           func(t *testing.T, o *confOutcome)
}

func confDo(f func(t *testing.T, o *confOutcome)) confCheck { return confCheck{run: f} }

// configError: Init fails with exactly one *ConfigError whose Field is one
// of fields, errors.Is(err, ErrInvalidConfig), nothing reaches the
// receiver and no goroutine is left running.
func confConfigError(fields ...string) confCheck {
	return confCheck{initError: true, run: func(t *testing.T, o *confOutcome) {
		t.Helper()
		r := o.res
		if r.InitErr == "" {
			t.Errorf("Init succeeded; want a ConfigError for %s", strings.Join(fields, " or "))
			return
		}
		if !r.Invalid {
			t.Errorf("errors.Is(err, ErrInvalidConfig) = false for %q", r.InitErr)
		}
		total := 0
		for f, n := range r.Fields {
			total += n
			if !slices.Contains(fields, f) {
				t.Errorf("ConfigError for field %q (%d times); want only %s", f, n, strings.Join(fields, " or "))
			}
		}
		if total != 1 {
			t.Errorf("%d ConfigErrors %v; want exactly one for %s: %q", total, r.Fields, strings.Join(fields, " or "), r.InitErr)
		}
		if len(r.Other) > 0 {
			t.Errorf("errors that are not *ConfigError: %q", r.Other)
		}
		if r.Leaked != "" {
			t.Errorf("Init failed but left goroutines running:\n%s", confClip(r.Leaked))
		}
		if reqs := o.requests(); len(reqs) > 0 {
			t.Errorf("Init failed but the receiver got %d requests", len(reqs))
		}
	}}
}

// configErrorSaying is configError with text in the error message.
func confConfigErrorSaying(field, text string) confCheck {
	c := confConfigError(field)
	inner := c.run
	c.run = func(t *testing.T, o *confOutcome) {
		t.Helper()
		inner(t, o)
		if !strings.Contains(o.res.InitErr, text) {
			t.Errorf("Init error %q does not say %q", o.res.InitErr, text)
		}
	}
	return c
}

// errorOmits: Init's error does not contain secret.
func confErrorOmits(secret string) confCheck {
	return confCheck{initError: true, run: func(t *testing.T, o *confOutcome) {
		t.Helper()
		if strings.Contains(o.res.InitErr, secret) {
			t.Errorf("Init error leaks %q: %q", secret, o.res.InitErr)
		}
	}}
}

// shutdownFails: Shutdown reports the exports that failed.
func confShutdownFails() confCheck {
	return confCheck{shutdownError: true, run: func(*testing.T, *confOutcome) {}}
}

// delivered: the child's span, counter and log record reached the receiver
// for exactly the signals listed; nothing of the other signals arrived.
func confDelivered(signals ...otlptest.Signal) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), confArrivalWait)
		defer cancel()
		reqs, err := o.rcv.WaitFor(ctx, func(reqs []otlptest.Request) bool {
			for _, s := range signals {
				if !confHasItem(reqs, s) {
					return false
				}
			}
			return true
		})
		if err != nil {
			var got []string
			for _, s := range signals {
				if !confHasItem(reqs, s) {
					got = append(got, string(s))
				}
			}
			t.Errorf("missing at the receiver: %s (%d requests: %s)", strings.Join(got, ", "), len(reqs), confSummary(reqs))
		}
		for _, s := range []otlptest.Signal{confTraces, confMetrics, confLogs} {
			if n := len(otlptest.Of(reqs, s)); !slices.Contains(signals, s) && n > 0 {
				t.Errorf("%d %s requests arrived; want none", n, s)
			}
		}
	})
}

// nothingArrives: the receiver got no request at all.
func confNothingArrives() confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if reqs := o.requests(); len(reqs) > 0 {
			t.Errorf("the receiver got %d requests; want none: %s", len(reqs), confSummary(reqs))
		}
	})
}

func confHasItem(reqs []otlptest.Request, s otlptest.Signal) bool {
	switch s {
	case confTraces:
		return slices.ContainsFunc(otlptest.AllSpans(reqs), func(x otlptest.Span) bool { return x.Name == confSpan })
	case confMetrics:
		return slices.ContainsFunc(otlptest.AllMetrics(reqs), func(x otlptest.Metric) bool { return x.Name == confCounter })
	case confLogs:
		return slices.ContainsFunc(otlptest.AllLogs(reqs), func(x otlptest.Log) bool { return x.Body == confLog })
	}
	return false
}

func confSummary(reqs []otlptest.Request) string {
	var b strings.Builder
	for _, q := range reqs {
		fmt.Fprintf(&b, "[%s %s %s spans=%d metrics=%d logs=%d]", q.Protocol, q.Signal, q.Path, len(q.Spans), len(q.Metrics), len(q.Logs))
	}
	return b.String()
}

// via: every request came by protocol p.
func confVia(p string) confCheck { return confViaFor(p, confTraces, confMetrics, confLogs) }

// viaFor: the requests of signals came by protocol p.
func confViaFor(p string, signals ...otlptest.Signal) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		for _, q := range o.requests() {
			if slices.Contains(signals, q.Signal) && q.Protocol != p {
				t.Errorf("%s came over %s; want %s", q.Signal, q.Protocol, p)
			}
		}
	})
}

// paths: traces, metrics and logs were posted to these URL paths.
func confPaths(tracesPath, metricsPath, logsPath string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		want := map[otlptest.Signal]string{confTraces: tracesPath, confMetrics: metricsPath, confLogs: logsPath}
		for _, q := range o.requests() {
			if q.Path != want[q.Signal] {
				t.Errorf("%s posted to %q; want %q", q.Signal, q.Path, want[q.Signal])
			}
		}
	})
}

// gzipped: the requests of exactly these signals were gzip-compressed.
func confGzipped(signals ...otlptest.Signal) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		for _, q := range o.requests() {
			if want := slices.Contains(signals, q.Signal); q.Gzip != want {
				t.Errorf("%s over %s: gzip = %v; want %v", q.Signal, q.Protocol, q.Gzip, want)
			}
		}
	})
}

// header: the requests of signals carried header (or gRPC metadata) name = value.
func confHeader(name, value string, signals ...otlptest.Signal) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		for _, q := range o.requests() {
			if slices.Contains(signals, q.Signal) && q.HeaderValue(name) != value {
				t.Errorf("%s over %s: %s = %q; want %q", q.Signal, q.Protocol, name, q.HeaderValue(name), value)
			}
		}
	})
}

// notTLS: every request came in plaintext.
func confNotTLS() confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		for _, q := range o.requests() {
			if q.TLS {
				t.Errorf("%s over %s came over TLS; want plaintext", q.Signal, q.Protocol)
			}
		}
	})
}

// overTLS: every request came over TLS, with the CA's client certificate
// when withClientCert and without one otherwise.
func confOverTLS(withClientCert bool) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		want := ""
		if withClientCert {
			want = o.certs.ClientSubject
		}
		for _, q := range o.requests() {
			if !q.TLS || q.ClientCert != want {
				t.Errorf("%s over %s: TLS %v, client certificate %q; want TLS, %q", q.Signal, q.Protocol, q.TLS, q.ClientCert, want)
			}
		}
	})
}

// resource: every span, metric and log record has resource attribute k = v.
func confResource(k, v string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		reqs := o.requests()
		var got []string
		for _, s := range otlptest.AllSpans(reqs) {
			got = append(got, s.Resource[k])
		}
		for _, m := range otlptest.AllMetrics(reqs) {
			got = append(got, m.Resource[k])
		}
		for _, l := range otlptest.AllLogs(reqs) {
			got = append(got, l.Resource[k])
		}
		if len(got) == 0 {
			t.Errorf("no data to check resource %s on", k)
		}
		for _, g := range slices.Compact(slices.Sorted(slices.Values(got))) {
			if g != v {
				t.Errorf("resource %s = %q; want %q", k, g, v)
			}
		}
	})
}

// pointLabels: every metric data point carries environment, project and service.
func confPointLabels(environment, project, service string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		want := map[string]string{"environment": environment, "project": project, "service": service}
		n := 0
		for _, m := range otlptest.AllMetrics(o.requests()) {
			for _, p := range m.Points {
				n++
				for k, v := range want {
					if p.Attrs[k] != v {
						t.Errorf("metric %s point %v: %s = %q; want %q", m.Name, p.Attrs, k, p.Attrs[k], v)
						return
					}
				}
			}
		}
		if n == 0 {
			t.Error("no metric points")
		}
	})
}

// hasMetric: a metric of that name arrived.
func confHasMetric(name string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if confFindMetric(o, name) == nil {
			var names []string
			for _, m := range otlptest.AllMetrics(o.requests()) {
				names = append(names, m.Name)
			}
			t.Errorf("no metric %s among %v", name, slices.Compact(slices.Sorted(slices.Values(names))))
		}
	})
}

func confFindMetric(o *confOutcome, name string) *otlptest.Metric {
	ms := otlptest.AllMetrics(o.requests())
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Name == name {
			return &ms[i]
		}
	}
	return nil
}

// temporality: the metric arrived with that aggregation temporality.
func confTemporality(name, want string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if m := confFindMetric(o, name); m == nil || m.Temporality != want {
			t.Errorf("metric %s: %+v; want temporality %s", name, m, want)
		}
	})
}

// metricType: the metric arrived as that type (histogram, exponential_histogram, ...).
func confMetricType(name, want string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if m := confFindMetric(o, name); m == nil || m.Type != want {
			t.Errorf("metric %s: %+v; want type %s", name, m, want)
		}
	})
}

// exemplars: the metric's points have exemplars (or have none).
func confExemplars(name string, present bool) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		m := confFindMetric(o, name)
		if m == nil {
			t.Errorf("no metric %s", name)
			return
		}
		n := 0
		for _, p := range m.Points {
			n += p.Exemplars
		}
		if (n > 0) != present {
			t.Errorf("metric %s has %d exemplars; want present = %v", name, n, present)
		}
	})
}

func confFindSpan(t *testing.T, o *confOutcome) *otlptest.Span {
	t.Helper()
	return confFind(t, o, confTraces, "span "+confSpan, otlptest.AllSpans,
		func(s otlptest.Span) bool { return s.Name == confSpan })
}

func confFindLog(t *testing.T, o *confOutcome) *otlptest.Log {
	t.Helper()
	return confFind(t, o, confLogs, "log "+confLog, otlptest.AllLogs,
		func(l otlptest.Log) bool { return l.Body == confLog })
}

// confFind waits for an item of signal sig at the receiver and returns
// the first of all(requests) that match accepts, nil if none; what names
// the item in the error when nothing of sig arrives.
func confFind[T any](t *testing.T, o *confOutcome, sig otlptest.Signal, what string,
	all func([]otlptest.Request) []T, match func(T) bool) *T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), confArrivalWait)
	defer cancel()
	reqs, err := o.rcv.WaitFor(ctx, func(r []otlptest.Request) bool { return confHasItem(r, sig) })
	if err != nil {
		t.Errorf("%s not at the receiver: %v", what, err)
		return nil
	}
	for _, item := range all(reqs) {
		if match(item) {
			return &item
		}
	}
	return nil
}

// spanAttrLen: the span's attribute key arrived n bytes long.
func confSpanAttrLen(key string, n int) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if s := confFindSpan(t, o); s != nil && len(s.Attrs[key]) != n {
			t.Errorf("span attribute %s = %q; want %d bytes", key, s.Attrs[key], n)
		}
	})
}

// confDontCare in spanShape skips a count.
const confDontCare = -1

// spanShape: the span's attribute, event and link counts, the first
// event's attribute count and each link's attribute count.
func confSpanShape(attrs, events, eventAttrs, links, linkAttrs int) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		s := confFindSpan(t, o)
		if s == nil {
			return
		}
		got := []int{len(s.Attrs), len(s.Events), -1, len(s.Links), -1}
		if len(s.Events) > 0 {
			got[2] = len(s.Events[0].Attrs)
		}
		for _, l := range s.Links {
			got[4] = max(got[4], len(l.Attrs))
		}
		w := []int{attrs, events, eventAttrs, links, linkAttrs}
		for i := range w {
			if w[i] == confDontCare {
				got[i] = confDontCare
			}
		}
		if !slices.Equal(got, w) {
			t.Errorf("span attributes, events, first event's attributes, links, link attributes = %v; want %v\nspan: %+v", got, w, *s)
		}
	})
}

// logAttrLen: the log record's attribute key arrived n bytes long.
func confLogAttrLen(key string, n int) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if l := confFindLog(t, o); l != nil && len(l.Attrs[key]) != n {
			t.Errorf("log attribute %s = %q; want %d bytes", key, l.Attrs[key], n)
		}
	})
}

// logAttrCount: the log record arrived with n attributes whose keys start with prefix.
func confLogAttrCount(prefix string, n int) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		l := confFindLog(t, o)
		if l == nil {
			return
		}
		got := 0
		for k := range l.Attrs {
			if strings.HasPrefix(k, prefix) {
				got++
			}
		}
		if got != n {
			t.Errorf("log record has %d %s* attributes; want %d: %v", got, prefix, n, l.Attrs)
		}
	})
}

// propagates: tel.Propagator() and the global propagator inject exactly
// these headers (lower case, sorted) for a context with a span and baggage.
func confPropagates(headers ...string) confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if headers == nil {
			headers = []string{}
		}
		if !slices.Equal(o.res.Propagated, headers) {
			t.Errorf("tel.Propagator() injects %q; want %q", o.res.Propagated, headers)
		}
		if !slices.Equal(o.res.GlobalPropagated, headers) {
			t.Errorf("otel.GetTextMapPropagator() injects %q; want %q", o.res.GlobalPropagated, headers)
		}
	})
}

// stdoutHas: the SDK wrote JSON documents to standard output (the console
// exporters), with each of texts as a string among them.
func confStdoutHas(texts ...string) confCheck {
	return confCheck{stdout: true, run: func(t *testing.T, o *confOutcome) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(o.sdkStdout))
		for {
			var doc any
			if err := dec.Decode(&doc); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("standard output is not a stream of JSON documents: %v\n%s", err, confClip(o.sdkStdout))
				break
			}
		}
		for _, s := range texts {
			if !strings.Contains(o.sdkStdout, strconv.Quote(s)) {
				t.Errorf("standard output lacks %q:\n%s", s, confClip(o.sdkStdout))
			}
		}
	}}
}

// scraped: the child's own /metrics had the counter, and every series
// carried environment, project and service.
func confScraped() confCheck {
	return confDo(func(t *testing.T, o *confOutcome) {
		t.Helper()
		if o.res.ScrapeErr != "" {
			t.Errorf("scraping /metrics: %s", o.res.ScrapeErr)
			return
		}
		labels := []string{`environment="` + confDefaultEnvironment + `"`, `project="` + confDefaultProject + `"`, `service="` + confService + `"`}
		counter := false
		for line := range strings.Lines(o.res.Scrape) {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			counter = counter || strings.HasPrefix(line, "conf_counter_total{")
			for _, l := range labels {
				if !strings.Contains(line, l) {
					t.Errorf("series without %s: %s", l, line)
					break
				}
			}
		}
		if !counter {
			t.Errorf("no conf_counter_total series in:\n%s", confClip(o.res.Scrape))
		}
	})
}

// ---------------------------------------------------------------------------
// The child.

const (
	confChildEnv     = "TELEMETRY_CONFORMANCE_CHILD"
	confStartMarker  = "<<<conformance: Init>>>"
	confResultMarker = "<<<conformance: result>>>"
)

// confChildResult is what the child reports on standard output.
type confChildResult struct {
	InitErr string         // Init's error, "" if none
	Invalid bool           // errors.Is(err, telemetry.ErrInvalidConfig)
	Fields  map[string]int // each *telemetry.ConfigError's Field in the joined error, counted
	Other   []string       // errors in the joined error that are not *telemetry.ConfigError
	Leaked  string         // goroutines a failed Init left running

	EmitErr          string   // creating the instruments failed
	Propagated       []string // header names tel.Propagator() injects
	GlobalPropagated []string // header names otel.GetTextMapPropagator() injects
	Scrape           string   // the child's own /metrics, with OTEL_METRICS_EXPORTER=prometheus
	ScrapeErr        string
	ShutdownErr      string
	// LeakedAfterShutdown lists the goroutines started since Init that
	// still ran 3 s after Shutdown returned.
	LeakedAfterShutdown string
}

// TestConformanceChild is the child of TestConformance; run on its own it
// has nothing to do.
func TestConformanceChild(t *testing.T) {
	if os.Getenv(confChildEnv) != "1" {
		t.Log("runs as the child process of TestConformance only")
		return
	}
	res := confChild()
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("\n%s\n%s\n", confResultMarker, out)
}

func confChild() confChildResult {
	var r confChildResult
	ctx := context.Background()
	before := goleak.IgnoreCurrent()
	fmt.Println(confStartMarker)

	tel, err := telemetry.Init(ctx, telemetry.WithService(confService))
	if err != nil {
		r.InitErr = err.Error()
		r.Invalid = errors.Is(err, telemetry.ErrInvalidConfig)
		r.Fields, r.Other = confConfigErrors(err)
		if tel != nil {
			r.Other = append(r.Other, "Init returned a non-nil *Telemetry with its error")
			_ = tel.Shutdown(ctx)
		}
		r.Leaked = confLeaks(before, 0)
		return r
	}

	confEmit(ctx, tel, &r)
	if strings.Contains(strings.ToLower(os.Getenv("OTEL_METRICS_EXPORTER")), "prometheus") {
		r.Scrape, r.ScrapeErr = confScrape()
	}
	if err := tel.Shutdown(ctx); err != nil {
		r.ShutdownErr = err.Error()
	}
	r.LeakedAfterShutdown = confLeaks(before, 3*time.Second)
	return r
}

// confLeaks reports the goroutines started since before that are still
// running after wait (goleak.Find itself retries for a fraction of a
// second; this polls it up to wait, for teardown that takes longer).
func confLeaks(before goleak.Option, wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		err := goleak.Find(before,
			// As in TestMain: gRPC's resolver goroutine may outlive a closed client by a moment.
			goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"))
		if err == nil {
			return ""
		}
		if time.Now().After(deadline) {
			return err.Error()
		}
	}
}

// confEmit records one span (3 attributes, 2 events, 2 links), one counter
// add and one histogram record inside it, and one log record, through
// tel's providers.
func confEmit(ctx context.Context, tel *telemetry.Telemetry, r *confChildResult) {
	link := func(b byte) trace.Link {
		return trace.Link{
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
				SpanID:  trace.SpanID{b, 1, 2, 3, 4, 5, 6, 7}, TraceFlags: trace.FlagsSampled,
			}),
			Attributes: []attribute.KeyValue{attribute.String("conf.link.a", "a"), attribute.String("conf.link.b", "b")},
		}
	}
	ctx, span := tel.TracerProvider().Tracer("conformance").Start(ctx, confSpan,
		trace.WithAttributes(attribute.String("conf.long", confLong), attribute.String("conf.a", "a"), attribute.String("conf.b", "b")),
		trace.WithLinks(link(0xa1), link(0xa2)))
	span.AddEvent("conf-event-1", trace.WithAttributes(attribute.String("conf.event.a", "a"), attribute.String("conf.event.b", "b")))
	span.AddEvent("conf-event-2")

	meter := tel.MeterProvider().Meter("conformance")
	counter, err1 := meter.Int64Counter(confCounter)
	hist, err2 := meter.Float64Histogram(confHistogram, metric.WithUnit("ms"))
	if err := errors.Join(err1, err2); err != nil {
		r.EmitErr = err.Error()
	} else {
		counter.Add(ctx, 1, metric.WithAttributes(attribute.String("conf.key", "v")))
		hist.Record(ctx, 12.5)
	}

	var rec otellog.Record
	rec.SetBody(attribute.StringValue(confLog))
	rec.SetSeverity(otellog.SeverityInfo)
	rec.AddAttributes(attribute.String("conf.log.long", confLong), attribute.String("conf.log.b", "b"))
	tel.LoggerProvider().Logger("conformance").Emit(ctx, rec)

	bag, _ := baggage.Parse("conf.bag=1")
	pctx := baggage.ContextWithBaggage(ctx, bag)
	r.Propagated = confInjected(tel.Propagator(), pctx)
	r.GlobalPropagated = confInjected(otel.GetTextMapPropagator(), pctx)
	span.End()
}

func confInjected(p propagation.TextMapPropagator, ctx context.Context) []string {
	c := propagation.MapCarrier{}
	p.Inject(ctx, c)
	keys := []string{}
	for k := range c {
		keys = append(keys, strings.ToLower(k))
	}
	slices.Sort(keys)
	return keys
}

// confConfigErrors counts the *ConfigError fields in a (joined) error tree.
func confConfigErrors(err error) (map[string]int, []string) {
	fields := map[string]int{}
	var other []string
	var walk func(error)
	walk = func(e error) {
		var ce *telemetry.ConfigError
		switch x := e.(type) {
		case nil:
		case *telemetry.ConfigError:
			fields[x.Field]++
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		default:
			if errors.As(e, &ce) {
				fields[ce.Field]++
			} else {
				other = append(other, e.Error())
			}
		}
	}
	walk(err)
	return fields, other
}

// confScrape reads the Prometheus exporter's /metrics where
// OTEL_EXPORTER_PROMETHEUS_HOST and _PORT say (localhost:9464 by default).
func confScrape() (body, errText string) {
	host, port := os.Getenv("OTEL_EXPORTER_PROMETHEUS_HOST"), os.Getenv("OTEL_EXPORTER_PROMETHEUS_PORT")
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "9464"
	}
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + net.JoinHostPort(host, port) + "/metrics")
	if err != nil {
		return "", err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), resp.Status
	}
	return string(b), ""
}
