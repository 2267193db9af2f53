package logbridge

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
)

// Benchmarks compare, in one run, a log call with five attributes through
//
//	h=multi     slog.NewMultiHandler(JSONHandler(io.Discard), otelslog): the two alone, together
//	h=logbridge our Handler, both outputs (console to io.Discard)
//	h=json      slog.NewJSONHandler(io.Discard) alone
//	h=otelslog  contrib's otelslog handler alone
//
// on two OpenTelemetry pipelines, shared by the variants of a run:
//
//	otel=batch  the SDK LoggerProvider that telemetry.Init builds (batch
//	            processor, the export wrapper adding the labels) with a
//	            discarding exporter: what a service runs. Its export goroutine
//	            works beside the logging one, and how much it does depends on
//	            how many records the bounded queue dropped, so its figures
//	            move more.
//	otel=simple an SDK LoggerProvider with a synchronous simple processor and
//	            a discarding exporter: everything on the calling goroutine,
//	            the steadiest measure of what the fan-out adds.
//
// Besides ns/op they report cpu-ns/op, the process CPU time per call (all
// threads), which a machine shared with other builds disturbs much less.
// Compare with benchstat -col /h (see docs/benchmarks.md); never with timed
// assertions.

func benchTelemetry(b *testing.B) *telemetry.Telemetry {
	b.Helper()
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("bench"),
		telemetry.WithLogExporter(testutil.DiscardLogs{}),
		telemetry.WithSpanExporter(tracetest.NewNoopExporter()),
		telemetry.WithMetricExporter(testutil.DiscardMetrics{}),
	)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel
}

type benchHandler struct {
	name string
	new  func(b *testing.B, lp otellog.LoggerProvider) slog.Handler
}

var benchHandlers = []benchHandler{
	{"multi", func(_ *testing.B, lp otellog.LoggerProvider) slog.Handler {
		return slog.NewMultiHandler(
			slog.NewJSONHandler(io.Discard, nil),
			otelslog.NewHandler(ScopeName, otelslog.WithLoggerProvider(lp)),
		)
	}},
	{"logbridge", func(b *testing.B, lp otellog.LoggerProvider) slog.Handler {
		h, err := newHandlerProvider(lp, noEnv, []Option{WithWriter(io.Discard)})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}},
	{"json", func(*testing.B, otellog.LoggerProvider) slog.Handler {
		return slog.NewJSONHandler(io.Discard, nil)
	}},
	{"otelslog", func(_ *testing.B, lp otellog.LoggerProvider) slog.Handler {
		return otelslog.NewHandler(ScopeName, otelslog.WithLoggerProvider(lp))
	}},
}

// BenchmarkLog is one InfoContext call with five attributes, with and
// without a span in the context.
func BenchmarkLog(b *testing.B) {
	simple := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(testutil.DiscardLogs{})))
	b.Cleanup(func() { _ = simple.Shutdown(context.Background()) })
	providers := []struct {
		name string
		lp   otellog.LoggerProvider
	}{{"batch", benchTelemetry(b).LoggerProvider()}, {"simple", simple}}
	spanCtx := trace.ContextWithSpanContext(context.Background(), validSpanContext())
	ctxs := []struct {
		name string
		ctx  context.Context
	}{{"none", context.Background()}, {"span", spanCtx}}
	for _, p := range providers {
		for _, c := range ctxs {
			for _, bh := range benchHandlers {
				b.Run("otel="+p.name+"/ctx="+c.name+"/h="+bh.name, func(b *testing.B) {
					l := slog.New(bh.new(b, p.lp))
					ctx := c.ctx
					b.ReportAllocs()
					c0 := testutil.CPUTime()
					for b.Loop() {
						l.InfoContext(ctx, "request served",
							"method", "GET",
							"route", "/orders/{id}",
							"status", 200,
							"duration", 12*time.Millisecond,
							"user_id", "u-42",
						)
					}
					testutil.ReportCPU(b, c0)
				})
			}
		}
	}
}

// BenchmarkBelowLevel is a Debug call with five attributes under level
// info: it must cost a comparison and allocate nothing.
func BenchmarkBelowLevel(b *testing.B) {
	tel := benchTelemetry(b)
	for _, bh := range benchHandlers {
		if bh.name != "logbridge" && bh.name != "json" {
			continue
		}
		b.Run("h="+bh.name, func(b *testing.B) {
			l := slog.New(bh.new(b, tel.LoggerProvider()))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				l.DebugContext(ctx, "cache lookup",
					"method", "GET",
					"route", "/orders/{id}",
					"status", 200,
					"duration", 12*time.Millisecond,
					"user_id", "u-42",
				)
			}
		})
	}
}

// BenchmarkRedact is a call with five attributes, one of them a secret:
// the record is rebuilt once for both outputs.
func BenchmarkRedact(b *testing.B) {
	tel := benchTelemetry(b)
	h, err := newHandler(tel, noEnv, []Option{WithWriter(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	l := slog.New(h)
	ctx := context.Background()
	b.ReportAllocs()
	c0 := testutil.CPUTime()
	defer testutil.ReportCPU(b, c0)
	for b.Loop() {
		l.InfoContext(ctx, "upstream call",
			"method", "POST",
			"route", "/v1/chat",
			"status", 200,
			"duration", 12*time.Millisecond,
			"api_key", "sk-live-123",
		)
	}
}

// BenchmarkConsoleIDs prices the trace ids on the console, without the
// OpenTelemetry side: JSONHandler with the five attributes (h=json5), with
// the two ids added by the caller as ready-made strings (h=json7: the least
// a line with ids can cost), and our Handler, console only, finding the
// span in the context (h=logbridge).
func BenchmarkConsoleIDs(b *testing.B) {
	ctx := trace.ContextWithSpanContext(context.Background(), validSpanContext())
	tid, sid := validSpanContext().TraceID().String(), validSpanContext().SpanID().String()
	ours, err := newHandlerProvider(nil, noEnv, []Option{WithWriter(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	json := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, v := range []struct {
		name string
		log  func()
	}{
		{"json5", func() {
			json.InfoContext(ctx, "request served", "method", "GET", "route", "/orders/{id}", "status", 200, "duration", 12*time.Millisecond, "user_id", "u-42")
		}},
		{"json7", func() {
			json.InfoContext(ctx, "request served", "method", "GET", "route", "/orders/{id}", "status", 200, "duration", 12*time.Millisecond, "user_id", "u-42", TraceIDKey, tid, SpanIDKey, sid)
		}},
		{"logbridge", func() {
			slog.New(ours).InfoContext(ctx, "request served", "method", "GET", "route", "/orders/{id}", "status", 200, "duration", 12*time.Millisecond, "user_id", "u-42")
		}},
	} {
		b.Run("h="+v.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := testutil.CPUTime()
			for b.Loop() {
				v.log()
			}
			testutil.ReportCPU(b, c0)
		})
	}
}
