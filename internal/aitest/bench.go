package aitest

import (
	"context"
	"io"
	"net/http"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// Pipeline is the OpenTelemetry SDK pipeline the benchmarks record on
// when they set an instrumented call beside a bare one: sampled spans to
// a batch span processor with a no-op exporter, metrics on a manual
// reader, and the same with spans not sampled, to show the part of the
// cost that is not the span's.
type Pipeline struct {
	// TP batches every span to a no-op exporter; Unsampled samples none.
	TP, Unsampled *sdktrace.TracerProvider
	// MP is the meter provider of both AIs, on a manual reader.
	MP *sdkmetric.MeterProvider
	// AI records on TP and MP, AIUnsampled on Unsampled and MP.
	AI, AIUnsampled *metrics.AI
}

// NewPipeline returns a Pipeline that is shut down when b ends.
func NewPipeline(b testing.TB) *Pipeline {
	b.Helper()
	p := &Pipeline{
		TP:        sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter())),
		Unsampled: sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())),
		MP:        sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
	}
	b.Cleanup(func() {
		_ = p.TP.Shutdown(context.Background())
		_ = p.Unsampled.Shutdown(context.Background())
		_ = p.MP.Shutdown(context.Background())
	})
	var err error
	if p.AI, err = metrics.NewAI(nil, metrics.WithMeterProvider(p.MP), metrics.WithTracerProvider(p.TP)); err != nil {
		b.Fatal(err)
	}
	if p.AIUnsampled, err = metrics.NewAI(nil, metrics.WithMeterProvider(p.MP), metrics.WithTracerProvider(p.Unsampled)); err != nil {
		b.Fatal(err)
	}
	return p
}

// LoopCPU runs op in b's loop and reports its allocations and cpu-ns/op:
// the CPU time of the process per op (testutil.CPUTime: every goroutine,
// the pipeline's and the garbage collector's included), which a shared
// machine disturbs less than ns/op. A benchmark over the network calls op
// once before, so that the connection is warm.
func LoopCPU(b *testing.B, op func()) {
	b.ReportAllocs()
	start := testutil.CPUTime()
	for b.Loop() {
		op()
	}
	testutil.ReportCPU(b, start)
}

// Drain reads body to its end (its first error), len(buf) bytes at a
// time, and closes it, as a caller that reads the whole response does.
func Drain(body io.ReadCloser, buf []byte) {
	for {
		if _, err := body.Read(buf); err != nil {
			break
		}
	}
	_ = body.Close()
}

// Response returns a 200 response of the content type, its body read
// from body: what a round trip returns without the network.
func Response(contentType string, body io.Reader) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(body)}
}
