// Package dashboards builds the stack's Grafana dashboards with the Grafana Foundation SDK.
// The JSON in examples/stack/dashboards is its output (go run ./dashboards/cmd/gen -out
// ../dashboards); a test regenerates it and fails on any drift, checks that every PromQL
// expression parses, and that it names only metrics listed in SDKMetrics or SelfMetrics.
//
// The dashboards query raw series only, never recording rules: recording rules live in the
// local Prometheus, and the same dashboards must work on Grafana Cloud's Mimir.
package dashboards

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// DailyBudgetUSD is the AI spend a day the AI dashboard draws as its budget line. It must
// equal the ai:cost_daily_budget_usd recording rule in monitoring/rules/ai-cost.yml (a test
// compares them).
const DailyBudgetUSD = 50

// SeriesBudget is Grafana Cloud's free-tier allowance of active series, as in
// telemetry:series_budget in monitoring/rules/telemetry-cost.yml.
const SeriesBudget = 10000

// File is one generated dashboard: its file name and its JSON.
type File struct {
	Name string
	JSON []byte
}

// All builds every dashboard, in a stable order, as indented JSON ending in a newline.
func All() ([]File, error) {
	builders := []struct {
		name  string
		build func() *dashboard.DashboardBuilder
	}{
		{"http-red.json", httpRED},
		{"ai-usage-cost.json", aiUsage},
		{"business.json", business},
		{"telemetry-cost.json", telemetryCost},
	}
	files := make([]File, 0, len(builders))
	for _, b := range builders {
		d, err := b.build().Build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		out, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		files = append(files, File{Name: b.name, JSON: append(out, '\n')})
	}
	return files, nil
}

// --- shared pieces ----------------------------------------------------------------------

// ds is the dashboards' data source: whatever Prometheus the datasource variable picks
// (the local one, or Grafana Cloud's).
func ds() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}
}

// sel is the label selector every SDK query starts from: the environment and service
// variables.
const sel = `environment=~"$environment", service=~"$service"`

func base(title, uid, description string, tags ...string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags(append([]string{"starmates-ai-team", "generated"}, tags...)).
		Refresh("30s").
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").
			Label("Data source").
			Type("prometheus"))
}

// withScope adds the environment and service variables, read from labelMetric.
func withScope(b *dashboard.DashboardBuilder, labelMetric string) *dashboard.DashboardBuilder {
	return b.
		WithVariable(queryVar("environment", "Environment", fmt.Sprintf("label_values(%s, environment)", labelMetric))).
		WithVariable(queryVar("service", "Service", fmt.Sprintf(`label_values(%s{environment=~"$environment"}, service)`, labelMetric)))
}

func queryVar(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(ds()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*")
}

func query(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(ds()).
		Expr(expr).
		LegendFormat(legend).
		EditorMode(prometheus.QueryEditorModeCode)
}

func instant(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(ds()).
		Expr(expr).
		Instant().
		Format(prometheus.PromQueryFormatTable).
		EditorMode(prometheus.QueryEditorModeCode)
}

func thresholds(steps ...dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

func step(value *float64, color string) dashboard.Threshold {
	return dashboard.Threshold{Value: value, Color: color}
}

func at(v float64) *float64 { return &v }

func series(title, unit string, targets ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Datasource(ds()).
		Unit(unit).
		Height(8).
		Span(12).
		FillOpacity(10).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true).
			Calcs([]string{"mean", "max", "lastNotNull"}))
	for _, t := range targets {
		p.WithTarget(t)
	}
	return p
}

func single(title, unit string, expr string, th *dashboard.ThresholdsConfigBuilder) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Datasource(ds()).
		Unit(unit).
		Height(4).
		Span(6).
		Thresholds(th).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeArea).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		WithTarget(query(expr, ""))
}

// --- HTTP RED -----------------------------------------------------------------------------

func httpRED() *dashboard.DashboardBuilder {
	all := `http_requests_total{` + sel + `}`
	failed := `http_requests_total{` + sel + `, status_code=~"5.."}`
	buckets := `http_request_duration_seconds_bucket{` + sel + `}`
	b := withScope(base("HTTP RED per service", "stack-http-red",
		"Rate, errors and duration of every service's HTTP requests (SDK metrics http_requests_total, http_request_duration_seconds, http_errors_total).",
		"http"), "http_requests_total")
	return b.
		WithRow(dashboard.NewRowBuilder("Overview")).
		WithPanel(single("Requests / s", "reqps",
			`sum(rate(`+all+`[$__rate_interval]))`,
			thresholds(step(nil, "blue")))).
		WithPanel(single("5xx ratio", "percentunit",
			`sum(rate(`+failed+`[$__rate_interval])) / sum(rate(`+all+`[$__rate_interval]))`,
			thresholds(step(nil, "green"), step(at(0.01), "orange"), step(at(0.05), "red")))).
		WithPanel(single("p95 duration", "s",
			`histogram_quantile(0.95, sum by (le) (rate(`+buckets+`[$__rate_interval])))`,
			thresholds(step(nil, "green"), step(at(0.5), "orange"), step(at(1), "red")))).
		WithPanel(single("Services sending", "none",
			`count(count by (environment, service) (`+all+`))`,
			thresholds(step(nil, "red"), step(at(1), "green")))).
		WithRow(dashboard.NewRowBuilder("Rate")).
		WithPanel(series("Requests / s by service", "reqps",
			query(`sum by (environment, service) (rate(`+all+`[$__rate_interval]))`, "{{service}} ({{environment}})"))).
		WithPanel(series("Requests / s by status code", "reqps",
			query(`sum by (service, status_code) (rate(`+all+`[$__rate_interval]))`, "{{service}} {{status_code}}"))).
		WithRow(dashboard.NewRowBuilder("Errors")).
		WithPanel(series("5xx ratio by service", "percentunit",
			query(`sum by (environment, service) (rate(`+failed+`[$__rate_interval]))
/
sum by (environment, service) (rate(`+all+`[$__rate_interval]))`, "{{service}} ({{environment}})")).
			Thresholds(thresholds(step(nil, "green"), step(at(0.05), "red"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine))).
		WithPanel(series("Errors / s by type", "short",
			query(`sum by (service, error_type) (rate(http_errors_total{`+sel+`}[$__rate_interval]))`, "{{service}} {{error_type}}"))).
		WithRow(dashboard.NewRowBuilder("Duration")).
		// Exemplars: each dot is a sampled request with its trace id; the data source's
		// exemplarTraceIdDestinations (monitoring/grafana-datasources.yml) link it to
		// the trace.
		WithPanel(series("Duration percentiles by service (dots: exemplars, click for the trace)", "s",
			query(`histogram_quantile(0.50, sum by (service, le) (rate(`+buckets+`[$__rate_interval])))`, "p50 {{service}}"),
			query(`histogram_quantile(0.95, sum by (service, le) (rate(`+buckets+`[$__rate_interval])))`, "p95 {{service}}").Exemplar(true),
			query(`histogram_quantile(0.99, sum by (service, le) (rate(`+buckets+`[$__rate_interval])))`, "p99 {{service}}"))).
		WithPanel(series("Mean duration by endpoint", "s",
			query(`sum by (service, method, endpoint) (rate(http_request_duration_seconds_sum{`+sel+`}[$__rate_interval]))
/
sum by (service, method, endpoint) (rate(http_request_duration_seconds_count{`+sel+`}[$__rate_interval]))`, "{{service}} {{method}} {{endpoint}}"))).
		WithRow(dashboard.NewRowBuilder("Endpoints")).
		WithPanel(table.NewPanelBuilder().
			Title("Requests in range by endpoint and status").
			Datasource(ds()).
			Height(10).
			Span(24).
			WithTarget(instant(`sort_desc(sum by (service, method, endpoint, status_code) (increase(` + all + `[$__range])))`)))
}

// --- AI usage and cost -------------------------------------------------------------------

func aiUsage() *dashboard.DashboardBuilder {
	b := withScope(base("AI usage and cost", "stack-ai-usage-cost",
		"Model requests, tokens and spend (SDK metrics ai_requests_total, ai_tokens_total, ai_cost_total) against the daily budget.",
		"ai", "cost"), "ai_requests_total")
	cost := `ai_cost_total{` + sel + `}`
	budget := fmt.Sprintf("%d", DailyBudgetUSD)
	return b.
		WithVariable(dashboard.NewConstantVariableBuilder("daily_budget_usd").
			Label("Daily budget (USD)").
			Value(dashboard.StringOrMap{String: cog.ToPtr(budget)})).
		WithRow(dashboard.NewRowBuilder("Spend")).
		WithPanel(single("Spend, last 24h (USD)", "currencyUSD",
			`sum(increase(`+cost+`[24h]))`,
			thresholds(step(nil, "green"), step(at(0.8*DailyBudgetUSD), "orange"), step(at(DailyBudgetUSD), "red")))).
		WithPanel(single("Projected spend per day at the last hour's rate (USD)", "currencyUSD",
			`sum(rate(`+cost+`[1h])) * 86400`,
			thresholds(step(nil, "green"), step(at(0.8*DailyBudgetUSD), "orange"), step(at(DailyBudgetUSD), "red")))).
		WithPanel(single("Share of daily budget spent", "percentunit",
			`sum(increase(`+cost+`[24h])) / $daily_budget_usd`,
			thresholds(step(nil, "green"), step(at(0.8), "orange"), step(at(1), "red")))).
		WithPanel(single("Tokens / min", "short",
			`sum(rate(ai_tokens_total{`+sel+`}[$__rate_interval])) * 60`,
			thresholds(step(nil, "blue")))).
		WithPanel(series("Spend per hour by model (USD)", "currencyUSD",
			query(`sum by (model) (increase(`+cost+`[1h]))`, "{{model}}"),
			query(`vector($daily_budget_usd / 24)`, "budget per hour"))).
		WithPanel(series("Spend per hour by service (USD)", "currencyUSD",
			query(`sum by (environment, service) (increase(`+cost+`[1h]))`, "{{service}} ({{environment}})"))).
		WithRow(dashboard.NewRowBuilder("Tokens")).
		WithPanel(series("Tokens / s by model and type", "short",
			query(`sum by (model, token_type) (rate(ai_tokens_total{`+sel+`}[$__rate_interval]))`, "{{model}} {{token_type}}"))).
		WithPanel(series("Tokens per request by model", "short",
			query(`sum by (model) (rate(ai_tokens_total{`+sel+`}[$__rate_interval]))
/
sum by (model) (rate(ai_requests_total{`+sel+`}[$__rate_interval]))`, "{{model}}"))).
		WithRow(dashboard.NewRowBuilder("Requests")).
		WithPanel(series("Model requests / s by provider and model", "reqps",
			query(`sum by (provider, model) (rate(ai_requests_total{`+sel+`}[$__rate_interval]))`, "{{provider}} {{model}}"))).
		WithPanel(series("Model requests / s by outcome", "reqps",
			query(`sum by (provider, outcome) (rate(ai_requests_total{`+sel+`}[$__rate_interval]))`, "{{provider}} {{outcome}}")).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal)))
}

// --- business gauges ---------------------------------------------------------------------

// rateBuilder is the part of a gauge's or bar gauge's panel builder that
// ratePanel sets.
type rateBuilder[P any] interface {
	Datasource(common.DataSourceRef) P
	Unit(string) P
	Min(float64) P
	Max(float64) P
	Height(uint32) P
	Span(uint32) P
	Thresholds(cog.Builder[dashboard.ThresholdsConfig]) P
}

// ratePanel makes p a third-width panel of 0..1 rates shown in percent,
// red below 0.2, orange below 0.4 (the product-market-fit line), green
// from there.
func ratePanel[P rateBuilder[P]](p P) P {
	return p.Datasource(ds()).
		Unit("percentunit").
		Min(0).
		Max(1).
		Height(8).
		Span(8).
		Thresholds(thresholds(step(nil, "red"), step(at(0.2), "orange"), step(at(0.4), "green")))
}

func business() *dashboard.DashboardBuilder {
	b := withScope(base("Business gauges", "stack-business",
		"Retention, feature adoption and product-market-fit score as the services report them (SDK gauges, 0..1).",
		"business"), "pmf_score")
	// bars is a horizontal bar gauge of 0..1 rates.
	bars := func(title, expr, legend string) *bargauge.PanelBuilder {
		return ratePanel(bargauge.NewPanelBuilder().Title(title)).
			Orientation(common.VizOrientationHorizontal).
			WithTarget(query(expr, legend))
	}
	return b.
		WithRow(dashboard.NewRowBuilder("Now")).
		WithPanel(ratePanel(gauge.NewPanelBuilder().
			Title("PMF score by method").
			Description("Sean Ellis test: 0.40 ('very disappointed' share) is the usual product-market-fit line.")).
			WithTarget(query(`max by (calculation_method) (pmf_score{`+sel+`})`, "{{calculation_method}}"))).
		WithPanel(bars("Feature adoption", `max by (feature_name) (feature_adoption_rate{`+sel+`})`, "{{feature_name}}")).
		WithPanel(bars("User retention", `max by (retention_period, user_segment) (user_retention_rate{`+sel+`})`, "{{retention_period}} {{user_segment}}")).
		WithRow(dashboard.NewRowBuilder("Over time")).
		WithPanel(series("User retention by period and segment", "percentunit",
			query(`max by (retention_period, user_segment) (user_retention_rate{`+sel+`})`, "{{retention_period}} {{user_segment}}")).
			Min(0).Max(1)).
		WithPanel(series("Feature adoption by feature", "percentunit",
			query(`max by (feature_name) (feature_adoption_rate{`+sel+`})`, "{{feature_name}}")).
			Min(0).Max(1)).
		WithPanel(series("PMF score by method", "percentunit",
			query(`max by (calculation_method) (pmf_score{`+sel+`})`, "{{calculation_method}}")).
			Min(0).Max(1))
}

// --- telemetry cost ----------------------------------------------------------------------

func telemetryCost() *dashboard.DashboardBuilder {
	// Every SDK series has a project label; nothing else sent to the cloud does. Recording
	// rules (names with a colon) and ALERTS may keep the label but exist only in the local
	// Prometheus.
	const sdkSeries = `{project!="", __name__!~".+:.+|ALERTS.*"}`
	budget := float64(SeriesBudget)
	return base("Telemetry cost", "stack-telemetry-cost",
		"What the telemetry costs against Grafana Cloud's free tier: active series per metric and service (10k allowed) and log volume (50 GB/month). Collector panels need its self-metrics (local Prometheus).",
		"cost", "telemetry").
		WithRow(dashboard.NewRowBuilder("Series (free tier: 10k active)")).
		WithPanel(single("Active SDK series", "none",
			`count(`+sdkSeries+`)`,
			thresholds(step(nil, "green"), step(at(0.8*budget), "orange"), step(at(budget), "red")))).
		WithPanel(single("Series exported by the collector", "none",
			`sum(scrape_samples_scraped{job="otel-collector"})`,
			thresholds(step(nil, "green"), step(at(0.8*budget), "orange"), step(at(budget), "red")))).
		WithPanel(single("Log records / day (at the last hour's rate)", "short",
			`sum(rate(otelcol_exporter_sent_log_records[1h])) * 86400`,
			thresholds(step(nil, "blue")))).
		WithPanel(single("Records failed to send, last hour", "short",
			// A failure counter exists only after its first failure: `or vector(0)`.
			`(sum(increase(otelcol_exporter_send_failed_log_records[1h])) or vector(0))
+ (sum(increase(otelcol_exporter_send_failed_metric_points[1h])) or vector(0))
+ (sum(increase(otelcol_exporter_send_failed_spans[1h])) or vector(0))`,
			thresholds(step(nil, "green"), step(at(1), "red")))).
		WithPanel(bargauge.NewPanelBuilder().
			Title("Series per metric").
			Datasource(ds()).
			Height(10).
			Span(12).
			Orientation(common.VizOrientationHorizontal).
			Thresholds(thresholds(step(nil, "green"), step(at(1000), "orange"), step(at(3000), "red"))).
			WithTarget(query(`sort_desc(count by (__name__) (`+sdkSeries+`))`, "{{__name__}}").Instant())).
		WithPanel(bargauge.NewPanelBuilder().
			Title("Series per service and environment").
			Datasource(ds()).
			Height(10).
			Span(12).
			Orientation(common.VizOrientationHorizontal).
			Thresholds(thresholds(step(nil, "green"), step(at(1000), "orange"), step(at(3000), "red"))).
			WithTarget(query(`sort_desc(count by (service, environment) (`+sdkSeries+`))`, "{{service}} ({{environment}})").Instant())).
		WithPanel(series("Active SDK series over time", "none",
			query(`count(`+sdkSeries+`)`, "SDK series"),
			query(fmt.Sprintf("vector(%d)", SeriesBudget), "free tier"))).
		WithPanel(series("Distinct endpoints per service (label budget)", "none",
			query(`count by (service) (count by (service, endpoint) (http_requests_total))`, "{{service}}"))).
		WithRow(dashboard.NewRowBuilder("Logs (free tier: 50 GB/month)")).
		WithPanel(series("Log records / s in and out of the collector", "short",
			query(`sum(rate(otelcol_receiver_accepted_log_records[$__rate_interval]))`, "accepted"),
			query(`sum(rate(otelcol_receiver_refused_log_records[$__rate_interval]))`, "refused"),
			query(`sum by (exporter) (rate(otelcol_exporter_sent_log_records[$__rate_interval]))`, "sent {{exporter}}"),
			query(`sum by (exporter) (rate(otelcol_exporter_send_failed_log_records[$__rate_interval]))`, "failed {{exporter}}"))).
		WithPanel(series("Metric points and spans / s sent by exporter", "short",
			query(`sum by (exporter) (rate(otelcol_exporter_sent_metric_points[$__rate_interval]))`, "points {{exporter}}"),
			query(`sum by (exporter) (rate(otelcol_exporter_sent_spans[$__rate_interval]))`, "spans {{exporter}}")))
}
