// Package provider holds the OpenTelemetry providers that the options of
// the SDK's packages give (metrics.WithMeterProvider,
// middleware.WithTracerProvider, logbridge.WithLoggerProvider, ...) and
// resolves them against a Telemetry's: a provider given by an option wins,
// and a nil one leaves the default.
package provider

import (
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
)

// Set is the providers the options gave; a nil field defaults to the
// Telemetry's.
type Set struct {
	Meter  metric.MeterProvider
	Tracer trace.TracerProvider
	Logger otellog.LoggerProvider
}

// WithMeter returns s with the meter provider mp; a nil mp leaves s as it
// is.
func (s Set) WithMeter(mp metric.MeterProvider) Set {
	if mp != nil {
		s.Meter = mp
	}
	return s
}

// WithTracer returns s with the tracer provider tp; a nil tp leaves s as it
// is.
func (s Set) WithTracer(tp trace.TracerProvider) Set {
	if tp != nil {
		s.Tracer = tp
	}
	return s
}

// WithLogger returns s with the logger provider lp; a nil lp leaves s as it
// is.
func (s Set) WithLogger(lp otellog.LoggerProvider) Set {
	if lp != nil {
		s.Logger = lp
	}
	return s
}

// MeterProvider returns the meter provider to create instruments on, and
// whether recording on it is worth doing: on s's provider it always is, on
// the Telemetry's only when tel is enabled.
func (s Set) MeterProvider(tel *telemetry.Telemetry) (metric.MeterProvider, bool) {
	return resolve(s.Meter, tel.MeterProvider, tel)
}

// TracerProvider returns the tracer provider to start spans on, and whether
// starting them is worth doing, as MeterProvider does.
func (s Set) TracerProvider(tel *telemetry.Telemetry) (trace.TracerProvider, bool) {
	return resolve(s.Tracer, tel.TracerProvider, tel)
}

// resolve returns own when an option gave it, else the Telemetry's
// provider, and whether recording on the one it returns is worth doing.
func resolve[P comparable](own P, telProvider func() P, tel *telemetry.Telemetry) (P, bool) {
	var none P
	if own != none {
		return own, true
	}
	return telProvider(), tel.Enabled()
}
