package dashboards

import "github.com/starmates-ai-team/telemetry/internal/catalog"

// SDKMetrics are the series of the SDK's metrics that the dashboards show, every one of
// them on some dashboard, as a query names them (after the collector's prometheus and
// prometheus_remote_write exporters have translated them). They come from the SDK's metric
// catalogue (internal/catalog), which gives their labels: every one also carries
// environment, project and service, and job/instance derived from
// service.name/service.instance.id. Dashboards may name any other series of the catalogue
// too (CatalogSeries).
var SDKMetrics = seriesOf(
	catalog.HTTPRequests, catalog.HTTPRequestDuration, catalog.HTTPErrors,
	catalog.AIRequests, catalog.AITokens, catalog.AICost,
	catalog.UserRetention, catalog.FeatureAdoption, catalog.PMFScore,
)

// CatalogSeries are the series of every metric in the SDK's catalogue, the optional GenAI
// histograms included.
var CatalogSeries = seriesOf(append(catalog.All(), catalog.GenAI()...)...)

func seriesOf(ms ...catalog.Metric) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Series()...)
	}
	return out
}

// SelfMetrics are the series that are not the SDK's but that the dashboards may name: the
// OpenTelemetry Collector's own telemetry (v0.155, scraped from its port 8888, names as
// checked in a running collector) and Prometheus' per-scrape series.
var SelfMetrics = []string{
	"otelcol_receiver_accepted_log_records",
	"otelcol_receiver_refused_log_records",
	"otelcol_receiver_refused_metric_points",
	"otelcol_receiver_refused_spans",
	"otelcol_exporter_sent_log_records",
	"otelcol_exporter_send_failed_log_records",
	"otelcol_exporter_sent_metric_points",
	"otelcol_exporter_send_failed_metric_points",
	"otelcol_exporter_sent_spans",
	"otelcol_exporter_send_failed_spans",
	"otelcol_exporter_enqueue_failed_log_records",
	"otelcol_exporter_enqueue_failed_metric_points",
	"otelcol_exporter_enqueue_failed_spans",
	"scrape_samples_scraped",
	"up",
}
