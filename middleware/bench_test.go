package middleware_test

// Benchmarks of the HTTP server stacks, all on the same real SDK: a
// TracerProvider that samples every span into a batch processor with a
// discarding exporter, and a MeterProvider whose periodic reader exports
// to a discarding exporter once an hour (so never during a run). Compare
// them within one run with benchstat (docs/benchmarks.md):
//
//	go test -run '^$' -bench . -benchmem -count 6 ./middleware/ > bench.txt
//	benchstat -col .name -row /mode bench.txt
//
// Each stack serves the same ServeMux (route "GET /users/{id}") in four
// modes: a ResponseRecorder, serial and in parallel, and a real loopback
// server with a keep-alive client, serial and in parallel.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
)

const benchRoute = "/users/{id}"

func benchMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+benchRoute, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	return mux
}

// benchTelemetry is the SDK every stack runs on.
func benchTelemetry(b *testing.B) *telemetry.Telemetry {
	b.Helper()
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("bench"),
		// Init's default sampler (parent-based, always on) samples every
		// span: the requests carry no trace context.
		telemetry.WithSpanExporter(tracetest.NewNoopExporter()),
		telemetry.WithMetricExporter(testutil.DiscardMetrics{}),
		telemetry.WithLogExporter(testutil.DiscardLogs{}),
		telemetry.WithMetricInterval(time.Hour),
	)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel
}

func BenchmarkBare(b *testing.B) {
	runModes(b, benchMux())
}

func BenchmarkOtelhttp(b *testing.B) {
	tel := benchTelemetry(b)
	runModes(b, otelhttp.NewHandler(benchMux(), "server",
		otelhttp.WithTracerProvider(tel.TracerProvider()),
		otelhttp.WithMeterProvider(tel.MeterProvider()),
		otelhttp.WithPropagators(tel.Propagator()),
	))
}

// BenchmarkOtelhttpPromhttp is the naive way to get spans plus the
// design's metrics: otelhttp for the spans, client_golang's promhttp for
// http_requests_total{method, endpoint, code} and
// http_request_duration_seconds{method, endpoint}.
func BenchmarkOtelhttpPromhttp(b *testing.B) {
	tel := benchTelemetry(b)
	reg := prometheus.NewRegistry()
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: metrics.HTTPRequestsName, Help: catalog.HTTPRequests.Description,
	}, []string{string(metrics.HTTPMethodKey), string(metrics.HTTPEndpointKey), "code"}) // promhttp names the status label "code"
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: metrics.HTTPRequestDurationName, Help: catalog.HTTPRequestDuration.Description,
		Buckets: telemetry.SecondsBuckets,
	}, []string{string(metrics.HTTPMethodKey), string(metrics.HTTPEndpointKey)})
	reg.MustRegister(requests, duration)
	endpoint := promhttp.WithLabelFromCtx(string(metrics.HTTPEndpointKey), func(context.Context) string { return benchRoute })
	var h http.Handler = benchMux()
	h = promhttp.InstrumentHandlerCounter(requests, h, endpoint)
	h = promhttp.InstrumentHandlerDuration(duration, h, endpoint)
	runModes(b, otelhttp.NewHandler(h, "server",
		otelhttp.WithTracerProvider(tel.TracerProvider()),
		otelhttp.WithMeterProvider(tel.MeterProvider()),
		otelhttp.WithPropagators(tel.Propagator()),
	))
}

func BenchmarkMiddleware(b *testing.B) {
	tel := benchTelemetry(b)
	runModes(b, middleware.New(tel)(benchMux()))
}

func runModes(b *testing.B, h http.Handler) {
	b.Run("mode=recorder", func(b *testing.B) {
		r := httptest.NewRequest("GET", "/users/42", nil)
		b.ReportAllocs()
		defer testutil.ReportCPU(b, testutil.CPUTime())
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
	})
	b.Run("mode=parallel", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b, testutil.CPUTime())
		b.RunParallel(func(pb *testing.PB) {
			r := httptest.NewRequest("GET", "/users/42", nil)
			for pb.Next() {
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/users/42"
	get := func(b *testing.B) {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	b.Run("mode=loopback", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b, testutil.CPUTime())
		for b.Loop() {
			get(b)
		}
	})
	b.Run("mode=loopback-parallel", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b, testutil.CPUTime())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get(b)
			}
		})
	})
}
