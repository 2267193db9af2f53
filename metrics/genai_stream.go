package metrics

import (
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
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
	GenAITimeToFirstChunkName = "gen_ai.client.operation.time_to_first_chunk"

	// GenAITimePerOutputChunkName is the time between two chunks of a
	// streamed response, in seconds, recorded for every chunk after the
	// first. In Prometheus:
	// gen_ai_client_operation_time_per_output_chunk_seconds_*.
	GenAITimePerOutputChunkName = "gen_ai.client.operation.time_per_output_chunk"

	// GenAIExecuteToolDurationName is the duration of one tool execution
	// (AI.StartTool, ToolCall.End), by gen_ai.tool.name (bounded) and
	// error.type. In Prometheus: gen_ai_execute_tool_duration_seconds_*.
	GenAIExecuteToolDurationName = "gen_ai.execute_tool.duration"

	// LatestGenAIInferenceDurationName replaces
	// gen_ai.client.operation.duration for inference operations (chat,
	// generate_content, text_completion) in the latest conventions.
	LatestGenAIInferenceDurationName = "gen_ai.client.inference.duration"
	// LatestGenAITimeToFirstChunkName and LatestGenAITimePerOutputChunkName
	// are the latest conventions' names of the streaming histograms.
	LatestGenAITimeToFirstChunkName   = "gen_ai.client.inference.time_to_first_chunk"
	LatestGenAITimePerOutputChunkName = "gen_ai.client.inference.time_per_output_chunk"
	// LatestGenAIInputTokensName and LatestGenAIOutputTokensName replace
	// gen_ai.client.token.usage in the latest conventions: tokens per
	// inference operation, unit {token}.
	LatestGenAIInputTokensName  = "gen_ai.client.inference.operation.input_tokens"
	LatestGenAIOutputTokensName = "gen_ai.client.inference.operation.output_tokens"
)

// semconvExtra holds the histograms added for the client integrations;
// all nil unless WithSemconvHistograms.
type semconvExtra struct {
	ttfc, tpoc        metric.Float64Histogram
	toolDuration      metric.Float64Histogram
	inferenceDuration metric.Float64Histogram // latest conventions only
	inputTokens       metric.Int64Histogram   // latest conventions only
	outputTokens      metric.Int64Histogram   // latest conventions only

	names spanNames // "{operation} {model}", built once (genai_fast.go)
}

func (a *AI) newSemconvExtra(meter metric.Meter) error {
	ttfc, tpoc := catalog.GenAITimeToFirstChunk, catalog.GenAITimePerOutputChunk
	if a.cfg.latestSemconv {
		ttfc, tpoc = catalog.GenAIInferenceTimeToFirstChunk, catalog.GenAIInferenceTimePerOutputChunk
	}
	var err error
	if a.ttfc, err = catalog.Float64Histogram(meter, ttfc, genAIDurationBuckets); err != nil {
		return err
	}
	if a.tpoc, err = catalog.Float64Histogram(meter, tpoc, genAIDurationBuckets); err != nil {
		return err
	}
	if a.toolDuration, err = catalog.Float64Histogram(meter, catalog.GenAIExecuteToolDuration, genAIDurationBuckets); err != nil {
		return err
	}
	if !a.cfg.latestSemconv {
		return nil
	}
	if a.inferenceDuration, err = catalog.Float64Histogram(meter, catalog.GenAIInferenceDuration, genAIDurationBuckets); err != nil {
		return err
	}
	if a.inputTokens, err = catalog.Int64Histogram(meter, catalog.GenAIInferenceInputTokens, genAITokenBuckets); err != nil {
		return err
	}
	a.outputTokens, err = catalog.Int64Histogram(meter, catalog.GenAIInferenceOutputTokens, genAITokenBuckets)
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
