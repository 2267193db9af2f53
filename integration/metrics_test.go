//go:build integration

package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/middleware"
)

// TestDesignMetricNamesInPrometheus: the HTTP (middleware), AI and business
// instruments come out in a real Prometheus, scraping the real collector,
// under exactly the design's names and labels, and in the cloud Prometheus
// by remote write.
func TestDesignMetricNamesInPrometheus(t *testing.T) {
	tel, service := initService(t, "itest-metrics", telemetry.WithEnvironment(telemetry.Prod), telemetry.WithMetricInterval(time.Second))
	ctx := context.Background()
	defer tel.Shutdown(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusInternalServerError) })
	srv := httptest.NewServer(middleware.New(tel)(mux))
	defer srv.Close()
	for _, p := range []string{"/items/1", "/items/2", "/fail", "/nowhere?user=secret"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Client().CloseIdleConnections()

	ai, err := metrics.NewAI(tel)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := ai.Record(ctx, ailabels.Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300})
	if err != nil || !cost.Priced {
		t.Fatalf("Record = %+v, %v", cost, err)
	}
	biz, err := metrics.NewBusiness(tel)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		biz.SetRetention(ctx, "d7", "pro", 0.7),
		biz.SetFeatureAdoption(ctx, "workflow_builder", 0.3),
		biz.SetPMFScore(ctx, "sean_ellis", 0.42),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tel.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	sel := fmt.Sprintf(`environment="prod",project=%q,service=%q`, telemetry.DefaultProject, service)
	cases := []struct {
		query string
		want  map[string]string
		value float64
	}{
		{`http_requests_total{` + sel + `,endpoint="/items/{id}"}`, map[string]string{"method": "GET", "status_code": "200"}, 2},
		{`http_requests_total{` + sel + `,status_code="500"}`, map[string]string{"endpoint": "/fail", "method": "GET"}, 1},
		{`http_requests_total{` + sel + `,status_code="404"}`, map[string]string{"endpoint": "unmatched", "method": "GET"}, 1},
		{`http_request_duration_seconds_count{` + sel + `,endpoint="/items/{id}"}`, map[string]string{"method": "GET"}, 2},
		{`http_request_duration_seconds_bucket{` + sel + `,endpoint="/items/{id}",le="10"}`, map[string]string{"method": "GET"}, 2},
		{`http_errors_total{` + sel + `,error_type="server_error"}`, nil, 1},
		{`ai_requests_total{` + sel + `}`, map[string]string{"model": "gpt-4o", "provider": "openai"}, 1},
		{`ai_tokens_total{` + sel + `,token_type="cache_read"}`, map[string]string{"model": "gpt-4o"}, 1000},
		{`ai_cost_total{` + sel + `}`, map[string]string{"model": "gpt-4o"}, cost.USD},
		{`user_retention_rate{` + sel + `}`, map[string]string{"retention_period": "d7", "user_segment": "pro"}, 0.7},
		{`feature_adoption_rate{` + sel + `}`, map[string]string{"feature_name": "workflow_builder"}, 0.3},
		{`pmf_score{` + sel + `}`, map[string]string{"calculation_method": "sean_ellis"}, 0.42},
	}
	for _, c := range cases {
		for name, query := range map[string]func(context.Context, string) ([]stackquery.Sample, error){"prometheus": stack.Query, "cloud": stack.CloudQuery} {
			waitFor(t, name+": "+c.query, func() (bool, error) {
				s, err := query(ctx, c.query)
				if err != nil || len(s) == 0 {
					return false, err
				}
				if len(s) != 1 {
					t.Errorf("%s: %s: %d series; want 1: %v", name, c.query, len(s), s)
				}
				for k, v := range c.want {
					if s[0].Labels[k] != v {
						t.Errorf("%s: %s: label %s = %q; want %q", name, c.query, k, s[0].Labels[k], v)
					}
				}
				if d := s[0].Value - c.value; d > 1e-9 || d < -1e-9 {
					t.Errorf("%s: %s = %v; want %v", name, c.query, s[0].Value, c.value)
				}
				return true, nil
			})
		}
	}
	// No raw path, query string or Host ever became a label value.
	s, err := stack.Query(ctx, fmt.Sprintf(`count({service=%q,endpoint=~".*(nowhere|secret|items/1).*"})`, service))
	if err != nil || len(s) != 0 {
		t.Errorf("raw paths leaked into labels: %v, %v", s, err)
	}
}
