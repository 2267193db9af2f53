package aihttp_test

import (
	"bytes"
	"context"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"io"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
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
	for _, sampled := range []bool{true, false} {
		name := "sampled=true"
		sampler := sdktrace.AlwaysSample()
		if !sampled {
			name, sampler = "sampled=false", sdktrace.NeverSample()
		}
		b.Run(name, func(b *testing.B) { benchFloor(b, sampler) })
	}
}

func benchFloor(b *testing.B, sampler sdktrace.Sampler) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(mp), metrics.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 2})
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/chat/completions", nil)
	r := aihttp.Request{Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}}
	body := []byte(benchJSON)
	buf := make([]byte, 4096)
	startAttrs, endAttrs := callAttributes(b, r, body)
	tracer := tp.Tracer("floor")
	ctx := context.Background()
	kind := trace.WithSpanKind(trace.SpanKindClient)
	meter := mp.Meter("floor")
	requests, _ := meter.Int64Counter("floor_requests_total")
	tokens, _ := meter.Int64Counter("floor_tokens_total")
	cost, _ := meter.Float64Counter("floor_cost_total")
	model, provider := attribute.String("model", "gpt-4o"), attribute.String("provider", "openai")
	reqSet := metric.WithAttributeSet(attribute.NewSet(model, provider, attribute.String("outcome", "ok")))
	inSet := metric.WithAttributeSet(attribute.NewSet(model, attribute.String("type", "input")))
	outSet := metric.WithAttributeSet(attribute.NewSet(model, attribute.String("type", "output")))
	costSet := metric.WithAttributeSet(attribute.NewSet(model))

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
			requests.Add(ctx, 1, reqSet)
			tokens.Add(ctx, 19, inSet)
			tokens.Add(ctx, 10, outSet)
			cost.Add(ctx, 0.0001, costSet)
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
			resp, _ := a.End(&http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body))}, nil, &testHandler)
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
		}},
	} {
		b.Run("what="+v.what, func(b *testing.B) {
			b.ReportAllocs()
			start := testutil.CPUTime()
			for b.Loop() {
				v.f()
			}
			b.ReportMetric(float64(testutil.CPUTime()-start)/float64(b.N), "cpu-ns/op")
		})
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
	resp, _ := a.End(&http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body))}, nil, &testHandler)
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
