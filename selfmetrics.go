package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/internal/export"
)

// Names of the SDK's self-metrics, as they appear in Prometheus. They are
// exported with the other metrics (and carry environment, project and
// service like every series), so that losses are visible where the data is.
const (
	SelfExportedName     = "telemetry_sdk_exported_total"
	SelfExportFailedName = "telemetry_sdk_export_failed_total"
	SelfDroppedName      = "telemetry_sdk_dropped_total"
	// SelfSignalKey is their label: traces, metrics or logs.
	SelfSignalKey attribute.Key = "signal"
)

// registerSelfMetrics exposes the export counters as observable counters:
// eight series per service at most, each from the signal's first export.
func registerSelfMetrics(mp metric.MeterProvider, counters [3]*export.Counter) error {
	m := mp.Meter(ScopeName)
	exported, err1 := catalog.Int64ObservableCounter(m, catalog.SelfExported)
	failed, err2 := catalog.Int64ObservableCounter(m, catalog.SelfExportFailed)
	dropped, err3 := catalog.Int64ObservableCounter(m, catalog.SelfDropped)
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	var opts [3]metric.ObserveOption
	for i, c := range counters {
		opts[i] = metric.WithAttributeSet(attribute.NewSet(SelfSignalKey.String(c.Signal)))
	}
	_, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for i, c := range counters {
			s := c.Stats()
			if s.Exports+s.Failures+s.Dropped == 0 {
				// A signal with no activity yet adds no series, and a
				// Telemetry that recorded nothing exports nothing.
				continue
			}
			o.ObserveInt64(exported, s.ItemsExported, opts[i])
			o.ObserveInt64(failed, s.ItemsFailed, opts[i])
			if c.Signal != export.Metrics { // metric points are never queued
				o.ObserveInt64(dropped, s.Dropped, opts[i])
			}
		}
		return nil
	}, exported, failed, dropped)
	return err
}
