// Package catalog is the single source of truth for the metrics the SDK
// records: name (as in Prometheus), kind, unit, description, labels with
// their allowed values or bound, and what records them. The instruments are
// built from it; the README's metric table and docs/metrics.md are
// generated from it (go generate ./internal/catalog); the dashboards and
// alert rules are checked against it, and the end-to-end suite knows from
// it which series to expect.
package catalog

//go:generate go run ./gen

// Kind is an instrument kind.
type Kind string

// The kinds of instrument the SDK uses.
const (
	Counter   Kind = "counter"
	Histogram Kind = "histogram"
	Gauge     Kind = "gauge"
)

// Label is one label of a metric.
type Label struct {
	Key string
	// Values is the closed set of values, when the label has one.
	Values []string
	// Bound is the most distinct values the SDK keeps before recording
	// Overflow (0: the label is closed or bounded by its source).
	Bound int
	// Doc says where the values come from.
	Doc string
}

// Metric is one entry of the catalogue.
type Metric struct {
	// Name is the name in Prometheus, after the collector's translation
	// (for OpenTelemetry-named instruments, see Instrument).
	Name string
	// Instrument is the OpenTelemetry instrument name when it is not Name
	// (the gen_ai.* histograms).
	Instrument string
	Kind       Kind
	// Unit is the instrument's UCUM unit; empty for counters named with
	// their final _total name (a unit would add a suffix).
	Unit        string
	Description string
	Labels      []Label
	// Buckets names the histogram's bucket boundaries.
	Buckets string
	// RecordedBy is the API that records it.
	RecordedBy string
	// OptIn is how to turn it on; empty when it is always recorded.
	OptIn string
	// Note is what else a reader of the table needs to know.
	Note string
	// When says when the series first appears, if not with the first
	// recording of the API that records it ("a call is unpriced"). The
	// end-to-end suite expects the others from every example service.
	When string
}

// InstrumentName returns the name to create the instrument with.
func (m Metric) InstrumentName() string {
	if m.Instrument != "" {
		return m.Instrument
	}
	return m.Name
}

// Label returns the label with key k, if m has it.
func (m Metric) Label(k string) (Label, bool) {
	for _, l := range m.Labels {
		if l.Key == k {
			return l, true
		}
	}
	return Label{}, false
}

// Series returns the names of the series m produces in Prometheus: Name,
// or for a histogram its _bucket, _sum and _count series.
func (m Metric) Series() []string {
	if m.Kind != Histogram {
		return []string{m.Name}
	}
	return []string{m.Name + "_bucket", m.Name + "_sum", m.Name + "_count"}
}

// Overflow is the value every label the SDK bounds gets past its bound
// (bounded.Overflow, ailabels.Other, metrics.HTTPOther).
const Overflow = "_OTHER"

// ResourceLabels are on every series: the SDK adds them at export.
var ResourceLabels = []string{"environment", "project", "service"}

// The HTTP server metrics (package middleware).
var (
	HTTPRequests = Metric{
		Name: "http_requests_total", Kind: Counter,
		Description: "HTTP server requests, by method, route template and status code.",
		Labels:      []Label{httpMethod, httpEndpoint, httpStatus},
		RecordedBy:  "middleware.New",
	}
	HTTPRequestDuration = Metric{
		Name: "http_request_duration_seconds", Kind: Histogram, Unit: "s",
		Description: "Duration of HTTP server requests in seconds, by method and route template.",
		Labels:      []Label{httpMethod, httpEndpoint},
		Buckets:     "telemetry.SecondsBuckets",
		RecordedBy:  "middleware.New",
	}
	HTTPErrors = Metric{
		Name: "http_errors_total", Kind: Counter,
		Description: "Failed HTTP server requests, by error type (client_error, server_error, timeout, canceled, panic).",
		Labels: []Label{{Key: "error_type", Values: []string{"client_error", "server_error", "timeout", "canceled", "panic"},
			Doc: "the first that applies of panic, timeout, canceled, server_error (5xx), client_error (4xx)"}},
		RecordedBy: "middleware.New",
		When:       "a request fails",
	}
)

// MaxEndpoints is the bound of the endpoint label of one middleware.
const MaxEndpoints = 1000

var (
	httpMethod = Label{Key: "method",
		Doc: "GET, POST, ... (the known methods, or those of OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS); _OTHER for any other"}
	httpEndpoint = Label{Key: "endpoint", Bound: MaxEndpoints,
		Doc: "the route template; unmatched for a 404/405 without a route, no_route for any other response without one"}
	httpStatus = Label{Key: "status_code", Doc: "100..599, _OTHER outside"}
)

// The AI metrics (package metrics, type AI).
var (
	AIRequests = Metric{
		Name: "ai_requests_total", Kind: Counter,
		Description: "AI model requests, by model, provider and outcome (ok or error).",
		Labels:      []Label{aiModel, aiProvider, {Key: "outcome", Values: []string{"ok", "error"}}},
		RecordedBy:  "metrics.AI",
	}
	AITokens = Metric{
		Name: "ai_tokens_total", Kind: Counter,
		Description: "AI tokens, by model and token type; cache_read and cache_write are part of input, reasoning is part of output.",
		Labels:      []Label{aiModel, {Key: "token_type", Values: TokenTypes}},
		RecordedBy:  "metrics.AI",
	}
	AICost = Metric{
		Name: "ai_cost_total", Kind: Counter,
		Description: "AI cost in US dollars, by model, from the pricing table; unpriced models add 0 and count in ai_unpriced_requests_total.",
		Labels:      []Label{aiModel},
		RecordedBy:  "metrics.AI",
		Note:        "in US dollars (no unit: it would rename the series), priced by ailabels",
	}
	AIUnpricedRequests = Metric{
		Name: "ai_unpriced_requests_total", Kind: Counter,
		Description: "AI requests to models without a price: their cost is missing from ai_cost_total.",
		Labels:      []Label{aiModel},
		RecordedBy:  "metrics.AI",
		Note:        "calls the pricing table cannot price (unknown provider and model, or no price for the service tier)",
		When:        "a call is not priced",
	}
	AIUsageMissing = Metric{
		Name: "ai_usage_missing_total", Kind: Counter,
		Description: "AI requests that ended without usage from the provider: their tokens and cost are missing from ai_tokens_total and ai_cost_total.",
		Labels:      []Label{aiModel, aiProvider},
		RecordedBy:  "metrics.AI",
		Note:        "streams that ended without their usage event, recorded by the instrumentation modules",
		When:        "a call ends without usage",
	}
	AIPricingAsOf = Metric{
		Name: "ai_pricing_as_of_timestamp_seconds", Kind: Gauge,
		Description: "Date (as_of) of the AI pricing table in use, as a Unix timestamp in seconds; ai_cost_total is priced from it.",
		RecordedBy:  "metrics.AI",
		Note:        "one series per service",
	}
	LabelOverflow = Metric{
		Name: "telemetry_label_overflow_total", Kind: Counter,
		Description: "Recordings whose label value was replaced by _OTHER because the label reached its bound, by label.",
		Labels:      []Label{{Key: "label", Doc: "the key of the bounded label"}},
		RecordedBy:  "metrics.AI, metrics.Business",
		When:        "a label reaches its bound",
	}
)

// TokenTypes are the values of ai_tokens_total's token_type, in the order
// of ailabels.TokenTypes.
var TokenTypes = []string{"input", "output", "cache_read", "cache_write", "reasoning"}

// Default bounds of the AI labels.
const (
	MaxModels    = 50
	MaxProviders = 20
)

var (
	aiModel = Label{Key: "model", Bound: MaxModels,
		Doc: "the normalised model: dated snapshots and platform prefixes removed"}
	aiProvider = Label{Key: "provider", Bound: MaxProviders, Doc: "gen_ai.provider.name"}
)

// The business gauges (package metrics, type Business).
var (
	UserRetention = Metric{
		Name: "user_retention_rate", Kind: Gauge,
		Description: "Share of users still active after the retention period, from 0 to 1, by retention period and user segment.",
		Labels: []Label{{Key: "retention_period", Bound: MaxRetentionPeriods, Doc: "day_1, day_7, day_30 or any valid value"},
			{Key: "user_segment", Bound: MaxSegments}},
		RecordedBy: "metrics.Business",
	}
	FeatureAdoption = Metric{
		Name: "feature_adoption_rate", Kind: Gauge,
		Description: "Share of active users who use the feature, from 0 to 1, by feature name.",
		Labels:      []Label{{Key: "feature_name", Bound: MaxFeatures}},
		RecordedBy:  "metrics.Business",
	}
	PMFScore = Metric{
		Name: "pmf_score", Kind: Gauge,
		Description: "Product-market-fit score from 0 to 1, by calculation method (sean_ellis: share of surveyed users who would be very disappointed without the product; 0.4 and above suggests fit).",
		Labels:      []Label{{Key: "calculation_method", Bound: MaxPMFMethods, Doc: "sean_ellis or any valid value"}},
		RecordedBy:  "metrics.Business",
	}
)

// Default bounds of the business labels.
const (
	MaxFeatures         = 50
	MaxSegments         = 20
	MaxRetentionPeriods = 10
	MaxPMFMethods       = 5
)

// The SDK's own metrics (package telemetry, Init).
var (
	SelfExported = Metric{
		Name: "telemetry_sdk_exported_total", Kind: Counter,
		Description: "Spans, metric points and log records the SDK delivered to the collector.",
		Labels:      []Label{selfSignal},
		RecordedBy:  "Init",
	}
	SelfExportFailed = Metric{
		Name: "telemetry_sdk_export_failed_total", Kind: Counter,
		Description: "Spans, metric points and log records in exports that failed (collector down, refused or timed out).",
		Labels:      []Label{selfSignal},
		RecordedBy:  "Init",
		When:        "an export fails",
	}
	SelfDropped = Metric{
		Name: "telemetry_sdk_dropped_total", Kind: Counter,
		Description: "Spans and log records dropped because the bounded export queue was full.",
		Labels:      []Label{selfSignal},
		RecordedBy:  "Init",
		When:        "a queue is full",
	}
	selfSignal = Label{Key: "signal", Values: []string{"traces", "metrics", "logs"}}
)

// The Go runtime metrics (contrib's runtime instrumentation, on by default
// in Init; WithRuntimeMetrics(false) turns them off). Their descriptions
// are contrib's.
const runtimeNote = "contrib's runtime instrumentation; WithRuntimeMetrics(false) turns it off"

var (
	GoMemoryUsed = Metric{Name: "go_memory_used_bytes", Kind: Gauge, Unit: "By",
		Description: "Memory used by the Go runtime.",
		Labels:      []Label{{Key: "go_memory_type", Values: []string{"stack", "other"}}}, RecordedBy: "Init", Note: runtimeNote}
	GoMemoryLimit      = Metric{Name: "go_memory_limit_bytes", Kind: Gauge, Unit: "By", Description: "Go runtime memory limit configured by the user, if a limit exists.", RecordedBy: "Init", Note: runtimeNote, When: "a memory limit is set (GOMEMLIMIT, debug.SetMemoryLimit)"}
	GoMemoryAllocated  = Metric{Name: "go_memory_allocated_bytes_total", Kind: Counter, Unit: "By", Description: "Memory allocated to the heap by the application.", RecordedBy: "Init", Note: runtimeNote}
	GoMemoryAllocs     = Metric{Name: "go_memory_allocations_total", Kind: Counter, Description: "Count of allocations to the heap by the application.", RecordedBy: "Init", Note: runtimeNote}
	GoMemoryGCGoal     = Metric{Name: "go_memory_gc_goal_bytes", Kind: Gauge, Unit: "By", Description: "Heap size target for the end of the GC cycle.", RecordedBy: "Init", Note: runtimeNote}
	GoGoroutines       = Metric{Name: "go_goroutine_count", Kind: Gauge, Description: "Count of live goroutines.", RecordedBy: "Init", Note: runtimeNote}
	GoProcessorLimit   = Metric{Name: "go_processor_limit", Kind: Gauge, Description: "The number of OS threads that can execute user-level Go code simultaneously.", RecordedBy: "Init", Note: runtimeNote}
	GoGOGC             = Metric{Name: "go_config_gogc_percent", Kind: Gauge, Description: "Heap size target percentage configured by the user, otherwise 100.", RecordedBy: "Init", Note: runtimeNote}
	GoScheduleDuration = Metric{Name: "go_schedule_duration_seconds", Kind: Histogram, Unit: "s",
		Description: "The time goroutines have spent in the scheduler in a runnable state before actually running.",
		Buckets:     "telemetry.SchedulerLatencyBuckets (the runtime's 162 folded into 10)", RecordedBy: "Init", Note: runtimeNote}
)

// All returns every metric of the catalogue, in the README's order. The
// optional GenAI histograms are in GenAI.
func All() []Metric {
	return []Metric{
		HTTPRequests, HTTPRequestDuration, HTTPErrors,
		AIRequests, AITokens, AICost, AIUnpricedRequests, AIUsageMissing, AIPricingAsOf,
		UserRetention, FeatureAdoption, PMFScore,
		LabelOverflow, SelfExported, SelfExportFailed, SelfDropped,
		GoMemoryUsed, GoMemoryLimit, GoMemoryAllocated, GoMemoryAllocs, GoMemoryGCGoal,
		GoGoroutines, GoProcessorLimit, GoGOGC, GoScheduleDuration,
	}
}

// Lookup returns the metric named name (a Prometheus name, or an
// OpenTelemetry instrument name), if the catalogue has it.
func Lookup(name string) (Metric, bool) {
	for _, m := range append(All(), GenAI()...) {
		if m.Name == name || m.Instrument == name {
			return m, true
		}
	}
	return Metric{}, false
}

// The GenAI semantic conventions' client histograms (package metrics,
// optional: metrics.WithSemconvHistograms). Their labels are the
// conventions' attributes; gen_ai.request.model is the model as requested,
// bounded like the model label.
var (
	GenAITokenUsage = Metric{
		Name: "gen_ai_client_token_usage", Instrument: "gen_ai.client.token.usage", Kind: Histogram, Unit: "{token}",
		Description: "Number of input and output tokens used.",
		Labels:      []Label{genAIOperation, genAIProvider, genAIRequestModel, genAIResponseModel, {Key: "gen_ai.token.type", Values: []string{"input", "output"}}},
		Buckets:     "the conventions' 1, 4, 16, ... 67108864", RecordedBy: "metrics.AI", OptIn: "metrics.WithSemconvHistograms",
	}
	GenAIOperationDuration = Metric{
		Name: "gen_ai_client_operation_duration_seconds", Instrument: "gen_ai.client.operation.duration", Kind: Histogram, Unit: "s",
		Description: "GenAI operation duration.",
		Labels:      []Label{genAIOperation, genAIProvider, genAIRequestModel, genAIResponseModel, genAIErrorType},
		Buckets:     "the conventions' 0.01, 0.02, ... 81.92", RecordedBy: "metrics.AI", OptIn: "metrics.WithSemconvHistograms",
	}
	GenAITimeToFirstChunk = Metric{
		Name: "gen_ai_client_operation_time_to_first_chunk_seconds", Instrument: "gen_ai.client.operation.time_to_first_chunk", Kind: Histogram, Unit: "s",
		Description: "Time to receive the first chunk, measured from when the client issues the generation request to when the first chunk is received in the response stream.",
		Labels:      []Label{genAIOperation, genAIProvider, genAIRequestModel, genAIResponseModel},
		Buckets:     "the conventions' 0.01, 0.02, ... 81.92", RecordedBy: "metrics.AI", Note: "streams only", OptIn: "metrics.WithSemconvHistograms",
	}
	GenAITimePerOutputChunk = Metric{
		Name: "gen_ai_client_operation_time_per_output_chunk_seconds", Instrument: "gen_ai.client.operation.time_per_output_chunk", Kind: Histogram, Unit: "s",
		Description: "Time per output chunk, recorded for each chunk received after the first one, measured as the time elapsed from the end of the previous chunk to the end of the current chunk.",
		Labels:      []Label{genAIOperation, genAIProvider, genAIRequestModel, genAIResponseModel},
		Buckets:     "the conventions' 0.01, 0.02, ... 81.92", RecordedBy: "metrics.AI", Note: "streams only", OptIn: "metrics.WithSemconvHistograms",
	}
	GenAIExecuteToolDuration = Metric{
		Name: "gen_ai_execute_tool_duration_seconds", Instrument: "gen_ai.execute_tool.duration", Kind: Histogram, Unit: "s",
		Description: "The duration of a single tool execution.",
		Labels:      []Label{{Key: "gen_ai.tool.name", Bound: MaxModels}, genAIErrorType},
		Buckets:     "the conventions' 0.01, 0.02, ... 81.92", RecordedBy: "metrics.AI.StartTool", OptIn: "metrics.WithSemconvHistograms",
	}
)

var (
	genAIOperation     = Label{Key: "gen_ai.operation.name", Doc: "chat, embeddings, generate_content, ..."}
	genAIProvider      = Label{Key: "gen_ai.provider.name", Bound: MaxProviders}
	genAIRequestModel  = Label{Key: "gen_ai.request.model", Bound: MaxModels, Doc: "the model as requested"}
	genAIResponseModel = Label{Key: "gen_ai.response.model", Bound: MaxModels, Doc: "the model that answered, as the provider returns it"}
	genAIErrorType     = Label{Key: "error.type", Doc: "on failed calls: the HTTP status, the provider's error type, timeout, canceled"}
)

// The latest GenAI conventions' names (metrics.WithLatestSemconv, or
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental), which replace
// the ones above: never both.
const latestOptIn = "metrics.WithSemconvHistograms and metrics.WithLatestSemconv (or OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental)"

var (
	GenAIInferenceDuration = Metric{
		Name: "gen_ai_client_inference_duration_seconds", Instrument: "gen_ai.client.inference.duration", Kind: Histogram, Unit: "s",
		Description: "GenAI client inference operation duration.",
		Labels:      GenAIOperationDuration.Labels,
		Buckets:     GenAIOperationDuration.Buckets, RecordedBy: "metrics.AI", OptIn: latestOptIn,
		Note: "replaces gen_ai_client_operation_duration_seconds for chat, generate_content and text_completion",
	}
	GenAIInferenceTimeToFirstChunk = Metric{
		Name: "gen_ai_client_inference_time_to_first_chunk_seconds", Instrument: "gen_ai.client.inference.time_to_first_chunk", Kind: Histogram, Unit: "s",
		Description: GenAITimeToFirstChunk.Description, Labels: GenAITimeToFirstChunk.Labels,
		Buckets: GenAITimeToFirstChunk.Buckets, RecordedBy: "metrics.AI", OptIn: latestOptIn, Note: "streams only",
	}
	GenAIInferenceTimePerOutputChunk = Metric{
		Name: "gen_ai_client_inference_time_per_output_chunk_seconds", Instrument: "gen_ai.client.inference.time_per_output_chunk", Kind: Histogram, Unit: "s",
		Description: GenAITimePerOutputChunk.Description, Labels: GenAITimePerOutputChunk.Labels,
		Buckets: GenAITimePerOutputChunk.Buckets, RecordedBy: "metrics.AI", OptIn: latestOptIn, Note: "streams only",
	}
	GenAIInferenceInputTokens = Metric{
		Name: "gen_ai_client_inference_operation_input_tokens", Instrument: "gen_ai.client.inference.operation.input_tokens", Kind: Histogram, Unit: "{token}",
		Description: "Number of input tokens used per inference operation.",
		Labels:      GenAIOperationDuration.Labels[:4],
		Buckets:     GenAITokenUsage.Buckets, RecordedBy: "metrics.AI", OptIn: latestOptIn,
		Note: "with the output one, replaces gen_ai_client_token_usage",
	}
	GenAIInferenceOutputTokens = Metric{
		Name: "gen_ai_client_inference_operation_output_tokens", Instrument: "gen_ai.client.inference.operation.output_tokens", Kind: Histogram, Unit: "{token}",
		Description: "Number of output tokens used per inference operation.",
		Labels:      GenAIOperationDuration.Labels[:4],
		Buckets:     GenAITokenUsage.Buckets, RecordedBy: "metrics.AI", OptIn: latestOptIn,
	}
)

// GenAI returns the optional GenAI histograms.
func GenAI() []Metric {
	return []Metric{GenAITokenUsage, GenAIOperationDuration, GenAITimeToFirstChunk, GenAITimePerOutputChunk, GenAIExecuteToolDuration,
		GenAIInferenceDuration, GenAIInferenceTimeToFirstChunk, GenAIInferenceTimePerOutputChunk, GenAIInferenceInputTokens, GenAIInferenceOutputTokens}
}
