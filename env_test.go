package telemetry

import (
	"errors"
	"testing"

	"go.opentelemetry.io/otel/propagation"
)

// fieldCounts returns how many *ConfigErrors name each field.
func fieldCounts(err error) map[string]int {
	out := map[string]int{}
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *ConfigError
		if errors.As(err, &ce) {
			out[ce.Field]++
		}
	}
	walk(err)
	return out
}

// TestEnvBadValuesOnce checks the one policy: every bad value is a
// *ConfigError naming the variable it came from, reported once.
func TestEnvBadValuesOnce(t *testing.T) {
	bad := map[string]string{
		"OTEL_SDK_DISABLED":                                        "1",
		"OTEL_EXPORTER_OTLP_PROTOCOL":                              "http/json",
		"OTEL_EXPORTER_OTLP_HEADERS":                               "novalue",
		"OTEL_EXPORTER_OTLP_COMPRESSION":                           "brotli",
		"OTEL_EXPORTER_OTLP_INSECURE":                              "yes",
		"OTEL_EXPORTER_OTLP_CERTIFICATE":                           "/nonexistent/ca.pem",
		"OTEL_BSP_SCHEDULE_DELAY":                                  "abc",
		"OTEL_BSP_MAX_EXPORT_BATCH_SIZE":                           "-1",
		"OTEL_BSP_MAX_QUEUE_SIZE":                                  "abc",
		"OTEL_BSP_EXPORT_TIMEOUT":                                  "-3",
		"OTEL_BLRP_SCHEDULE_DELAY":                                 "x",
		"OTEL_BLRP_EXPORT_TIMEOUT":                                 "-1",
		"OTEL_BLRP_MAX_QUEUE_SIZE":                                 "0",
		"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE":                          "many",
		"OTEL_PROPAGATORS":                                         "tracecontext,xray",
		"OTEL_TRACES_EXPORTER":                                     "zipkin",
		"OTEL_METRICS_EXPORTER":                                    "otlp,console",
		"OTEL_LOGS_EXPORTER":                                       "none,otlp",
		"OTEL_METRIC_EXPORT_TIMEOUT":                               "soon",
		"OTEL_METRICS_EXEMPLAR_FILTER":                             "sometimes",
		"OTEL_ATTRIBUTE_COUNT_LIMIT":                               "-1",
		"OTEL_SPAN_EVENT_COUNT_LIMIT":                              "lots",
		"OTEL_EXPORTER_PROMETHEUS_PORT":                            "http",
		"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE":        "sideways",
		"OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION": "log",
		"ENVIRONMENT":                                              "qa",
		"OTEL_SERVICE_NAME":                                        "svc",
	}
	_, err := newConfig(envOf(bad), nil)
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v; want ErrInvalidConfig", err)
	}
	got := fieldCounts(err)
	for k := range bad {
		if k == "OTEL_SERVICE_NAME" {
			continue
		}
		if got[k] != 1 {
			t.Errorf("%s reported %d times; want once (%v)", k, got[k], err)
		}
	}
	if len(got) != len(bad)-1 {
		t.Errorf("fields %v; want exactly the %d bad variables", got, len(bad)-1)
	}
}

func TestEnvEnvironmentSource(t *testing.T) {
	for _, tt := range []struct {
		env   map[string]string
		field string
	}{
		{map[string]string{"ENVIRONMENT": "qa"}, "ENVIRONMENT"},
		{map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=qa"}, "OTEL_RESOURCE_ATTRIBUTES"},
		{map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=bad name"}, "OTEL_RESOURCE_ATTRIBUTES"},
		{map[string]string{"OTEL_SERVICE_NAME": "bad name"}, "OTEL_SERVICE_NAME"},
	} {
		if tt.env["OTEL_SERVICE_NAME"] == "" && tt.env["OTEL_RESOURCE_ATTRIBUTES"] != "service.name=bad name" {
			tt.env["OTEL_SERVICE_NAME"] = "svc"
		}
		_, err := newConfig(envOf(tt.env), nil)
		if fieldCounts(err)[tt.field] != 1 {
			t.Errorf("%v: %v; want one error for %s", tt.env, err, tt.field)
		}
	}
}

func TestEnvBooleans(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "TRUE": true, "True": true, "false": false, "FALSE": false} {
		c, err := newConfig(envOf(map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_SDK_DISABLED": v}), nil)
		if err != nil || *c.disabled != want {
			t.Errorf("OTEL_SDK_DISABLED=%s: disabled %v, %v; want %v", v, *c.disabled, err, want)
		}
	}
}

func TestEnvInsecureNeverDowngradesHTTPS(t *testing.T) {
	for _, tt := range []struct {
		endpoint, insecure string
		protocol           Protocol
		want               bool
	}{
		{"https://collector.example:4318", "true", HTTPProtobuf, false},
		{"https://collector.example:4317", "true", GRPC, false},
		{"http://collector.example:4318", "false", HTTPProtobuf, true},
		{"collector.example:4317", "true", GRPC, true},
		{"collector.example:4317", "", GRPC, false},
		{"127.0.0.1:4317", "", GRPC, true},
		{"127.0.0.1:4317", "false", GRPC, false},
	} {
		env := map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_EXPORTER_OTLP_ENDPOINT": tt.endpoint,
			"OTEL_EXPORTER_OTLP_INSECURE": tt.insecure, "OTEL_EXPORTER_OTLP_PROTOCOL": string(tt.protocol)}
		c, err := newConfig(envOf(env), nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.traces.insecure != tt.want || (c.traces.tls == nil) != tt.want {
			t.Errorf("%s INSECURE=%q: insecure %v (tls %v); want %v", tt.endpoint, tt.insecure, c.traces.insecure, c.traces.tls != nil, tt.want)
		}
	}
	// The option follows the same rule.
	c, err := newConfig(envOf(nil), []Option{WithService("s"), WithEndpoint("https://x:443"), WithInsecure(true)})
	if err != nil || c.traces.insecure {
		t.Errorf("WithInsecure(true) with https: insecure %v, %v; want TLS", c.traces.insecure, err)
	}
}

func TestEnvPropagators(t *testing.T) {
	for v, want := range map[string][]string{
		"":                     {"traceparent", "tracestate", "baggage"},
		"none":                 nil,
		"b3":                   {"b3"},
		"b3multi":              {"x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags"},
		"jaeger":               {"uber-trace-id"},
		"tracecontext,baggage": {"traceparent", "tracestate", "baggage"},
	} {
		c, err := newConfig(envOf(map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_PROPAGATORS": v}), nil)
		if err != nil {
			t.Fatal(err)
		}
		var _ propagation.TextMapPropagator = c.propagator
		if got := c.propagator.Fields(); !sameSet(got, want) {
			t.Errorf("OTEL_PROPAGATORS=%q: fields %v; want %v", v, got, want)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, s := range a {
		m[s] = true
	}
	for _, s := range b {
		if !m[s] {
			return false
		}
	}
	return true
}

func TestEnvExporterKinds(t *testing.T) {
	c, err := newConfig(envOf(map[string]string{"OTEL_SERVICE_NAME": "s",
		"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "otlp,prometheus", "OTEL_LOGS_EXPORTER": "console"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.traces.exporter) != 0 || !c.metrics.uses(exporterOTLP) || !c.metrics.uses(exporterPrometheus) || !c.logs.uses(exporterConsole) {
		t.Errorf("exporters %v %v %v", c.traces.exporter, c.metrics.exporter, c.logs.exporter)
	}
}

func TestEnvBatching(t *testing.T) {
	c, err := newConfig(envOf(map[string]string{"OTEL_SERVICE_NAME": "s",
		"OTEL_BSP_SCHEDULE_DELAY": "250", "OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "50",
		"OTEL_BSP_EXPORT_TIMEOUT": "3000", "OTEL_BLRP_MAX_QUEUE_SIZE": "10", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE": "11"}), nil)
	if got := fieldCounts(err); len(got) != 1 || got["OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"] != 1 {
		t.Errorf("errors %v; want only the log batch larger than its queue", err)
	}
	if b := c.spanBatch; b.delay.Milliseconds() != 250 || b.queue != 100 || b.batch != 50 || b.export.Milliseconds() != 3000 {
		t.Errorf("span batching %+v", b)
	}
}
