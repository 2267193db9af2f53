package metrics

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// ToolOption configures AI.StartTool.
type ToolOption interface {
	applyTool(toolConfig) toolConfig
}

type toolOptionFunc func(toolConfig) toolConfig

func (f toolOptionFunc) applyTool(c toolConfig) toolConfig { return f(c) }

type toolConfig struct {
	callID, toolType, description string
	arguments                     string
}

// WithToolCallID sets gen_ai.tool.call.id: the id of the tool call the
// model asked for (Result.ToolCalls[i].ID), which links the execute_tool
// span to the model's request.
func WithToolCallID(id string) ToolOption {
	return toolOptionFunc(func(c toolConfig) toolConfig { c.callID = id; return c })
}

// WithToolType sets gen_ai.tool.type (ailabels.ToolTypeFunction, the
// default, ToolTypeExtension or ToolTypeDatastore).
func WithToolType(t string) ToolOption {
	return toolOptionFunc(func(c toolConfig) toolConfig { c.toolType = t; return c })
}

// WithToolDescription sets gen_ai.tool.description.
func WithToolDescription(d string) ToolOption {
	return toolOptionFunc(func(c toolConfig) toolConfig { c.description = d; return c })
}

// WithToolArguments gives the call's arguments (JSON). Content: they go on
// the span (gen_ai.tool.call.arguments) only with WithContentCapture.
func WithToolArguments(args string) ToolOption {
	return toolOptionFunc(func(c toolConfig) toolConfig { c.arguments = args; return c })
}

// ToolCall is one tool execution in progress, begun by AI.StartTool and
// finished by End. Its methods are safe for concurrent use; a nil
// *ToolCall does nothing.
type ToolCall struct {
	spanState // content is the result (SetResult)
	name      string
}

// StartTool begins the span of a tool the service runs because the model
// asked for it, as the GenAI conventions define it: named
// "execute_tool {name}", kind internal, with gen_ai.operation.name
// execute_tool, gen_ai.tool.name, gen_ai.tool.type (function unless
// WithToolType says otherwise) and, with WithToolCallID, gen_ai.tool.call.id.
// End it with ToolCall.End; with WithSemconvHistograms, End also records
// gen_ai.execute_tool.duration.
//
//	ctx, tool := ai.StartTool(ctx, "get_weather", metrics.WithToolCallID(call.ID))
//	out, err := getWeather(ctx, args)
//	tool.End(err)
//
// The returned context carries the span: the tool's own calls (HTTP,
// database) become its children.
func (a *AI) StartTool(ctx context.Context, name string, opts ...ToolOption) (context.Context, *ToolCall) {
	if a == nil {
		return ctx, nil
	}
	var cfg toolConfig
	for _, o := range opts {
		if o != nil {
			cfg = o.applyTool(cfg)
		}
	}
	name = validUTF8(name)
	if cfg.toolType == "" {
		cfg.toolType = ailabels.ToolTypeFunction
	}
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs,
		ailabels.GenAIOperationNameKey.String(ailabels.OperationExecuteTool),
		ailabels.GenAIToolNameKey.String(name),
		ailabels.GenAIToolTypeKey.String(validUTF8(cfg.toolType)),
	)
	if cfg.callID != "" {
		attrs = append(attrs, ailabels.GenAIToolCallIDKey.String(validUTF8(cfg.callID)))
	}
	if cfg.description != "" {
		attrs = append(attrs, ailabels.GenAIToolDescriptionKey.String(validUTF8(cfg.description)))
	}
	if a.cfg.contentCapture && cfg.arguments != "" {
		attrs = append(attrs, ailabels.GenAIToolCallArgumentsKey.String(validUTF8(cfg.arguments)))
	}
	spanName := ailabels.OperationExecuteTool
	if name != "" {
		spanName += " " + name
	}
	ctx, span := a.tracer.Start(ctx, spanName, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return ctx, &ToolCall{spanState: spanState{ai: a, ctx: ctx, span: span, start: time.Now()}, name: name}
}

// End finishes the tool's span: err (nil on success) marks it failed, with
// error.type from ErrorTypeOf (an error with an ErrorType() string method
// names its own type; never a Go type name). Only the first End counts.
func (t *ToolCall) End(err error) {
	if !t.state().lockEnd() {
		return
	}
	result := t.content
	t.mu.Unlock()

	a := t.ai
	elapsed := time.Since(t.start)
	var errType string
	if result != "" {
		t.span.SetAttributes(ailabels.GenAIToolCallResultKey.String(validUTF8(result)))
	}
	if err != nil {
		errType = ErrorTypeOf(err)
		t.span.SetAttributes(ailabels.ErrorTypeKey.String(errType))
		t.span.RecordError(err)
		t.span.SetStatus(codes.Error, validUTF8(err.Error()))
	}
	if a.enabled && a.toolDuration != nil {
		name, _ := a.toolNames.Admit(toolLabel(t.name))
		kvs := make([]attribute.KeyValue, 0, 3)
		kvs = append(kvs, ailabels.GenAIOperationNameKey.String(ailabels.OperationExecuteTool), ailabels.GenAIToolNameKey.String(name))
		if errType != "" {
			kvs = append(kvs, ailabels.ErrorTypeKey.String(a.boundErrorType(errType)))
		}
		a.toolDuration.Record(t.ctx, elapsed.Seconds(), metric.WithAttributeSet(attribute.NewSet(kvs...)))
	}
	t.span.End()
}

// toolLabel is the tool name as a histogram label: at most 64 bytes.
func toolLabel(name string) string {
	if name == "" {
		return "unknown"
	}
	if len(name) > ailabels.MaxLabelLength {
		return validUTF8(name[:ailabels.MaxLabelLength]) // a cut rune becomes U+FFFD
	}
	return name
}

// Span returns the tool's span (a no-op span for a nil ToolCall).
func (t *ToolCall) Span() trace.Span { return t.state().spanOf() }

// SetResult gives the tool's result (JSON or text). Content: it goes on
// the span (gen_ai.tool.call.result) only with WithContentCapture.
func (t *ToolCall) SetResult(result string) { t.state().setContent(result) }

// state returns t's spanState, nil for a nil t.
func (t *ToolCall) state() *spanState {
	if t == nil {
		return nil
	}
	return &t.spanState
}
