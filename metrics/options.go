package metrics

import (
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/provider"
)

// Option configures both NewAI and NewBusiness: every Option is an
// AIOption and a BusinessOption. The options that only make sense for one
// of them (WithPricing, WithMaxFeatures, ...) have the narrower type.
type Option interface {
	AIOption
	BusinessOption
}

// providers are the OpenTelemetry providers the instruments are created
// on; nil fields default to the *telemetry.Telemetry's.
type providers struct {
	set provider.Set
}

type providerOption func(provider.Set) provider.Set

func (f providerOption) applyAI(c aiConfig) aiConfig {
	c.providers.set = f(c.providers.set)
	return c
}

func (f providerOption) applyBusiness(c bizConfig) bizConfig {
	c.providers.set = f(c.providers.set)
	return c
}

// WithMeterProvider creates the instruments on mp instead of the
// Telemetry's meter provider. With it, a nil or disabled Telemetry records
// too, on mp. A nil mp leaves the default.
//
// The Telemetry's pipeline is what adds the labels environment, project and
// service (at export time), caps the series per instrument and counts
// export failures: a provider of one's own gets none of that, and its
// export errors go where its owner sent them (for the OpenTelemetry SDK,
// otel.Handle).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return providerOption(func(s provider.Set) provider.Set { return s.WithMeter(mp) })
}

// WithTracerProvider starts the AI spans (AI.Start) on tp instead of the
// Telemetry's tracer provider. With it, a nil or disabled Telemetry still
// produces spans, on tp. A nil tp leaves the default. NewBusiness, which
// makes no spans, accepts and ignores it, so that one option list can serve
// both constructors.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return providerOption(func(s provider.Set) provider.Set { return s.WithTracer(tp) })
}

// meterProvider returns the provider to create instruments on, and whether
// recording on it is worth doing: an option's provider always is, the
// Telemetry's only when it is enabled.
func (p providers) meterProvider(tel *telemetry.Telemetry) (metric.MeterProvider, bool) {
	return p.set.MeterProvider(tel)
}

// tracerProvider returns the provider to start spans on.
func (p providers) tracerProvider(tel *telemetry.Telemetry) trace.TracerProvider {
	tp, _ := p.set.TracerProvider(tel)
	return tp
}
