package provider

import (
	"testing"

	lognoop "go.opentelemetry.io/otel/log/noop"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

func TestSet(t *testing.T) {
	mp, tp, lp := metricnoop.NewMeterProvider(), tracenoop.NewTracerProvider(), lognoop.NewLoggerProvider()

	var s Set
	if s = s.WithMeter(nil).WithTracer(nil).WithLogger(nil); s != (Set{}) {
		t.Errorf("nil providers changed the set: %+v", s)
	}
	// Without a provider of its own, the Telemetry's, which a nil
	// Telemetry's disables.
	if _, ok := s.MeterProvider(nil); ok {
		t.Error("MeterProvider(nil) is worth recording on")
	}
	if _, ok := s.TracerProvider(nil); ok {
		t.Error("TracerProvider(nil) is worth recording on")
	}

	s = s.WithMeter(mp).WithTracer(tp).WithLogger(lp)
	if got, ok := s.MeterProvider(nil); got != mp || !ok {
		t.Errorf("MeterProvider = %v, %v; want the option's, true", got, ok)
	}
	if got, ok := s.TracerProvider(nil); got != tp || !ok {
		t.Errorf("TracerProvider = %v, %v; want the option's, true", got, ok)
	}
	if s.Logger != lp {
		t.Errorf("Logger = %v; want the option's", s.Logger)
	}
	if s.WithMeter(nil) != s {
		t.Error("a nil meter provider replaced the set's")
	}
}
