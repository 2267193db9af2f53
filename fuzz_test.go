package telemetry

import (
	"errors"
	"maps"
	"testing"
)

// FuzzConfigFromEnv feeds arbitrary values to the environment variables Init
// parses: it must return a config or a *ConfigError, never panic, and never
// echo header values in an error. For the last it parses the headers a
// second time with every letter and digit in them changed (within its
// class, so that what parses still parses): an error that echoed any of
// them would read differently.
func FuzzConfigFromEnv(f *testing.F) {
	f.Add("svc", "dev", "http://localhost:4318", "http/protobuf", "Authorization=Basic%20abc", "1000", "parentbased_traceidratio", "0.5", "a=b,c=d")
	f.Add("", "qa", "ftp://x", "udp", "=novalue", "-1", "sometimes", "2", ",,=")
	f.Add("a b", "prod", "[::1]:4317", "grpc", "k=%zz", "1e3", "always_on", "NaN", "service.name=x%")
	f.Add("svc", "dev", "", "", "Authorization Bearer sk-live-canary", "", "", "", "")
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
		checkHeadersNotEchoed(t, vars, err)
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

// checkHeadersNotEchoed resolves vars again with the headers' letters and
// digits rotated and fails if the error reads differently: it would then
// quote part of the headers.
func checkHeadersNotEchoed(t *testing.T, vars map[string]string, err error) {
	t.Helper()
	const key = "OTEL_EXPORTER_OTLP_HEADERS"
	other := maps.Clone(vars)
	other[key] = rotate(vars[key])
	_, err2 := newConfig(envOf(other), nil)
	if text(err) != text(err2) {
		t.Fatalf("the error quotes the headers:\n%s=%q: %v\n%s=%q: %v", key, vars[key], err, key, other[key], err2)
	}
	var ce *ConfigError
	for _, e := range configErrors(err) {
		if errors.As(e, &ce) && ce.Field == key && ce.Value != "" {
			t.Fatalf("ConfigError for %s carries the value %q", key, ce.Value)
		}
	}
}

// rotate shifts each ASCII letter and digit by one within its class (hex
// digits among hex digits, so that percent-encoding stays as valid as it
// was) and keeps every other byte.
func rotate(s string) string {
	classes := []string{"0123456789", "abcdef", "ABCDEF", "ghijklmnopqrstuvwxyz", "GHIJKLMNOPQRSTUVWXYZ"}
	b := []byte(s)
	for i, c := range b {
		for _, cl := range classes {
			for j := 0; j < len(cl); j++ {
				if cl[j] == c {
					b[i] = cl[(j+1)%len(cl)]
				}
			}
		}
	}
	return string(b)
}

func text(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// configErrors flattens a joined error.
func configErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
