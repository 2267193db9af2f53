package aihttp_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// BenchmarkFloor measures, on the pipeline the client modules' benchmarks
// use (the SDK's batch span processor with a no-op exporter, metrics on a
// manual reader), what one non-streaming call costs at each layer, as CPU
// time of the process per call (getrusage: the batch processor's
// goroutine and the GC included):
//
//   - what=span: an empty client span (Start, End): the least a span per
//     call costs;
//   - what=span-attrs: the same span with the attributes a call's span has
//     (those the conventions want at the start given to Start, the rest
//     in one SetAttributes at the end);
//   - what=span-attrs+counters: that span and the Adds a call makes to
//     ai_requests_total, ai_tokens_total (input, output) and ai_cost_total,
//     with attribute sets made once: the SDK's floor for what issue 14
//     records per call;
//   - what=manual: the call recorded by hand (AI.Start, SetResponse, End);
//   - what=tracker: the call through the Tracker (Begin, End, the body read
//     to EOF and parsed, the span and the counters).
//
// The same with spans not sampled (sampled=false) shows the part that is
// not the span's.
func BenchmarkFloor(b *testing.B) {
	p := aitest.NewPipeline(b)
	for _, sampled := range []bool{true, false} {
		name, ai, tp := "sampled=true", p.AI, p.TP
		if !sampled {
			name, ai, tp = "sampled=false", p.AIUnsampled, p.Unsampled
		}
		b.Run(name, func(b *testing.B) { benchFloor(b, ai, tp, p.MP) })
	}
}

// floorCounters are the four counter Adds of a call (ai_requests_total,
// ai_tokens_total input and output, ai_cost_total) under names of their
// own, with attribute sets made once: the SDK's floor for them.
type floorCounters struct {
	requests, tokens               metric.Int64Counter
	cost                           metric.Float64Counter
	reqSet, inSet, outSet, costSet metric.MeasurementOption
}

func newFloorCounters(mp metric.MeterProvider) *floorCounters {
	meter := mp.Meter("floor")
	c := &floorCounters{}
	c.requests, _ = meter.Int64Counter("floor_requests_total")
	c.tokens, _ = meter.Int64Counter("floor_tokens_total")
	c.cost, _ = meter.Float64Counter("floor_cost_total")
	model, provider := attribute.String("model", "gpt-4o"), attribute.String("provider", "openai")
	c.reqSet = metric.WithAttributeSet(attribute.NewSet(model, provider, attribute.String("outcome", "ok")))
	c.inSet = metric.WithAttributeSet(attribute.NewSet(model, attribute.String("type", "input")))
	c.outSet = metric.WithAttributeSet(attribute.NewSet(model, attribute.String("type", "output")))
	c.costSet = metric.WithAttributeSet(attribute.NewSet(model))
	return c
}

// add makes the Adds of one call: 19 input and 10 output tokens.
func (c *floorCounters) add(ctx context.Context) {
	c.requests.Add(ctx, 1, c.reqSet)
	c.tokens.Add(ctx, 19, c.inSet)
	c.tokens.Add(ctx, 10, c.outSet)
	c.cost.Add(ctx, 0.0001, c.costSet)
}

// jsonResponse is the 200 response of a non-streaming call, body its JSON.
func jsonResponse(body []byte) *http.Response {
	return aitest.Response("application/json", bytes.NewReader(body))
}

func benchFloor(b *testing.B, ai *metrics.AI, tp trace.TracerProvider, mp metric.MeterProvider) {
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 2})
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/chat/completions", nil)
	r := aihttp.Request{Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}}
	body := []byte(benchJSON)
	buf := make([]byte, 4096)
	startAttrs, endAttrs := callAttributes(b, r, body)
	tracer := tp.Tracer("floor")
	ctx := context.Background()
	kind := trace.WithSpanKind(trace.SpanKindClient)
	counters := newFloorCounters(mp)

	for _, v := range []struct {
		what string
		f    func()
	}{
		{"span", func() {
			_, s := tracer.Start(ctx, "chat gpt-4o", kind)
			s.End()
		}},
		{"span-attrs", func() {
			_, s := tracer.Start(ctx, "chat gpt-4o", kind, trace.WithAttributes(startAttrs...))
			s.SetAttributes(endAttrs...)
			s.End()
		}},
		{"span-attrs+counters", func() {
			ctx, s := tracer.Start(ctx, "chat gpt-4o", kind, trace.WithAttributes(startAttrs...))
			counters.add(ctx)
			s.SetAttributes(endAttrs...)
			s.End()
		}},
		{"manual", func() {
			_, call := ai.Start(ctx, r.Request)
			call.SetResponse("chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "stop")
			_, _ = call.End(ailabels.Usage{Model: "gpt-4o-2024-08-06", InputTokens: 19, OutputTokens: 10}, nil)
		}},
		{"tracker", func() {
			a := tr.Begin(req, nil, 0, r)
			resp, _ := a.End(jsonResponse(body), nil, &testHandler)
			aitest.Drain(resp.Body, buf)
		}},
	} {
		b.Run("what="+v.what, func(b *testing.B) { aitest.LoopCPU(b, v.f) })
	}
}

// callAttributes records one call through a Tracker and returns its span's
// attributes: those the conventions want at the span's start, and the rest.
func callAttributes(b *testing.B, r aihttp.Request, body []byte) (start, end []attribute.KeyValue) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ai, err := metrics.NewAI(nil, metrics.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/chat/completions", nil)
	a := aihttp.NewTracker(aihttp.Config{AI: ai}).Begin(req, nil, 0, r)
	resp, _ := a.End(jsonResponse(body), nil, &testHandler)
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	spans := rec.Ended()
	if len(spans) != 1 {
		b.Fatalf("%d spans", len(spans))
	}
	for _, kv := range spans[0].Attributes() {
		switch kv.Key {
		case ailabels.GenAIOperationNameKey, ailabels.GenAIProviderNameKey, ailabels.GenAIRequestModelKey,
			ailabels.ServerAddressKey, ailabels.ServerPortKey:
			start = append(start, kv)
		default:
			end = append(end, kv)
		}
	}
	return start, end
}
