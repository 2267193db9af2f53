package telemetry

import (
	"errors"
	"testing"
)

// FuzzConfigFromEnv feeds arbitrary values to the environment variables Init
// parses: it must return a config or a *ConfigError, never panic, and never
// echo header values in an error.
func FuzzConfigFromEnv(f *testing.F) {
	f.Add("svc", "dev", "http://localhost:4318", "http/protobuf", "Authorization=Basic%20abc", "1000", "parentbased_traceidratio", "0.5", "a=b,c=d")
	f.Add("", "qa", "ftp://x", "udp", "=novalue", "-1", "sometimes", "2", ",,=")
	f.Add("a b", "prod", "[::1]:4317", "grpc", "k=%zz", "1e3", "always_on", "NaN", "service.name=x%")
	f.Fuzz(func(t *testing.T, service, env, endpoint, proto, headers, interval, sampler, arg, attrs string) {
		vars := map[string]string{
			"OTEL_SERVICE_NAME":           service,
			"ENVIRONMENT":                 env,
			"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
			"OTEL_EXPORTER_OTLP_PROTOCOL": proto,
			"OTEL_EXPORTER_OTLP_HEADERS":  headers,
			"OTEL_METRIC_EXPORT_INTERVAL": interval,
			"OTEL_TRACES_SAMPLER":         sampler,
			"OTEL_TRACES_SAMPLER_ARG":     arg,
			"OTEL_RESOURCE_ATTRIBUTES":    attrs,
		}
		c, err := newConfig(envOf(vars), nil)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not match ErrInvalidConfig", err)
			}
			return
		}
		if c.service == "" || !serviceNameRE.MatchString(c.service) {
			t.Fatalf("accepted service %q", c.service)
		}
		switch c.environment {
		case Dev, Staging, Prod:
		default:
			t.Fatalf("accepted environment %q", c.environment)
		}
		if c.metricInterval <= 0 || c.traces.timeout <= 0 || c.sampler == nil {
			t.Fatalf("bad resolved config %+v", c)
		}
	})
}
