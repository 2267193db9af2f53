package dashboards

// SDKMetrics are the names of the series the SDK's metrics become in Prometheus, exactly
// as a query names them (after the collector's prometheus and prometheus_remote_write
// exporters have translated them). Every one carries the labels environment, project and
// service, and job/instance derived from service.name/service.instance.id; the other labels
// are listed beside each name.
//
// This is the one list the dashboards are checked against; it will be checked against the
// SDK's own instrument definitions too.
var SDKMetrics = []string{
	"http_requests_total",                  // counter {method, endpoint, status_code}
	"http_request_duration_seconds_bucket", // histogram {method, endpoint, le}
	"http_request_duration_seconds_sum",    // histogram {method, endpoint}
	"http_request_duration_seconds_count",  // histogram {method, endpoint}
	"http_errors_total",                    // counter {error_type}
	"ai_requests_total",                    // counter {model, provider, outcome}
	"ai_tokens_total",                      // counter {model, token_type}
	"ai_cost_total",                        // counter, US dollars {model}
	"user_retention_rate",                  // gauge, 0..1 {retention_period, user_segment}
	"feature_adoption_rate",                // gauge, 0..1 {feature_name}
	"pmf_score",                            // gauge, 0..1 {calculation_method}
}

// SelfMetrics are the series that are not the SDK's but that the dashboards may name: the
// OpenTelemetry Collector's own telemetry (v0.155, scraped from its port 8888, names as
// checked in a running collector) and Prometheus' per-scrape series.
var SelfMetrics = []string{
	"otelcol_receiver_accepted_log_records",
	"otelcol_receiver_refused_log_records",
	"otelcol_exporter_sent_log_records",
	"otelcol_exporter_send_failed_log_records",
	"otelcol_exporter_sent_metric_points",
	"otelcol_exporter_send_failed_metric_points",
	"otelcol_exporter_sent_spans",
	"otelcol_exporter_send_failed_spans",
	"scrape_samples_scraped",
}
