package stackquery

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Exemplar is one exemplar as Prometheus' /api/v1/query_exemplars returns
// it: a sample of a series (a histogram bucket) with the trace and span
// that produced it.
type Exemplar struct {
	Series  map[string]string // the labels of the series it belongs to, __name__ included
	Labels  map[string]string // the exemplar's own labels (trace_id, span_id)
	TraceID string
	SpanID  string
	Value   float64
	Time    time.Time
}

// Exemplars returns the exemplars the local Prometheus holds for the
// series of promql (a selector such as
// http_request_duration_seconds_bucket{service="api-gateway"}) between
// start and end.
func (s Stack) Exemplars(ctx context.Context, promql string, start, end time.Time) ([]Exemplar, error) {
	return s.exemplars(ctx, s.Prometheus, promql, start, end, false)
}

// CloudExemplars is Exemplars against the cloud Prometheus (remote write).
func (s Stack) CloudExemplars(ctx context.Context, promql string, start, end time.Time) ([]Exemplar, error) {
	return s.exemplars(ctx, s.CloudPrometheus, promql, start, end, true)
}

func (s Stack) exemplars(ctx context.Context, base, promql string, start, end time.Time, auth bool) ([]Exemplar, error) {
	q := url.Values{}
	q.Set("query", promql)
	q.Set("start", strconv.FormatFloat(float64(start.UnixMilli())/1000, 'f', 3, 64))
	q.Set("end", strconv.FormatFloat(float64(end.UnixMilli())/1000, 'f', 3, 64))
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels    map[string]string `json:"labels"`
				Value     string            `json:"value"`
				Timestamp float64           `json:"timestamp"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	if err := s.getJSON(ctx, base+"/api/v1/query_exemplars?"+q.Encode(), auth, &body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("exemplars of %q: %s", promql, body.Error)
	}
	var out []Exemplar
	for _, d := range body.Data {
		for _, e := range d.Exemplars {
			v, err := strconv.ParseFloat(e.Value, 64)
			if err != nil {
				return nil, fmt.Errorf("exemplars of %q: value %q: %w", promql, e.Value, err)
			}
			out = append(out, Exemplar{
				Series: d.SeriesLabels, Labels: e.Labels,
				TraceID: e.Labels["trace_id"], SpanID: e.Labels["span_id"],
				Value: v, Time: time.UnixMilli(int64(e.Timestamp * 1000)),
			})
		}
	}
	return out, nil
}
