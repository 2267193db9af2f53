package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// TestAllocationsBelowOtelhttp is the allocation target of the benchmarks
// as a test: per request, at most otelhttp's allocations on the same SDK
// (in practice under half of them). Counting allocations is not timing:
// it holds on a loaded machine.
func TestAllocationsBelowOtelhttp(t *testing.T) {
	kit := telemetrytest.New(t)
	tel := kit.Telemetry
	allocs := func(h http.Handler) float64 {
		r := httptest.NewRequest("GET", "/users/42", nil)
		h.ServeHTTP(httptest.NewRecorder(), r) // warm the caches
		return testing.AllocsPerRun(200, func() { h.ServeHTTP(httptest.NewRecorder(), r) })
	}
	bare := allocs(benchMux())
	ours := allocs(middleware.New(tel)(benchMux()))
	theirs := allocs(otelhttp.NewHandler(benchMux(), "server",
		otelhttp.WithTracerProvider(tel.TracerProvider()),
		otelhttp.WithMeterProvider(tel.MeterProvider()),
		otelhttp.WithPropagators(tel.Propagator())))
	t.Logf("allocations per request: bare %v, middleware %v, otelhttp %v", bare, ours, theirs)
	if ours > theirs {
		t.Errorf("middleware allocates %v per request, otelhttp %v: want at most otelhttp's", ours, theirs)
	}
}

// TestEndpointBudget hands the middleware a route function misused to
// return raw paths: past 1000 distinct endpoints, the rest share "_OTHER".
func TestEndpointBudget(t *testing.T) {
	kit := telemetrytest.New(t)
	h := middleware.New(kit.Telemetry, middleware.WithRouteFunc(func(r *http.Request) string {
		return r.URL.Path // wrong on purpose
	}))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	const n = 1010
	for i := range n {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/item/"+strconv.Itoa(i), nil))
	}
	m, _ := kit.Metric(metrics.HTTPRequestsName)
	points := m.Data.(metricdata.Sum[int64]).DataPoints
	if len(points) != 1001 {
		t.Errorf("%d series, want 1000 endpoints + _OTHER", len(points))
	}
	if got := requests(t, kit, "GET", metrics.HTTPOther, "200"); got != n-1000 {
		t.Errorf("_OTHER endpoint = %v, want %d", got, n-1000)
	}
}

// TestConcurrentRequests drives many label combinations at once (run with
// -race): the cache's copy-on-write path and the counters must agree.
func TestConcurrentRequests(t *testing.T) {
	kit := telemetrytest.New(t)
	mux := http.NewServeMux()
	for i := range 8 {
		mux.HandleFunc(fmt.Sprintf("/r%d/{id}", i), func(w http.ResponseWriter, r *http.Request) {
			code, _ := strconv.Atoi(r.URL.Query().Get("code"))
			w.WriteHeader(code)
		})
	}
	h := middleware.New(kit.Telemetry)(mux)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				target := fmt.Sprintf("/r%d/x?code=%d", (g+i)%8, 200+100*(i%4))
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
			}
		})
	}
	wg.Wait()
	total := 0.0
	for i := range 8 {
		for _, code := range []string{"200", "300", "400", "500"} {
			total += requests(t, kit, "GET", fmt.Sprintf("/r%d/{id}", i), code)
		}
	}
	if total != 400 {
		t.Errorf("counted %v requests, want 400", total)
	}
}
