package telemetry_test

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

func metricOpt(kvs ...attribute.KeyValue) metric.AddOption { return metric.WithAttributes(kvs...) }

func metricUnit(u string) metric.Float64HistogramOption { return metric.WithUnit(u) }
