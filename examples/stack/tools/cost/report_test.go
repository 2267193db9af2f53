package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

// fakeSeries: 2 services; a histogram with 4 buckets x 2 endpoints on
// each; a counter with 3 models on one service.
func fakeSeries() []stackquery.Sample {
	var out []stackquery.Sample
	add := func(l map[string]string) {
		l["environment"], l["project"] = "dev", "p"
		out = append(out, stackquery.Sample{Labels: l, Value: 1})
	}
	for _, svc := range []string{"a", "b"} {
		for _, ep := range []string{"/x", "/y"} {
			for _, le := range []string{"0.1", "1", "10", "+Inf"} {
				add(map[string]string{"__name__": "h_bucket", "service": svc, "job": svc, "instance": svc + "1", "endpoint": ep, "le": le})
			}
		}
	}
	for _, model := range []string{"m1", "m2", "m3"} {
		add(map[string]string{"__name__": "ai_total", "service": "a", "job": "a", "instance": "a1", "model": model})
	}
	return out // 16 + 3 = 19 series
}

func fakeProm(spm float64, err error) (prom, *[]string) {
	var queries []string
	return func(_ context.Context, q string) ([]stackquery.Sample, error) {
		queries = append(queries, q)
		if err != nil {
			return nil, err
		}
		switch {
		case q == `{environment!=""}`:
			return fakeSeries(), nil
		case strings.HasPrefix(q, "sum(count_over_time(h_bucket{"):
			return []stackquery.Sample{{Value: spm * 16 * 5}}, nil // over 5m
		case strings.HasPrefix(q, "sum(count_over_time(ai_total{"):
			return []stackquery.Sample{{Value: spm * 3 * 5}}, nil
		}
		return nil, fmt.Errorf("unexpected query %q", q)
	}, &queries
}

func fakeLogs(err error) logRows {
	rec := func(svc, sev string) map[string]string {
		return map[string]string{
			"_msg": "hello", "_time": "2026-12-02T00:00:00Z", "_stream": "{x}", "_stream_id": "1",
			"service.name": svc, "service": svc, "environment": "dev", "project": "p", "severity_number": sev,
		}
	}
	return func(_ context.Context, q string, limit int) ([]map[string]string, error) {
		if err != nil {
			return nil, err
		}
		switch {
		case strings.Contains(q, "count_uniq(_stream)"):
			return []map[string]string{{"streams": "2"}}, nil
		case strings.Contains(q, "stats by (service.name)"):
			return []map[string]string{{"service.name": "a", "records": "100"}, {"service.name": "b", "records": "0"}}, nil
		case strings.Contains(q, `service.name:="a"`):
			if limit != 5000 {
				return nil, fmt.Errorf("limit %d", limit)
			}
			return []map[string]string{rec("a", "9"), rec("a", "17")}, nil
		}
		return nil, fmt.Errorf("unexpected query %q", q)
	}
}

func testConfig() config {
	return config{match: `{environment!=""}`, window: 5 * time.Minute, instances: 3, top: 10, includedDPM: 1, freeSeries: 10000, freeLogsGB: 50, logSample: 5000, interval: 10 * time.Second}
}

func TestGatherMetrics(t *testing.T) {
	q, queries := fakeProm(6, nil)
	m, err := gatherMetrics(context.Background(), "cloud", q, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if m.Series != 19 || len(m.ByMetric) != 2 || m.ByMetric[0] != (Count{Name: "h_bucket", Series: 16, Share: 16.0 / 19}) {
		t.Fatalf("series %d, by metric %+v", m.Series, m.ByMetric)
	}
	if m.ByService[0].Name != "a" || m.ByService[0].Series != 11 || m.ByService[1].Series != 8 {
		t.Errorf("by service %+v", m.ByService)
	}
	if m.SamplesPerMin != 6*19 || m.DPMPerSeries != 6 || m.BillableSeries != 6*19 {
		t.Errorf("spm %v dpm %v billable %v", m.SamplesPerMin, m.DPMPerSeries, m.BillableSeries)
	}
	if m.ProjectedSeries != 57 || m.ProjectedBill != 6*57 || m.SamplesPerMonth != 6*57*60*24*30 {
		t.Errorf("projected %v %v %v", m.ProjectedSeries, m.ProjectedBill, m.SamplesPerMonth)
	}
	if len(*queries) != 3 {
		t.Errorf("queries %v", *queries)
	}
	byLabel := map[string]LabelCost{}
	for _, l := range m.ByLabel {
		byLabel[l.Label] = l
	}
	// Without le, the 16 bucket series are 4; without model the 3 are 1;
	// endpoint: 16 -> 8.
	for label, want := range map[string]LabelCost{
		"le":       {Label: "le", Values: 4, InSeries: 16, Saved: 12, Metrics: 1},
		"model":    {Label: "model", Values: 3, InSeries: 3, Saved: 2, Metrics: 1},
		"endpoint": {Label: "endpoint", Values: 2, InSeries: 16, Saved: 8, Metrics: 1},
		"service":  {Label: "service", Values: 2, InSeries: 19, Saved: 0, Mandatory: true, Metrics: 2},
	} {
		if byLabel[label] != want {
			t.Errorf("%s: %+v, want %+v", label, byLabel[label], want)
		}
	}
	if m.ByLabel[0].Label != "le" {
		t.Errorf("the biggest saving first: %+v", m.ByLabel[0])
	}

	bad, _ := fakeProm(0, errors.New("down"))
	if _, err := gatherMetrics(context.Background(), "cloud", bad, testConfig()); err == nil || !strings.Contains(err.Error(), "cloud: down") {
		t.Errorf("err = %v", err)
	}
}

func TestBillable(t *testing.T) {
	for _, c := range []struct{ series, spm, dpm, want float64 }{
		{100, 50, 1, 100},  // under 1 DPM: the series
		{100, 600, 1, 600}, // 6 DPM: billed on DPM
		{100, 600, 0, 100}, // no DPM rule
		{100, 600, 2, 300},
	} {
		if got := billable(c.series, c.spm, c.dpm); got != c.want {
			t.Errorf("billable(%v, %v, %v) = %v, want %v", c.series, c.spm, c.dpm, got, c.want)
		}
	}
}

func TestGatherLogs(t *testing.T) {
	l, err := gatherLogs(context.Background(), fakeLogs(nil), testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if l.Streams != 2 || len(l.ByService) != 1 || l.Window != "5m" {
		t.Fatalf("%+v", l)
	}
	s := l.ByService[0]
	// _msg 5 + _time 8 + service.name 12+1 + service 7+1 + environment 11+3
	// + project 7+1 + severity_number 15+1 (or +2) = 72 and 73.
	if s.Records != 100 || s.BytesPerRecord != 72.5 || s.RepeatedBytes != 30 {
		t.Errorf("%+v", s)
	}
	if want := 72.0 / 145; math.Abs(s.InfoShare-want) > 1e-12 {
		t.Errorf("info share %v, want %v", s.InfoShare, want)
	}
	perDay := 72.5 * 100 * 288 // 5 m windows in a day
	if s.BytesPerDay != perDay || l.BytesPerDay != perDay || l.GBPerMonth != perDay*30/1e9 || l.ProjectedGBMonth != 3*perDay*30/1e9 {
		t.Errorf("bytes/day %v, %v GB/month, projected %v", s.BytesPerDay, l.GBPerMonth, l.ProjectedGBMonth)
	}
	if _, err := gatherLogs(context.Background(), fakeLogs(errors.New("401")), testConfig()); err == nil {
		t.Error("no error from a failing store")
	}
}

func TestCuts(t *testing.T) {
	cfg := testConfig()
	q, _ := fakeProm(6, nil)
	r, err := build(context.Background(), q, q, fakeLogs(nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Cut{}
	for _, c := range r.Cuts {
		got[c.What[:strings.IndexAny(c.What, " :")]] = c
	}
	// 6 DPM on 57 projected series: 342 billable; at 1 DPM 57.
	if c := got["export"]; c.Saves != 342-57 || !strings.Contains(c.What, "export every 60 s instead of every 10s (OTEL_METRIC_EXPORT_INTERVAL=60000): 6.0 DPM per series") || c.Unit != "billable series" {
		t.Errorf("interval cut %+v", c)
	}
	// h_bucket: 4 buckets -> 2 halves its 16 series: 8 x 3 instances x 6 DPM.
	if c := got["h_bucket"]; c.Saves != 8*3*6 || math.Abs(c.Share-144.0/342) > 1e-12 {
		t.Errorf("bucket cut %+v", c)
	}
	if c := got["bound"]; !strings.Contains(c.What, "bound endpoint") && !strings.Contains(c.What, "bound model") {
		t.Errorf("bound cut %+v", c)
	}
	if c := got["drop"]; c.Unit != "billable series" {
		t.Errorf("drop cut %+v", c)
	}
	if c := got["LOG_LEVEL=warn"]; c.Unit != "GB/month" || math.Abs(c.Saves-r.Logs.ProjectedGBMonth*72/145) > 1e-12 {
		t.Errorf("log level cut %+v", c)
	}
	for _, c := range r.Cuts {
		if strings.Contains(c.What, "label le") || strings.Contains(c.What, "label service") || strings.Contains(c.What, "label instance") {
			t.Errorf("proposes %q", c.What)
		}
	}
	// Sorted by unit, then biggest first.
	for i := 1; i < len(r.Cuts); i++ {
		a, b := r.Cuts[i-1], r.Cuts[i]
		if a.Unit == b.Unit && a.Saves < b.Saves {
			t.Errorf("not sorted: %+v before %+v", a, b)
		}
	}

	var out bytes.Buffer
	r.print(&out, cfg)
	for _, want := range []string{"active series                  19", "billable series", "h_bucket", "series per service", "-- Logs", "-- What would cut it most", "10000 free series", "50 GB free"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output has no %q:\n%s", want, out.String())
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || back.Cloud.Series != 19 || back.Logs.Streams != 2 || len(back.Cuts) != len(r.Cuts) {
		t.Errorf("JSON round trip: %v %+v", err, back.Cloud)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"-window", "10s"}, {"-export-interval", "0s"}, {"-instances", "0"}, {"-top", "0"}, {"-log-sample", "0"}, {"-nope"}} {
		if err := run(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Minute: "5m", 2 * time.Hour: "2h", 90 * time.Second: "90s"} {
		if got := promDuration(d); got != want {
			t.Errorf("%v: %q", d, got)
		}
	}
	if got := withName(`{environment!=""}`, "x"); got != `x{environment!=""}` {
		t.Errorf("withName: %s", got)
	}
}

// Two instances of a service already in the store: the projection starts
// from the series of one.
func TestProjectionPerInstance(t *testing.T) {
	var series []stackquery.Sample
	for _, inst := range []string{"a1", "a2"} {
		for _, ep := range []string{"/x", "/y"} {
			series = append(series, stackquery.Sample{Labels: map[string]string{"__name__": "c_total", "service": "a", "instance": inst, "endpoint": ep, "environment": "dev"}})
		}
	}
	q := func(_ context.Context, promql string) ([]stackquery.Sample, error) {
		if promql == `{environment!=""}` {
			return series, nil
		}
		return []stackquery.Sample{{Value: 4 * 5}}, nil // 1 DPM per series over 5 m
	}
	cfg := testConfig()
	cfg.instances = 5
	cfg.interval = time.Minute
	m, err := gatherMetrics(context.Background(), "x", q, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.ByService[0].Instances != 2 || m.ProjectedSeries != 10 || m.ProjectedSPM != 10 || m.ProjectedBill != 10 {
		t.Fatalf("instances %d, projected %v series %v spm %v billable", m.ByService[0].Instances, m.ProjectedSeries, m.ProjectedSPM, m.ProjectedBill)
	}
	logs := func(_ context.Context, q string, _ int) ([]map[string]string, error) {
		switch {
		case strings.Contains(q, "count_uniq(_stream)"):
			return []map[string]string{{"streams": "1"}}, nil
		case strings.Contains(q, "stats by (service.name)"):
			return []map[string]string{{"service.name": "a", "records": "10", "instances": "2"}}, nil
		}
		return []map[string]string{{"_msg": "0123456789"}}, nil // 10 B a record
	}
	l, err := gatherLogs(context.Background(), logs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 100 B per 5 m from 2 instances: 50 B per instance, 5 of them, 288 windows a day, 30 days.
	if want := 50.0 * 5 * 288 * 30 / 1e9; math.Abs(l.ProjectedGBMonth-want) > 1e-15 || l.ByService[0].Instances != 2 {
		t.Fatalf("projected %v GB/month, want %v (%+v)", l.ProjectedGBMonth, want, l.ByService)
	}
}
