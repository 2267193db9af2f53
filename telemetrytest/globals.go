package telemetrytest

import (
	"testing"

	"go.opentelemetry.io/otel"
)

// SaveGlobals records the OpenTelemetry globals (tracer, meter and logger
// providers, propagator, error handler) and sets them back when tb and its
// subtests have finished, the way tb.Setenv treats the environment. Call it
// first in a test that installs globals, typically with
// New(tb, telemetry.WithGlobals(true)): the cleanups run in reverse order,
// so the kit shuts down before the globals are put back.
//
// The globals are process-wide: a test that changes them must not run in
// parallel with tests that read them. One change cannot be undone: the
// API's default providers delegate, once and for good, to the first
// provider ever installed. If the globals were still the defaults, they
// are the defaults again after the test, but forward to the test's
// provider, which is shut down by then: they record nothing, as before.
func SaveGlobals(tb testing.TB) {
	tb.Helper()
	tp, mp, lp := otel.GetTracerProvider(), otel.GetMeterProvider(), otel.GetLoggerProvider()
	prop, eh := otel.GetTextMapPropagator(), otel.GetErrorHandler()
	tb.Cleanup(func() {
		// Setting a global to the value it has is refused with a log line
		// when that value is the API's default: set only what changed.
		if !same(otel.GetTracerProvider(), tp) {
			otel.SetTracerProvider(tp)
		}
		if !same(otel.GetMeterProvider(), mp) {
			otel.SetMeterProvider(mp)
		}
		if !same(otel.GetLoggerProvider(), lp) {
			otel.SetLoggerProvider(lp)
		}
		if !same(otel.GetTextMapPropagator(), prop) {
			otel.SetTextMapPropagator(prop)
		}
		if !same(otel.GetErrorHandler(), eh) {
			otel.SetErrorHandler(eh)
		}
	})
}

// same reports whether a and b are the same value; values that cannot be
// compared (an otel.ErrorHandlerFunc) are taken as different.
func same(a, b any) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}
