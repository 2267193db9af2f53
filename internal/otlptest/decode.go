package otlptest

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
)

// Attrs are decoded attributes: each value as a string (numbers and bools
// formatted, arrays and maps in a compact JSON-like form).
type Attrs map[string]string

// Span is a decoded span.
type Span struct {
	Resource     Attrs
	Scope        string
	Name         string
	TraceID      string // lower-case hex
	SpanID       string
	Attrs        Attrs
	DroppedAttrs uint32
	Events       []Event
	Links        []Link
}

// Event is a decoded span event.
type Event struct {
	Name  string
	Attrs Attrs
}

// Link is a decoded span link.
type Link struct {
	TraceID string
	Attrs   Attrs
}

// Metric is a decoded metric with its data points.
type Metric struct {
	Resource Attrs
	Scope    string
	Name     string
	Unit     string
	// Type is gauge, sum, histogram, exponential_histogram or summary.
	Type string
	// Temporality is DELTA or CUMULATIVE for sums and histograms, "" else.
	Temporality string
	Points      []Point
}

// Point is a decoded data point.
type Point struct {
	Attrs     Attrs
	Exemplars int
}

// Log is a decoded log record.
type Log struct {
	Resource Attrs
	Scope    string
	Body     string
	Severity string
	TraceID  string
	Attrs    Attrs
}

func decodeSpans(m *coltracepb.ExportTraceServiceRequest) []Span {
	var out []Span
	for _, rs := range m.GetResourceSpans() {
		res := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				sp := Span{
					Resource:     res,
					Scope:        ss.GetScope().GetName(),
					Name:         s.GetName(),
					TraceID:      hex.EncodeToString(s.GetTraceId()),
					SpanID:       hex.EncodeToString(s.GetSpanId()),
					Attrs:        attrs(s.GetAttributes()),
					DroppedAttrs: s.GetDroppedAttributesCount(),
				}
				for _, e := range s.GetEvents() {
					sp.Events = append(sp.Events, Event{Name: e.GetName(), Attrs: attrs(e.GetAttributes())})
				}
				for _, l := range s.GetLinks() {
					sp.Links = append(sp.Links, Link{TraceID: hex.EncodeToString(l.GetTraceId()), Attrs: attrs(l.GetAttributes())})
				}
				out = append(out, sp)
			}
		}
	}
	return out
}

func decodeMetrics(m *colmetricspb.ExportMetricsServiceRequest) []Metric {
	var out []Metric
	for _, rm := range m.GetResourceMetrics() {
		res := attrs(rm.GetResource().GetAttributes())
		for _, sm := range rm.GetScopeMetrics() {
			for _, x := range sm.GetMetrics() {
				mt := Metric{Resource: res, Scope: sm.GetScope().GetName(), Name: x.GetName(), Unit: x.GetUnit()}
				switch d := x.GetData().(type) {
				case *metricspb.Metric_Gauge:
					mt.Type, mt.Points = "gauge", points(d.Gauge.GetDataPoints())
				case *metricspb.Metric_Sum:
					mt.Type, mt.Points = "sum", points(d.Sum.GetDataPoints())
					mt.Temporality = temporality(d.Sum.GetAggregationTemporality())
				case *metricspb.Metric_Histogram:
					mt.Type, mt.Points = "histogram", points(d.Histogram.GetDataPoints())
					mt.Temporality = temporality(d.Histogram.GetAggregationTemporality())
				case *metricspb.Metric_ExponentialHistogram:
					mt.Type, mt.Points = "exponential_histogram", points(d.ExponentialHistogram.GetDataPoints())
					mt.Temporality = temporality(d.ExponentialHistogram.GetAggregationTemporality())
				case *metricspb.Metric_Summary:
					mt.Type = "summary"
					for _, p := range d.Summary.GetDataPoints() {
						mt.Points = append(mt.Points, Point{Attrs: attrs(p.GetAttributes())})
					}
				}
				out = append(out, mt)
			}
		}
	}
	return out
}

// exemplarPoint is a data point of the kinds that carry exemplars.
type exemplarPoint interface {
	GetAttributes() []*commonpb.KeyValue
	GetExemplars() []*metricspb.Exemplar
}

// points decodes the attributes and exemplar counts of ps (nil for none).
func points[P exemplarPoint](ps []P) []Point {
	var out []Point
	for _, p := range ps {
		out = append(out, Point{Attrs: attrs(p.GetAttributes()), Exemplars: len(p.GetExemplars())})
	}
	return out
}

func decodeLogs(m *collogspb.ExportLogsServiceRequest) []Log {
	var out []Log
	for _, rl := range m.GetResourceLogs() {
		res := attrs(rl.GetResource().GetAttributes())
		for _, sl := range rl.GetScopeLogs() {
			for _, l := range sl.GetLogRecords() {
				out = append(out, Log{
					Resource: res,
					Scope:    sl.GetScope().GetName(),
					Body:     value(l.GetBody()),
					Severity: l.GetSeverityText(),
					TraceID:  hex.EncodeToString(l.GetTraceId()),
					Attrs:    attrs(l.GetAttributes()),
				})
			}
		}
	}
	return out
}

func temporality(t metricspb.AggregationTemporality) string {
	return strings.TrimPrefix(t.String(), "AGGREGATION_TEMPORALITY_")
}

func attrs(kvs []*commonpb.KeyValue) Attrs {
	m := make(Attrs, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = value(kv.GetValue())
	}
	return m
}

func value(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	case *commonpb.AnyValue_BytesValue:
		return base64.StdEncoding.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		parts := make([]string, 0, len(x.ArrayValue.GetValues()))
		for _, e := range x.ArrayValue.GetValues() {
			parts = append(parts, value(e))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *commonpb.AnyValue_KvlistValue:
		parts := make([]string, 0, len(x.KvlistValue.GetValues()))
		for _, kv := range x.KvlistValue.GetValues() {
			parts = append(parts, kv.GetKey()+"="+value(kv.GetValue()))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return ""
}

// AllSpans returns the spans of reqs, in order.
func AllSpans(reqs []Request) []Span {
	var out []Span
	for _, q := range reqs {
		out = append(out, q.Spans...)
	}
	return out
}

// AllMetrics returns the metrics of reqs, in order.
func AllMetrics(reqs []Request) []Metric {
	var out []Metric
	for _, q := range reqs {
		out = append(out, q.Metrics...)
	}
	return out
}

// AllLogs returns the log records of reqs, in order.
func AllLogs(reqs []Request) []Log {
	var out []Log
	for _, q := range reqs {
		out = append(out, q.Logs...)
	}
	return out
}

// Of returns the requests of reqs that carry signal s.
func Of(reqs []Request, s Signal) []Request {
	var out []Request
	for _, q := range reqs {
		if q.Signal == s {
			out = append(out, q)
		}
	}
	return out
}
