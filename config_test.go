package telemetry

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		opts  []Option
		check func(t *testing.T, c *config)
	}{
		{
			name: "defaults",
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc"},
			check: func(t *testing.T, c *config) {
				if c.environment != Dev || c.project != DefaultProject {
					t.Errorf("env, project = %q, %q; want dev, %q", c.environment, c.project, DefaultProject)
				}
				if c.traces.protocol != GRPC || c.traces.endpoint != DefaultGRPCEndpoint || !c.traces.insecure {
					t.Errorf("traces = %+v; want insecure grpc to %s", c.traces, DefaultGRPCEndpoint)
				}
				if c.metricInterval != DefaultMetricInterval || c.exportTimeout != DefaultExportTimeout {
					t.Errorf("interval, timeout = %v, %v", c.metricInterval, c.exportTimeout)
				}
				if got := c.sampler.Description(); !strings.HasPrefix(got, "ParentBased{root:AlwaysOnSampler") {
					t.Errorf("sampler = %s; want ParentBased(AlwaysOn)", got)
				}
			},
		},
		{
			name: "option beats env beats resource attributes",
			env: map[string]string{
				"OTEL_SERVICE_NAME":        "from-env",
				"ENVIRONMENT":              "staging",
				"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs,deployment.environment.name=prod,team=ai,project=p2",
			},
			opts: []Option{WithService("from-option")},
			check: func(t *testing.T, c *config) {
				if c.service != "from-option" || c.environment != Staging || c.project != "p2" {
					t.Errorf("service, env, project = %q, %q, %q", c.service, c.environment, c.project)
				}
				if len(c.resourceAttrs) != 1 || c.resourceAttrs[0].Key != "team" {
					t.Errorf("extra resource attrs = %v; want team only", c.resourceAttrs)
				}
			},
		},
		{
			name: "resource attributes supply service and environment",
			env:  map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=svc-x,deployment.environment.name=prod"},
			check: func(t *testing.T, c *config) {
				if c.service != "svc-x" || c.environment != Prod {
					t.Errorf("service, env = %q, %q", c.service, c.environment)
				}
			},
		},
		{
			name: "http protocol with generic and per-signal endpoints",
			env: map[string]string{
				"OTEL_SERVICE_NAME":                  "svc",
				"OTEL_EXPORTER_OTLP_PROTOCOL":        "http/protobuf",
				"OTEL_EXPORTER_OTLP_ENDPOINT":        "https://otlp.example.net/otlp",
				"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT":   "http://loki.local:3100/otlp/v1/logs",
				"OTEL_EXPORTER_OTLP_HEADERS":         "Authorization=Basic%20abc,X-Scope=a",
				"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT": "2500",
				"OTEL_METRIC_EXPORT_INTERVAL":        "5000",
			},
			check: func(t *testing.T, c *config) {
				if c.traces.endpoint != "otlp.example.net:443" || c.traces.urlPath != "/otlp/v1/traces" || c.traces.insecure {
					t.Errorf("traces = %+v", c.traces)
				}
				if c.logs.endpoint != "loki.local:3100" || c.logs.urlPath != "/otlp/v1/logs" || !c.logs.insecure {
					t.Errorf("logs = %+v", c.logs)
				}
				if c.traces.headers["Authorization"] != "Basic abc" {
					t.Errorf("headers = %v", c.traces.headers)
				}
				if c.metrics.timeout != 2500*time.Millisecond || c.traces.timeout != DefaultExportTimeout {
					t.Errorf("timeouts metrics, traces = %v, %v", c.metrics.timeout, c.traces.timeout)
				}
				if c.metricInterval != 5*time.Second {
					t.Errorf("interval = %v", c.metricInterval)
				}
			},
		},
		{
			name: "options override endpoint, protocol and insecure",
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			opts: []Option{WithEndpoint("collector:4318"), WithProtocol(HTTPProtobuf), WithInsecure(true), WithExportTimeout(time.Second)},
			check: func(t *testing.T, c *config) {
				if c.metrics.endpoint != "collector:4318" || c.metrics.protocol != HTTPProtobuf || !c.metrics.insecure || c.metrics.urlPath != "/v1/metrics" {
					t.Errorf("metrics = %+v", c.metrics)
				}
				if c.logs.timeout != time.Second {
					t.Errorf("timeout = %v", c.logs.timeout)
				}
			},
		},
		{
			name: "remote host without scheme uses TLS",
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc", "OTEL_EXPORTER_OTLP_ENDPOINT": "collector.prod:4317"},
			check: func(t *testing.T, c *config) {
				if c.traces.insecure {
					t.Errorf("insecure for a remote host without scheme")
				}
			},
		},
		{
			name: "sampler from env",
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"},
			check: func(t *testing.T, c *config) {
				if got := c.sampler.Description(); !strings.Contains(got, "TraceIDRatioBased{0.25}") {
					t.Errorf("sampler = %s", got)
				}
			},
		},
		{
			name: "sample ratio option beats env",
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc", "OTEL_TRACES_SAMPLER": "always_off"},
			opts: []Option{WithSampleRatio(0.5)},
			check: func(t *testing.T, c *config) {
				if got := c.sampler.Description(); !strings.Contains(got, "TraceIDRatioBased{0.5}") {
					t.Errorf("sampler = %s", got)
				}
			},
		},
		{
			name: "disabled by env",
			env:  map[string]string{"OTEL_SERVICE_NAME": "svc", "OTEL_SDK_DISABLED": "true"},
			check: func(t *testing.T, c *config) {
				if !*c.disabled {
					t.Error("not disabled")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newConfig(envOf(tt.env), tt.opts)
			if err != nil {
				t.Fatalf("newConfig: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		opts  []Option
		want  []string // substrings of the error
		avoid string   // must not appear (secrets)
	}{
		{name: "no service", want: []string{"service is required"}},
		{name: "bad service", opts: []Option{WithService("my service!")}, want: []string{`invalid service "my service!"`}},
		{name: "bad environment", opts: []Option{WithService("s"), WithEnvironment("qa")}, want: []string{`environment "qa"`, "dev, prod, staging"}},
		{name: "bad ENVIRONMENT", env: map[string]string{"OTEL_SERVICE_NAME": "s", "ENVIRONMENT": "production"}, want: []string{`"production"`, "one of dev, prod, staging"}},
		{name: "bad protocol", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"}, want: []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc or http/protobuf"}},
		{name: "bad interval", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_METRIC_EXPORT_INTERVAL": "10s"}, want: []string{"OTEL_METRIC_EXPORT_INTERVAL", "milliseconds"}},
		{name: "bad timeout", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_EXPORTER_OTLP_TIMEOUT": "-5"}, want: []string{"OTEL_EXPORTER_OTLP_TIMEOUT"}},
		{name: "bad sampler", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_TRACES_SAMPLER": "sometimes"}, want: []string{"OTEL_TRACES_SAMPLER", "parentbased_always_on"}},
		{name: "bad sampler arg", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}, want: []string{"OTEL_TRACES_SAMPLER_ARG", "0 to 1"}},
		{name: "bad ratio option", opts: []Option{WithService("s"), WithSampleRatio(-1)}, want: []string{"sample ratio"}},
		{name: "bad endpoint", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_EXPORTER_OTLP_ENDPOINT": "ftp://x"}, want: []string{"OTEL_EXPORTER_OTLP_ENDPOINT"}},
		{name: "bad disabled", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_SDK_DISABLED": "maybe"}, want: []string{"OTEL_SDK_DISABLED", "true or false"}},
		{name: "bad insecure", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_EXPORTER_OTLP_INSECURE": "yes please"}, want: []string{"OTEL_EXPORTER_OTLP_INSECURE"}},
		{
			name:  "bad headers never echo the secret",
			env:   map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic%ZZsecret-canary"},
			want:  []string{"OTEL_EXPORTER_OTLP_HEADERS", "malformed"},
			avoid: "secret-canary",
		},
		{name: "bad resource attributes", env: map[string]string{"OTEL_SERVICE_NAME": "s", "OTEL_RESOURCE_ATTRIBUTES": "novalue"}, want: []string{"OTEL_RESOURCE_ATTRIBUTES"}},
		{name: "all errors at once", opts: []Option{WithEnvironment("qa")}, want: []string{"service is required", `environment "qa"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newConfig(envOf(tt.env), tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("errors.Is(err, ErrInvalidConfig) = false for %v", err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("errors.As(*ConfigError) = false")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.avoid != "" && strings.Contains(err.Error(), tt.avoid) {
				t.Errorf("error %q leaks %q", err, tt.avoid)
			}
		})
	}
}
