// Package labels holds the keys of the three labels that every metric series
// of the SDK carries (environment, project, service) and the code that puts
// them on exported metric data points.
package labels

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// The mandatory label keys. They are declared here once and used by constant
// everywhere else.
const (
	Environment attribute.Key = "environment"
	Project     attribute.Key = "project"
	Service     attribute.Key = "service"
)

// maxCache bounds the memo of merged attribute sets. The SDK's cardinality
// limit already bounds the series a reader holds; this is a second fence.
const maxCache = 1 << 14

// Injector adds the mandatory labels to every data point of a collection.
// It memoises the merged sets so that a periodic export of unchanged series
// does not allocate. It is not safe for concurrent use: a PeriodicReader
// calls its exporter from one goroutine at a time.
type Injector struct {
	kvs   []attribute.KeyValue
	cache map[attribute.Distinct]attribute.Set
}

// NewInjector returns an Injector that adds kvs (which win over data point
// attributes with the same key).
func NewInjector(kvs ...attribute.KeyValue) *Injector {
	return &Injector{kvs: kvs, cache: make(map[attribute.Distinct]attribute.Set)}
}

// Inject rewrites the attributes of every data point in rm in place.
func (in *Injector) Inject(rm *metricdata.ResourceMetrics) {
	if in == nil || rm == nil || len(in.kvs) == 0 {
		return
	}
	EachPoint(rm, func(s *attribute.Set) { *s = in.merge(*s) })
}

// EachPoint calls fn with the attributes of every data point in rm, which
// fn may replace. It returns the number of points.
func EachPoint(rm *metricdata.ResourceMetrics, fn func(*attribute.Set)) int {
	n := 0
	for i := range rm.ScopeMetrics {
		ms := rm.ScopeMetrics[i].Metrics
		for j := range ms {
			switch d := ms[j].Data.(type) {
			case metricdata.Sum[int64]:
				n += eachPoint(d.DataPoints, fn)
			case metricdata.Sum[float64]:
				n += eachPoint(d.DataPoints, fn)
			case metricdata.Gauge[int64]:
				n += eachPoint(d.DataPoints, fn)
			case metricdata.Gauge[float64]:
				n += eachPoint(d.DataPoints, fn)
			case metricdata.Histogram[int64]:
				n += eachHist(d.DataPoints, fn)
			case metricdata.Histogram[float64]:
				n += eachHist(d.DataPoints, fn)
			case metricdata.ExponentialHistogram[int64]:
				n += eachExpHist(d.DataPoints, fn)
			case metricdata.ExponentialHistogram[float64]:
				n += eachExpHist(d.DataPoints, fn)
			case metricdata.Summary:
				for k := range d.DataPoints {
					fn(&d.DataPoints[k].Attributes)
				}
				n += len(d.DataPoints)
			}
		}
	}
	return n
}

func eachPoint[N int64 | float64](dps []metricdata.DataPoint[N], fn func(*attribute.Set)) int {
	for k := range dps {
		fn(&dps[k].Attributes)
	}
	return len(dps)
}

func eachHist[N int64 | float64](dps []metricdata.HistogramDataPoint[N], fn func(*attribute.Set)) int {
	for k := range dps {
		fn(&dps[k].Attributes)
	}
	return len(dps)
}

func eachExpHist[N int64 | float64](dps []metricdata.ExponentialHistogramDataPoint[N], fn func(*attribute.Set)) int {
	for k := range dps {
		fn(&dps[k].Attributes)
	}
	return len(dps)
}

func (in *Injector) merge(s attribute.Set) attribute.Set {
	key := s.Equivalent()
	if m, ok := in.cache[key]; ok {
		return m
	}
	kvs := make([]attribute.KeyValue, 0, s.Len()+len(in.kvs))
	kvs = append(kvs, s.ToSlice()...)
	for i, kv := range kvs {
		// OTLP strings must be valid UTF-8: one bad label value would fail
		// every export of a cumulative series (once per series: memoised).
		if kv.Value.Type() == attribute.STRING && !utf8.ValidString(kv.Value.AsString()) {
			kvs[i] = kv.Key.String(strings.ToValidUTF8(kv.Value.AsString(), "\uFFFD"))
		}
	}
	kvs = append(kvs, in.kvs...) // NewSet keeps the last value of a key: ours win.
	m := attribute.NewSet(kvs...)
	if len(in.cache) >= maxCache {
		clear(in.cache)
	}
	in.cache[key] = m
	return m
}
