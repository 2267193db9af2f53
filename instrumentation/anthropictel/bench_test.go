package anthropictel

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// The benchmarks run the real client against the fake server over loopback,
// side by side in one run:
//
//	variant=bare          the client without instrumentation, and without
//	                      a TracerProvider: its own span is a no-op
//	variant=sdkspan       the client without instrumentation, its own span
//	                      on the pipeline (what a service gets from the SDK
//	                      alone once telemetry.Init installs the globals)
//	variant=instrumented  the client with WithTelemetry
//
// all on the pipeline telemetry.Init builds (batch span processor, periodic
// metric reader) with discarding exporters.
//
// They report cpu-ns/op, the process CPU time per call (all threads: the
// client, the fake server in the same process and the pipeline's goroutines),
// which a shared machine disturbs less than ns/op. Compare with
//
//	go test -run '^$' -bench . -benchmem -count 10 | tee bench.txt
//	benchstat -col /variant bench.txt
//
// never with timed assertions.

func benchAI(b *testing.B) (*telemetry.Telemetry, *metrics.AI) {
	b.Helper()
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("bench"),
		telemetry.WithGlobals(false),
		telemetry.WithRuntimeMetrics(false),
		telemetry.WithSpanExporter(testutil.DiscardSpans{}),
		telemetry.WithMetricExporter(testutil.DiscardMetrics{}),
		telemetry.WithLogExporter(testutil.DiscardLogs{}),
	)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	ai, err := metrics.NewAI(tel)
	if err != nil {
		b.Fatal(err)
	}
	return tel, ai
}

type benchVariant struct {
	name  string
	instr func(tel *telemetry.Telemetry, ai *metrics.AI) option.RequestOption
}

var benchVariants = []benchVariant{
	{"bare", func(*telemetry.Telemetry, *metrics.AI) option.RequestOption { return nil }},
	{"sdkspan", func(tel *telemetry.Telemetry, _ *metrics.AI) option.RequestOption {
		return option.WithTracerProvider(tel.TracerProvider())
	}},
	{"instrumented", func(_ *telemetry.Telemetry, ai *metrics.AI) option.RequestOption { return WithTelemetry(ai) }},
}

// benchVariantCalls runs call in the measured loop (aitest.LoopCPU) with
// a first-party client of each variant against f, the request's
// parameters and its X-Fake header (scenarioOK) made once.
func benchVariantCalls(b *testing.B, f *fakeServer, call func(b *testing.B, c anthropic.Client, p anthropic.MessageNewParams, hdr option.RequestOption)) {
	tel, ai := benchAI(b)
	for _, v := range benchVariants {
		b.Run("variant="+v.name, func(b *testing.B) {
			c := newClient(b, f, firstParty, v.instr(tel, ai))
			p := params(firstParty)
			hdr := option.WithHeader("X-Fake", scenarioOK)
			aitest.LoopCPU(b, func() { call(b, c, p, hdr) })
		})
	}
}

// BenchmarkNew is one client.Messages.New call.
func BenchmarkNew(b *testing.B) {
	ctx := context.Background()
	benchVariantCalls(b, newFake(b), func(b *testing.B, c anthropic.Client, p anthropic.MessageNewParams, hdr option.RequestOption) {
		m, err := c.Messages.New(ctx, p, hdr)
		if err != nil || m.ID == "" {
			b.Fatal(err)
		}
	})
}

// BenchmarkStream500 is one client.Messages.NewStreaming call whose stream
// has 500 content_block_delta events, read to its end.
func BenchmarkStream500(b *testing.B) {
	f := newFake(b)
	f.deltas = 500
	ctx := context.Background()
	benchVariantCalls(b, f, func(b *testing.B, c anthropic.Client, p anthropic.MessageNewParams, hdr option.RequestOption) {
		s := c.Messages.NewStreaming(ctx, p, hdr)
		n := 0
		for s.Next() {
			n++
		}
		if err := s.Err(); err != nil || n < 500 {
			b.Fatal(n, err)
		}
		_ = s.Close()
	})
}

// BenchmarkEvent is the parser alone on events of a stream: a
// content_block_delta (no usage: no allocation), and the message_delta that
// carries the final usage.
func BenchmarkEvent(b *testing.B) {
	ev := streamEvents(fakeModel, 1)
	var delta, final sseEvent
	for _, e := range ev {
		switch e.name {
		case "content_block_delta":
			if delta.name == "" {
				delta = e
			}
		case "message_delta":
			final = e
		}
	}
	for _, e := range []sseEvent{delta, final} {
		b.Run("event="+e.name, func(b *testing.B) {
			name, data := []byte(e.name), []byte(e.data)
			c := &callState{provider: "anthropic"}
			var r aihttp.Response
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				c.event(name, data, &r)
			}
		})
	}
}
