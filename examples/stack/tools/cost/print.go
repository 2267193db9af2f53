package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

func (r *Report) print(w io.Writer, cfg config) {
	m := r.Cloud
	fmt.Fprintf(w, "== Telemetry bill, %s (series %s; rates over the last %s; %d instance(s) per service)\n",
		r.Generated.Format("2006-01-02 15:04 UTC"), r.Match, r.Logs.Window, r.Instances)

	fmt.Fprintf(w, "\n-- Metrics (the cloud Prometheus: what Grafana Cloud bills)\n")
	fmt.Fprintf(w, "active series            %8d   (local Prometheus %d)\n", m.Series, r.Local.Series)
	fmt.Fprintf(w, "samples per minute       %8.0f   (%.1f per series: DPM)\n", m.SamplesPerMin, m.DPMPerSeries)
	fmt.Fprintf(w, "billable series          %8.0f   (max(series, DPM total / %.0f included))\n", m.BillableSeries, cfg.includedDPM)
	fmt.Fprintf(w, "projected, %d instance(s) per service exporting every %v: %.0f billable series, %.0f samples/min, %.3g samples a month: %s of the %.0f free series\n",
		r.Instances, cfg.interval, m.ProjectedBill, m.ProjectedSPM, m.SamplesPerMonth, pct(m.ProjectedBill/r.FreeSeries), r.FreeSeries)

	fmt.Fprintf(w, "\nseries per metric (top %d of %d)\n", min(cfg.top, len(m.ByMetric)), len(m.ByMetric))
	for _, c := range m.ByMetric[:min(cfg.top, len(m.ByMetric))] {
		fmt.Fprintf(w, "  %-48s %6d  %6s\n", c.Name, c.Series, pct(c.Share))
	}
	fmt.Fprintf(w, "series per service\n")
	for _, c := range m.ByService {
		fmt.Fprintf(w, "  %-48s %6d  %6s  (%d instance(s) seen; %d per service: %.0f)\n", c.Name, c.Series, pct(c.Share), c.Instances, r.Instances, float64(c.Series)/float64(max(1, c.Instances))*float64(r.Instances))
	}
	fmt.Fprintf(w, "series per label (top %d: values, series carrying it, series saved by dropping it)\n", min(cfg.top, len(m.ByLabel)))
	for _, l := range m.ByLabel[:min(cfg.top, len(m.ByLabel))] {
		note := ""
		if l.Mandatory {
			note = "  (mandatory)"
		}
		fmt.Fprintf(w, "  %-32s %5d values %6d series %6d saved%s\n", l.Label, l.Values, l.InSeries, l.Saved, note)
	}

	lg := r.Logs
	fmt.Fprintf(w, "\n-- Logs (the cloud's log store: what Grafana Cloud Logs bills), last %s, %d stream(s)\n", lg.Window, lg.Streams)
	for _, s := range lg.ByService {
		fmt.Fprintf(w, "  %-24s %7d records from %d instance(s) %6.0f B/record %10s/day  (%.0f B/record are the repeated environment, project, service)\n",
			s.Service, s.Records, s.Instances, s.BytesPerRecord, humanBytes(s.BytesPerDay), s.RepeatedBytes)
	}
	fmt.Fprintf(w, "log bytes per day %s, a month %.3g GB; projected, %d instance(s) per service each logging like one seen: %.3g GB a month: %s of the %.0f GB free\n",
		humanBytes(lg.BytesPerDay), lg.GBPerMonth, r.Instances, lg.ProjectedGBMonth, pct(lg.ProjectedGBMonth/r.FreeLogsGB), r.FreeLogsGB)

	fmt.Fprintf(w, "\n-- What would cut it most\n")
	unit := ""
	shown := 0
	for _, c := range r.Cuts {
		if c.Unit != unit {
			unit, shown = c.Unit, 0
			fmt.Fprintf(w, "%s:\n", unit)
		}
		if shown == cfg.top || c.Saves <= 0 {
			continue
		}
		shown++
		fmt.Fprintf(w, "  -%10.4g %-16s %6s  %s\n", c.Saves, c.Unit, pct(c.Share), c.What)
	}
}

func pct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", 100*f)
}

func humanBytes(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	return strings.TrimSpace(fmt.Sprintf("%.3g %s", b, units[i]))
}
