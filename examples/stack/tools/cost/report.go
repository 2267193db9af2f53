package main

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

// config is what the report is computed with (the command's flags).
type config struct {
	match       string        // the selector of the SDK's series
	window      time.Duration // the window of rates (samples, log bytes)
	instances   int           // instances per service to project to
	top         int           // rows per table
	includedDPM float64       // data points per minute and series included in the price
	freeSeries  float64       // free tier: active series
	freeLogsGB  float64       // free tier: GB of logs a month
	logSample   int           // records per service read to measure bytes per record
	interval    time.Duration // the services' metric export interval: the projection's DPM is 1 m / it
}

// mandatory labels: the SDK's own, never proposed for dropping.
var mandatory = map[string]bool{"__name__": true, "environment": true, "project": true, "service": true, "job": true}

const (
	minutesPerDay = 24 * 60
	daysPerMonth  = 30
	gb            = 1e9
)

// prom is one Prometheus server's instant-query function.
type prom func(ctx context.Context, promql string) ([]stackquery.Sample, error)

// Count is one row of a "series by ..." table.
type Count struct {
	Name      string  `json:"name"`
	Series    int     `json:"series"`
	Share     float64 `json:"share"`               // of all series
	Instances int     `json:"instances,omitempty"` // distinct instance labels (by service)
}

// LabelCost is what one label costs: its distinct values and the series
// that would merge if it were dropped.
type LabelCost struct {
	Label     string `json:"label"`
	Values    int    `json:"values"`
	InSeries  int    `json:"in_series"` // series that carry it
	Saved     int    `json:"saved"`     // series fewer without it
	Mandatory bool   `json:"mandatory"` // environment, project, service, job: kept
	Metrics   int    `json:"metrics"`   // metrics that carry it
}

// Metrics is the series side of one Prometheus server.
type Metrics struct {
	Server          string      `json:"server"`
	Series          int         `json:"series"` // active series of the selector (sum of ByMetric)
	ByMetric        []Count     `json:"by_metric"`
	ByService       []Count     `json:"by_service"`
	ByLabel         []LabelCost `json:"by_label"`
	SamplesPerMin   float64     `json:"samples_per_minute"`
	DPMPerSeries    float64     `json:"dpm_per_series"`
	BillableSeries  float64     `json:"billable_series"` // max(series, samples per minute / included DPM)
	ProjectedSeries float64     `json:"projected_series"`
	ProjectedBill   float64     `json:"projected_billable_series"`
	ProjectedSPM    float64     `json:"projected_samples_per_minute"`
	SamplesPerMonth float64     `json:"projected_samples_per_month"`
	series          []map[string]string
	growth          float64 // projected series / series
}

// ServiceLogs is one service's logs in the window.
type ServiceLogs struct {
	Service        string  `json:"service"`
	Records        int     `json:"records"`
	Instances      int     `json:"instances"` // distinct service.instance.id
	BytesPerRecord float64 `json:"bytes_per_record"`
	BytesPerDay    float64 `json:"bytes_per_day"`
	RepeatedBytes  float64 `json:"repeated_label_bytes_per_record"` // environment, project, service repeated as attributes
	InfoShare      float64 `json:"info_share"`                      // of the bytes, records below WARN
}

// Logs is the log store side.
type Logs struct {
	Window           string        `json:"window"`
	ByService        []ServiceLogs `json:"by_service"`
	Streams          int           `json:"streams"`
	BytesPerDay      float64       `json:"bytes_per_day"`
	GBPerMonth       float64       `json:"gb_per_month"`
	ProjectedGBMonth float64       `json:"projected_gb_per_month"`
}

// Cut is one change that would lower the bill, with what it saves.
type Cut struct {
	What  string  `json:"what"`
	Saves float64 `json:"saves"`
	Unit  string  `json:"unit"`  // "billable series" or "GB/month"
	Share float64 `json:"share"` // of the projected total in that unit
}

// Report is the whole bill.
type Report struct {
	Generated  time.Time `json:"generated"`
	Match      string    `json:"match"`
	Instances  int       `json:"instances_per_service"`
	Interval   string    `json:"export_interval"`
	Local      Metrics   `json:"local"`
	Cloud      Metrics   `json:"cloud"`
	Logs       Logs      `json:"logs"`
	FreeSeries float64   `json:"free_tier_series"`
	FreeLogsGB float64   `json:"free_tier_logs_gb_per_month"`
	Cuts       []Cut     `json:"cuts"`
}

// gatherMetrics reads the series of cfg.match from one server.
func gatherMetrics(ctx context.Context, name string, q prom, cfg config) (Metrics, error) {
	m := Metrics{Server: name}
	all, err := q(ctx, cfg.match)
	if err != nil {
		return m, fmt.Errorf("%s: %w", name, err)
	}
	for _, s := range all {
		m.series = append(m.series, s.Labels)
	}
	m.Series = len(m.series)
	m.ByMetric = countBy(m.series, "__name__")
	m.ByService = countBy(m.series, "service")
	m.ByLabel = labelCosts(m.series)

	win := promDuration(cfg.window)
	// One query per metric: a range function drops __name__, so series of
	// two metrics with the same labels would collide in one query.
	for _, c := range m.ByMetric {
		samples, err := q(ctx, fmt.Sprintf("sum(count_over_time(%s[%s]))", withName(cfg.match, c.Name), win))
		if err != nil {
			return m, fmt.Errorf("%s: %w", name, err)
		}
		if len(samples) > 0 {
			m.SamplesPerMin += samples[0].Value / cfg.window.Minutes()
		}
	}
	if m.Series > 0 {
		m.DPMPerSeries = m.SamplesPerMin / float64(m.Series)
	}
	m.BillableSeries = billable(float64(m.Series), m.SamplesPerMin, cfg.includedDPM)
	// Every series of the SDK carries its instance: N instances of a
	// service have N times the series of one (and their samples). The
	// store may hold several instances of a service already (restarts,
	// environments): the projection starts from the series of one.
	inst := map[string]map[string]bool{}
	for _, s := range m.series {
		if inst[s["service"]] == nil {
			inst[s["service"]] = map[string]bool{}
		}
		inst[s["service"]][s["instance"]] = true
	}
	for i := range m.ByService {
		c := &m.ByService[i]
		c.Instances = len(inst[c.Name])
		m.ProjectedSeries += float64(c.Series) / float64(max(1, c.Instances)) * float64(cfg.instances)
	}
	if m.Series > 0 {
		m.growth = m.ProjectedSeries / float64(m.Series)
	}
	// The window may hold instances that stopped or started in it: the
	// projection takes the DPM from the export interval, not from it.
	m.ProjectedSPM = m.ProjectedSeries * float64(time.Minute) / float64(cfg.interval)
	m.ProjectedBill = billable(m.ProjectedSeries, m.ProjectedSPM, cfg.includedDPM)
	m.SamplesPerMonth = m.ProjectedSPM * minutesPerDay * daysPerMonth
	return m, nil
}

// withName narrows a selector such as {environment!=""} to one metric.
func withName(match, name string) string {
	if strings.HasPrefix(match, "{") {
		return name + match
	}
	return fmt.Sprintf(`{__name__=%q} and %s`, name, match)
}

// billable is Grafana Cloud's billable series: active series, or the
// total DPM over the included DPM per series when that is more.
func billable(series, spm, includedDPM float64) float64 {
	if includedDPM <= 0 {
		return series
	}
	return math.Max(series, spm/includedDPM)
}

func countBy(series []map[string]string, label string) []Count {
	n := map[string]int{}
	for _, s := range series {
		n[s[label]]++
	}
	out := make([]Count, 0, len(n))
	for k, v := range n {
		out = append(out, Count{Name: k, Series: v, Share: float64(v) / float64(len(series))})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Series != out[j].Series {
			return out[i].Series > out[j].Series
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// labelCosts computes, for every label, its values and the series that
// would remain if it were dropped (series that differ only in it merge).
func labelCosts(series []map[string]string) []LabelCost {
	names := map[string]bool{}
	for _, s := range series {
		for k := range s {
			names[k] = true
		}
	}
	var out []LabelCost
	for _, l := range slices.Sorted(maps.Keys(names)) {
		if l == "__name__" {
			continue
		}
		values := map[string]bool{}
		metrics := map[string]bool{}
		merged := map[string]bool{}
		in := 0
		for _, s := range series {
			if v, ok := s[l]; ok {
				values[v] = true
				metrics[s["__name__"]] = true
				in++
			}
			merged[keyWithout(s, l)] = true
		}
		out = append(out, LabelCost{
			Label: l, Values: len(values), InSeries: in, Saved: len(series) - len(merged),
			Mandatory: mandatory[l], Metrics: len(metrics),
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Saved != out[j].Saved {
			return out[i].Saved > out[j].Saved
		}
		return out[i].Label < out[j].Label
	})
	return out
}

func keyWithout(s map[string]string, drop string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if k == drop {
			continue
		}
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(s[k])
		b.WriteByte(0)
	}
	return b.String()
}

// logRows is the log store's query function.
type logRows func(ctx context.Context, logsql string, limit int) ([]map[string]string, error)

// repeated are the labels the SDK repeats on every log record although the
// resource carries them.
var repeated = []string{"environment", "project", "service"}

func gatherLogs(ctx context.Context, q logRows, cfg config) (Logs, error) {
	win := promDuration(cfg.window)
	l := Logs{Window: win}
	rows, err := q(ctx, fmt.Sprintf("_time:%s | stats by (service.name) count() records, count_uniq(service.instance.id) instances", win), 0)
	if err != nil {
		return l, fmt.Errorf("log store: %w", err)
	}
	streams, err := q(ctx, fmt.Sprintf("_time:%s | stats count_uniq(_stream) streams", win), 0)
	if err != nil {
		return l, fmt.Errorf("log store: %w", err)
	}
	if len(streams) > 0 {
		l.Streams, _ = strconv.Atoi(streams[0]["streams"])
	}
	perDay := float64(24*time.Hour) / float64(cfg.window)
	for _, r := range rows {
		svc := r["service.name"]
		n, _ := strconv.Atoi(r["records"])
		if n == 0 {
			continue
		}
		sample, err := q(ctx, fmt.Sprintf("_time:%s service.name:=%s", win, strconv.Quote(svc)), cfg.logSample)
		if err != nil {
			return l, fmt.Errorf("log store: %w", err)
		}
		var total, rep, info float64
		for _, rec := range sample {
			b := recordBytes(rec)
			total += b
			for _, k := range repeated {
				if v, ok := rec[k]; ok {
					rep += float64(len(k) + len(v))
				}
			}
			if sev, _ := strconv.Atoi(rec["severity_number"]); sev > 0 && sev < 13 {
				info += b
			}
		}
		sl := ServiceLogs{Service: svc, Records: n}
		sl.Instances, _ = strconv.Atoi(r["instances"])
		if len(sample) > 0 {
			sl.BytesPerRecord = total / float64(len(sample))
			sl.RepeatedBytes = rep / float64(len(sample))
		}
		if total > 0 {
			sl.InfoShare = info / total
		}
		sl.BytesPerDay = sl.BytesPerRecord * float64(n) * perDay
		l.ByService = append(l.ByService, sl)
		l.BytesPerDay += sl.BytesPerDay
		// N instances, each logging like one of those seen.
		l.ProjectedGBMonth += sl.BytesPerDay / float64(max(1, sl.Instances)) * float64(cfg.instances) * daysPerMonth / gb
	}
	sort.Slice(l.ByService, func(i, j int) bool { return l.ByService[i].BytesPerDay > l.ByService[j].BytesPerDay })
	l.GBPerMonth = l.BytesPerDay * daysPerMonth / gb
	return l, nil
}

// recordBytes is what a record weighs as sent (stackquery.SentBytes).
func recordBytes(rec map[string]string) float64 { return float64(stackquery.SentBytes(rec)) }

// cuts lists what would lower the bill most, biggest first in each unit.
func cuts(r *Report, cfg config) []Cut {
	var out []Cut
	m := r.Cloud
	n := m.growth // projected series per series
	bill := m.ProjectedBill
	if bill > 0 {
		// A longer interval: DPM down to the included one.
		if dpm := float64(time.Minute) / float64(cfg.interval); cfg.includedDPM > 0 && dpm > cfg.includedDPM*1.01 {
			saved := bill - billable(m.ProjectedSeries, m.ProjectedSeries*cfg.includedDPM, cfg.includedDPM)
			out = append(out, Cut{
				What: fmt.Sprintf("export every %.0f s instead of every %v (OTEL_METRIC_EXPORT_INTERVAL=%d): %.1f DPM per series down to the %.0f included",
					60/cfg.includedDPM, cfg.interval, int(60000/cfg.includedDPM), dpm, cfg.includedDPM),
				Saves: saved, Unit: "billable series",
			})
		}
		scale := bill / math.Max(1, m.ProjectedSeries) // billable series per series
		// Fewer buckets: each histogram with half its buckets.
		for _, h := range histograms(m.series) {
			drop := h.buckets - (h.buckets+1)/2
			saved := float64(h.series) / float64(h.buckets) * float64(drop) * n * scale
			out = append(out, Cut{
				What:  fmt.Sprintf("%s: %d buckets instead of %d (%d bucket series)", h.name, h.buckets-drop, h.buckets, h.series),
				Saves: saved, Unit: "billable series",
			})
		}
		// A lower label bound, and dropping a label.
		for _, lc := range m.ByLabel {
			if lc.Mandatory || lc.Saved == 0 {
				continue
			}
			switch lc.Label {
			case "le", "instance":
				// le is the buckets (above); instance is the service instance, one set per process.
			default:
				if lc.Values > 2 {
					bound := (lc.Values + 1) / 2
					saved := float64(lc.InSeries) * float64(lc.Values-bound) / float64(lc.Values) * n * scale
					out = append(out, Cut{
						What:  fmt.Sprintf("bound %s to %d values instead of %d (the rest as \"other\"; %d series carry it)", lc.Label, bound, lc.Values, lc.InSeries),
						Saves: saved, Unit: "billable series",
					})
				}
				out = append(out, Cut{
					What:  fmt.Sprintf("drop the label %s (%d values on %d metrics)", lc.Label, lc.Values, lc.Metrics),
					Saves: float64(lc.Saved) * n * scale, Unit: "billable series",
				})
			}
		}
	}
	// Logs.
	if lg := r.Logs; lg.ProjectedGBMonth > 0 {
		var rep, info float64
		for _, s := range lg.ByService {
			rep += s.RepeatedBytes * float64(s.Records)
			info += s.InfoShare * s.BytesPerDay
		}
		if recs := math.Max(1, totalRecords(lg)); rep > 0 {
			out = append(out, Cut{
				What:  fmt.Sprintf("drop environment, project, service from log records (the resource has them): %.0f bytes per record", rep/recs),
				Saves: rep / recs / avgRecordBytes(lg) * lg.ProjectedGBMonth, Unit: "GB/month",
			})
		}
		if info > 0 {
			out = append(out, Cut{
				What:  "LOG_LEVEL=warn: no INFO and DEBUG records",
				Saves: info / lg.BytesPerDay * lg.ProjectedGBMonth, Unit: "GB/month",
			})
		}
	}
	for i := range out {
		switch out[i].Unit {
		case "billable series":
			out[i].Share = out[i].Saves / math.Max(1, m.ProjectedBill)
		case "GB/month":
			out[i].Share = out[i].Saves / math.Max(1e-12, r.Logs.ProjectedGBMonth)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Unit != out[j].Unit {
			return out[i].Unit < out[j].Unit
		}
		return out[i].Saves > out[j].Saves
	})
	return out
}

func totalRecords(l Logs) float64 {
	n := 0
	for _, s := range l.ByService {
		n += s.Records
	}
	return float64(n)
}

func avgRecordBytes(l Logs) float64 {
	var b float64
	for _, s := range l.ByService {
		b += s.BytesPerRecord * float64(s.Records)
	}
	return math.Max(1e-12, b/math.Max(1, totalRecords(l)))
}

type histogram struct {
	name            string
	buckets, series int
}

// histograms finds the _bucket metrics and their bucket counts.
func histograms(series []map[string]string) []histogram {
	les := map[string]map[string]bool{}
	n := map[string]int{}
	for _, s := range series {
		name := s["__name__"]
		if !strings.HasSuffix(name, "_bucket") || s["le"] == "" {
			continue
		}
		if les[name] == nil {
			les[name] = map[string]bool{}
		}
		les[name][s["le"]] = true
		n[name]++
	}
	var out []histogram
	for _, name := range slices.Sorted(maps.Keys(les)) {
		if len(les[name]) > 2 {
			out = append(out, histogram{name, len(les[name]), n[name]})
		}
	}
	return out
}

// promDuration formats d as a PromQL/LogsQL duration (whole seconds).
func promDuration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	}
	return strconv.FormatInt(s, 10) + "s"
}
