// Package metrics holds the typed instruments of the design, one call per
// event, producing exactly the Prometheus series the dashboards and alert
// rules read: AI usage and cost (AI), the GenAI spans of AI calls
// (AI.Start, AI.StartCall, AI.StartTool) and their optional gen_ai.*
// histograms, and the product's business gauges (Business). The HTTP
// server metrics are recorded by package middleware; their names and label
// keys are here so that tests and queries can name them. Every metric's
// name, kind, unit, description and labels come from the SDK's metric
// catalogue (docs/metrics.md is generated from it); the SDK adds the labels
// environment, project and service to every point at export, so no
// instrument sets them.
//
// AI usage is priced by provider and model id from ailabels' pricing table:
//
//	ai, err := metrics.NewAI(tel)
//	...
//	cost, err := ai.Record(ctx, ailabels.Usage{
//		Provider: ailabels.ProviderOpenAI, Model: "gpt-4o-2024-08-06",
//		InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300,
//	})
//	// cost.USD == 0.00475, recorded as ai_cost_total{model="gpt-4o"}
//
// A call made through the official OpenAI, Anthropic or Gemini Go clients
// records itself with the instrumentation modules of this repository
// (instrumentation/openaitel, anthropictel, genaitel), streams included;
// AI.Start and Call.End are for the others. The spans carry the cost and
// which price gave it (ai.cost.usd, ai.pricing.as_of, ai.pricing.entry,
// ...; an unpriced call has ai.cost.priced=false and ai.pricing.unpriced).
//
// # Prices
//
// NewAI prices with ailabels.PricingFromEnv: the embedded table
// (ailabels.DefaultPricing, generated from LiteLLM's and genai-prices'
// public price lists) with the files named by TELEMETRY_PRICING_FILE
// merged over it, so that prices can be refreshed without a release. A
// file that cannot be read or is invalid does not stop the service: the
// embedded table stays in force and the error, naming the file, the entry
// and the field, goes to the Telemetry's error handler. WithPricing
// replaces the table (and wins over the environment). The table's date is
// exported as ai_pricing_as_of_timestamp_seconds, for an alert when it is
// more than 90 days old.
//
//	biz, err := metrics.NewBusiness(tel)
//	...
//	err = biz.SetRetention(ctx, "day_7", "free", 0.42)
//
// # Names in Prometheus
//
// The collector's translation appends unit suffixes, so counters are named
// with their final name ending in _total and have no unit (a unit of "USD"
// would turn ai_cost_total into ai_cost_USD_total), histograms in seconds
// end in _seconds with unit "s", and gauges have no unit.
//
// # Label budget
//
// Label values are validated (ailabels.ValidateLabel: 1 to 64 characters of
// a-z 0-9 . _ - / : after lower-casing) and bounded per label: the first N
// distinct values are kept (50 models, 20 providers, 50 features, ...; see
// the With* options), later ones are recorded as "_OTHER" and counted in
// telemetry_label_overflow_total{label}. Invalid input (a bad label value,
// negative tokens, a rate outside 0..1, NaN) is returned as an error and
// nothing is recorded; no method panics.
//
// A nil or disabled *telemetry.Telemetry gives instruments that record
// nothing but still validate their input and compute costs.
//
// # Providers of one's own
//
// Like contrib's otelhttp, NewAI and NewBusiness take WithMeterProvider and
// WithTracerProvider (one Option value serves both constructors); without
// them the instruments use the Telemetry's providers. Given a provider, the
// instruments record on it even with a nil or disabled Telemetry:
//
//	reader := sdkmetric.NewManualReader()
//	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
//	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(tp))
//
// What a provider of one's own does not get: the labels environment,
// project and service, which the Telemetry's exporters add to every metric
// point at export time (the dashboards and alert rules select on them: a
// pipeline of one's own must add them itself), the Telemetry's resource, its
// series cap per instrument and its export counts. The provider's
// background errors (failed exports) go where its owner sent them, for the
// OpenTelemetry SDK otel.Handle, not to the Telemetry's rate-limited
// handler. Names, label keys, label bounds, validation and pricing are the
// same.
package metrics
