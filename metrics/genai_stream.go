package metrics

import (
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// The GenAI conventions' streaming, tool and latest-convention histograms,
// recorded only with WithSemconvHistograms. The default names are those
// of ailabels.SemconvVersion; with WithLatestSemconv (or
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental) the Latest*
// names of ailabels.LatestSemconvVersion are used instead. Every one of
// them uses the conventions' advised buckets (14 boundaries, 0.01 s to
// 81.92 s, or 1 to 67108864 tokens): 17 Prometheus series (15 buckets
// with +Inf, _sum and _count) per combination of operation, provider,
// request model and response model (see docs/genai.md for the series
// cost).
const (
	// GenAITimeToFirstChunkName is the time from the request to the first
	// chunk of a streamed response, in seconds, recorded once per stream.
	// In Prometheus: gen_ai_client_operation_time_to_first_chunk_seconds_*.
	GenAITimeToFirstChunkName        = "gen_ai.client.operation.time_to_first_chunk"
	GenAITimeToFirstChunkUnit        = "s"
	GenAITimeToFirstChunkDescription = "Time to receive the first chunk, measured from when the client issues the generation request to when the first chunk is received in the response stream."

	// GenAITimePerOutputChunkName is the time between two chunks of a
	// streamed response, in seconds, recorded for every chunk after the
	// first. In Prometheus:
	// gen_ai_client_operation_time_per_output_chunk_seconds_*.
	GenAITimePerOutputChunkName        = "gen_ai.client.operation.time_per_output_chunk"
	GenAITimePerOutputChunkUnit        = "s"
	GenAITimePerOutputChunkDescription = "Time per output chunk, recorded for each chunk received after the first one, measured as the time elapsed from the end of the previous chunk to the end of the current chunk."

	// GenAIExecuteToolDurationName is the duration of one tool execution
	// (AI.StartTool, ToolCall.End), by gen_ai.tool.name (bounded) and
	// error.type. In Prometheus: gen_ai_execute_tool_duration_seconds_*.
	GenAIExecuteToolDurationName        = "gen_ai.execute_tool.duration"
	GenAIExecuteToolDurationUnit        = "s"
	GenAIExecuteToolDurationDescription = "The duration of a single tool execution."

	// LatestGenAIInferenceDurationName replaces
	// gen_ai.client.operation.duration for inference operations (chat,
	// generate_content, text_completion) in the latest conventions.
	LatestGenAIInferenceDurationName        = "gen_ai.client.inference.duration"
	LatestGenAIInferenceDurationDescription = "GenAI client inference operation duration."
	// LatestGenAITimeToFirstChunkName and LatestGenAITimePerOutputChunkName
	// are the latest conventions' names of the streaming histograms.
	LatestGenAITimeToFirstChunkName   = "gen_ai.client.inference.time_to_first_chunk"
	LatestGenAITimePerOutputChunkName = "gen_ai.client.inference.time_per_output_chunk"
	// LatestGenAIInputTokensName and LatestGenAIOutputTokensName replace
	// gen_ai.client.token.usage in the latest conventions: tokens per
	// inference operation, unit {token}.
	LatestGenAIInputTokensName         = "gen_ai.client.inference.operation.input_tokens"
	LatestGenAIInputTokensDescription  = "Number of input tokens used per inference operation."
	LatestGenAIOutputTokensName        = "gen_ai.client.inference.operation.output_tokens"
	LatestGenAIOutputTokensDescription = "Number of output tokens used per inference operation."
)

// semconvExtra holds the histograms added for the client integrations;
// all nil unless WithSemconvHistograms.
type semconvExtra struct {
	ttfc, tpoc        metric.Float64Histogram
	toolDuration      metric.Float64Histogram
	inferenceDuration metric.Float64Histogram // latest conventions only
	inputTokens       metric.Int64Histogram   // latest conventions only
	outputTokens      metric.Int64Histogram   // latest conventions only
}

func (a *AI) newSemconvExtra(meter metric.Meter) error {
	ttfcName, tpocName := GenAITimeToFirstChunkName, GenAITimePerOutputChunkName
	if a.cfg.latestSemconv {
		ttfcName, tpocName = LatestGenAITimeToFirstChunkName, LatestGenAITimePerOutputChunkName
	}
	var err error
	if a.ttfc, err = meter.Float64Histogram(ttfcName,
		metric.WithUnit(GenAITimeToFirstChunkUnit), metric.WithDescription(GenAITimeToFirstChunkDescription),
		metric.WithExplicitBucketBoundaries(genAIDurationBuckets...)); err != nil {
		return err
	}
	if a.tpoc, err = meter.Float64Histogram(tpocName,
		metric.WithUnit(GenAITimePerOutputChunkUnit), metric.WithDescription(GenAITimePerOutputChunkDescription),
		metric.WithExplicitBucketBoundaries(genAIDurationBuckets...)); err != nil {
		return err
	}
	if a.toolDuration, err = meter.Float64Histogram(GenAIExecuteToolDurationName,
		metric.WithUnit(GenAIExecuteToolDurationUnit), metric.WithDescription(GenAIExecuteToolDurationDescription),
		metric.WithExplicitBucketBoundaries(genAIDurationBuckets...)); err != nil {
		return err
	}
	if !a.cfg.latestSemconv {
		return nil
	}
	if a.inferenceDuration, err = meter.Float64Histogram(LatestGenAIInferenceDurationName,
		metric.WithUnit(GenAIOperationDurationUnit), metric.WithDescription(LatestGenAIInferenceDurationDescription),
		metric.WithExplicitBucketBoundaries(genAIDurationBuckets...)); err != nil {
		return err
	}
	if a.inputTokens, err = meter.Int64Histogram(LatestGenAIInputTokensName,
		metric.WithUnit(GenAITokenUsageUnit), metric.WithDescription(LatestGenAIInputTokensDescription),
		metric.WithExplicitBucketBoundaries(genAITokenBuckets...)); err != nil {
		return err
	}
	a.outputTokens, err = meter.Int64Histogram(LatestGenAIOutputTokensName,
		metric.WithUnit(GenAITokenUsageUnit), metric.WithDescription(LatestGenAIOutputTokensDescription),
		metric.WithExplicitBucketBoundaries(genAITokenBuckets...))
	return err
}

// isInference reports whether op is an inference operation, which the
// latest conventions time as gen_ai.client.inference.duration.
func isInference(op string) bool {
	switch op {
	case ailabels.OperationChat, ailabels.OperationGenerateContent, ailabels.OperationTextCompletion, "":
		return true
	}
	return false
}
