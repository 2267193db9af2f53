package httpmetrics_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/httpconv"
	"github.com/starmates-ai-team/telemetry/internal/httpmetrics"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestMethodLabel(t *testing.T) {
	for in, want := range map[string]string{
		"GET": "GET", "POST": "POST", "PUT": "PUT", "DELETE": "DELETE", "HEAD": "HEAD",
		"OPTIONS": "OPTIONS", "PATCH": "PATCH", "CONNECT": "CONNECT", "TRACE": "TRACE", "QUERY": "QUERY",
		"get": metrics.HTTPOther, "PROPFIND": metrics.HTTPOther, "": metrics.HTTPOther,
		"GET /x": metrics.HTTPOther,
	} {
		if got := (httpconv.Methods{}).Normalize(in); got != want {
			t.Errorf("HTTPMethod(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatusCode(t *testing.T) {
	for in, want := range map[int]string{
		100: "100", 200: "200", 404: "404", 599: "599",
		0: metrics.HTTPOther, 99: metrics.HTTPOther, 600: metrics.HTTPOther, -1: metrics.HTTPOther,
	} {
		if got := httpmetrics.StatusCode(in); got != want {
			t.Errorf("HTTPStatusCode(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorTypeIsClosed(t *testing.T) {
	want := []string{"client_error", "server_error", "timeout", "canceled", "panic"}
	for i, w := range want {
		if got := httpmetrics.ErrorType(i + 1).String(); got != w {
			t.Errorf("HTTPErrorType(%d) = %q, want %q", i+1, got, w)
		}
	}
	if got := httpmetrics.ErrorType(0).String(); got != "" {
		t.Errorf("the zero error type (no error) = %q, want empty", got)
	}
	if got := httpmetrics.ErrorType(len(want) + 1).String(); got != "" {
		t.Errorf("out-of-set error type = %q, want empty", got)
	}
}

func TestHTTPRecordsDesignNamesAndLabels(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("api-gateway"), telemetry.WithEnvironment(telemetry.Prod))
	h, err := httpmetrics.New(kit.Telemetry.MeterProvider())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ok := h.Labels("GET", "/users/{id}", 200)
	h.Request(ctx, ok, 30*time.Millisecond)
	h.Request(ctx, ok, 2*time.Second)
	h.Request(ctx, h.Labels("BREW", "/pot", 418), time.Millisecond)
	h.Error(ctx, httpmetrics.ClientError)
	h.Error(ctx, httpmetrics.ErrorType(200)) // outside the set: ignored

	mandatory := []attribute.KeyValue{
		attribute.String("environment", "prod"), attribute.String("service", "api-gateway"),
		attribute.String("project", telemetry.DefaultProject),
	}
	if v, _ := kit.Sum(metrics.HTTPRequestsName, append(mandatory,
		metrics.HTTPMethodKey.String("GET"), metrics.HTTPEndpointKey.String("/users/{id}"),
		metrics.HTTPStatusCodeKey.String("200"))...); v != 2 {
		t.Errorf("http_requests_total{GET,/users/{id},200} = %v, want 2", v)
	}
	if v, _ := kit.Sum(metrics.HTTPRequestsName, metrics.HTTPMethodKey.String(metrics.HTTPOther),
		metrics.HTTPStatusCodeKey.String("418")); v != 1 {
		t.Errorf("http_requests_total{_OTHER,418} = %v, want 1", v)
	}
	if v, _ := kit.Sum(metrics.HTTPErrorsName, append(mandatory, metrics.HTTPErrorTypeKey.String("client_error"))...); v != 1 {
		t.Errorf("http_errors_total{client_error} = %v, want 1", v)
	}

	m, found := kit.Metric(metrics.HTTPRequestDurationName)
	if !found {
		t.Fatal("no duration histogram")
	}
	if m.Unit != "s" {
		t.Errorf("unit = %q, want s", m.Unit)
	}
	hist := m.Data.(metricdata.Histogram[float64])
	for _, dp := range hist.DataPoints {
		if _, has := dp.Attributes.Value(metrics.HTTPStatusCodeKey); has {
			t.Errorf("duration has a status_code label")
		}
		if len(dp.Bounds) != len(telemetry.SecondsBuckets) || dp.Bounds[0] != telemetry.SecondsBuckets[0] {
			t.Errorf("bounds = %v, want telemetry.SecondsBuckets", dp.Bounds)
		}
		if v, _ := dp.Attributes.Value(metrics.HTTPEndpointKey); v.AsString() == "/users/{id}" && (dp.Count != 2 || dp.Sum != 2.03) {
			t.Errorf("count %d sum %v, want 2 and 2.03", dp.Count, dp.Sum)
		}
	}
	for _, name := range []string{metrics.HTTPRequestsName, metrics.HTTPErrorsName} {
		m, _ := kit.Metric(name)
		if m.Unit != "" {
			t.Errorf("%s unit = %q, want none (a unit would rename the series)", name, m.Unit)
		}
		if s, ok := m.Data.(metricdata.Sum[int64]); !ok || !s.IsMonotonic {
			t.Errorf("%s is %T, want a monotonic int64 sum", name, m.Data)
		}
	}
}

func TestHTTPNilAndDisabled(t *testing.T) {
	var nilHTTP *httpmetrics.Instruments
	nilHTTP.Request(context.Background(), httpmetrics.Labels{}, time.Second)
	nilHTTP.Error(context.Background(), httpmetrics.Panic)
	if nilHTTP.Enabled() {
		t.Error("nil *HTTP enabled")
	}
	h, err := httpmetrics.New(nil)
	if err != nil || h.Enabled() {
		t.Fatalf("NewHTTP(nil) = %v, %v; want a disabled *HTTP", h, err)
	}
	h.Request(context.Background(), h.Labels("GET", "/", 200), time.Second)
	for _, tel := range []*telemetry.Telemetry{nil, telemetrytest.New(t, telemetry.WithDisabled(true)).Telemetry} {
		if h, err := httpmetrics.New(tel.MeterProvider()); err != nil || h.Enabled() {
			t.Errorf("NewHTTP(no-op provider) = %v, %v; want a disabled *HTTP", h, err)
		}
	}
	_ = nilHTTP.Labels("GET", "/", 200)
}

// TestHTTPOnOwnMeterProvider records on a MeterProvider that is not a
// Telemetry's, with a set of known methods of its own: the points have the
// design's names and labels, and none of environment, project, service.
func TestHTTPOnOwnMeterProvider(t *testing.T) {
	p := testutil.NewProviders(t)
	h, err := httpmetrics.New(p.MP, "GET", "PROPFIND")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, m := range []string{"GET", "PROPFIND", "POST"} {
		h.Request(ctx, h.Labels(m, "/dav", 207), time.Millisecond)
	}
	got := p.SumBy(t, metrics.HTTPRequestsName, metrics.HTTPMethodKey)
	want := map[string]int64{"GET": 1, "PROPFIND": 1, metrics.HTTPOther: 1}
	if len(got) != len(want) || got["GET"] != 1 || got["PROPFIND"] != 1 || got[metrics.HTTPOther] != 1 {
		t.Errorf("http_requests_total by method = %v, want %v", got, want)
	}
}

func TestHTTPRecordingDoesNotAllocate(t *testing.T) {
	kit := telemetrytest.New(t)
	h, err := httpmetrics.New(kit.Telemetry.MeterProvider())
	if err != nil {
		t.Fatal(err)
	}
	l := h.Labels("GET", "/users/{id}", 200)
	ctx := context.Background()
	h.Request(ctx, l, time.Millisecond) // create the series
	if n := testing.AllocsPerRun(100, func() {
		h.Request(ctx, l, time.Millisecond)
		h.Error(ctx, httpmetrics.ServerError)
	}); n != 0 {
		t.Errorf("recording allocates %v times, want 0", n)
	}
}

// FuzzHTTPLabelValues checks that any method and status code map into the
// bounded label sets.
func FuzzHTTPLabelValues(f *testing.F) {
	f.Add("GET", 200)
	f.Add("get", 99)
	f.Add("\x00", 1000)
	f.Fuzz(func(t *testing.T, method string, code int) {
		switch m := (httpconv.Methods{}).Normalize(method); m {
		case "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE":
			if m != method {
				t.Errorf("HTTPMethod(%q) = %q", method, m)
			}
		case metrics.HTTPOther:
		default:
			t.Errorf("HTTPMethod(%q) = %q, outside the set", method, m)
		}
		s := httpmetrics.StatusCode(code)
		if s != metrics.HTTPOther && (len(s) != 3 || s[0] < '1' || s[0] > '5') {
			t.Errorf("HTTPStatusCode(%d) = %q", code, s)
		}
	})
}
