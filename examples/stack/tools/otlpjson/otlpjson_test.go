package otlpjson

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/starmates-ai-team/telemetry/examples/stack/tools/dashboards"
)

// TestRoundSendsTheSDKMetrics checks that a round posts all three signals and that its
// metrics are exactly the SDK's (the histogram counts once for its three series).
func TestRoundSendsTheSDKMetrics(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[r.URL.Path] = b
		mu.Unlock()
	}))
	defer srv.Close()

	traceID, err := New(Config{Endpoint: srv.URL}).Round(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(traceID) != 32 {
		t.Errorf("trace id %q, want 32 hex digits", traceID)
	}
	for _, p := range []string{"/v1/metrics", "/v1/traces", "/v1/logs"} {
		if len(bodies[p]) == 0 {
			t.Errorf("nothing posted to %s", p)
		}
	}

	var m struct {
		ResourceMetrics []struct {
			ScopeMetrics []struct {
				Metrics []struct {
					Name      string          `json:"name"`
					Histogram json.RawMessage `json:"histogram"`
				} `json:"metrics"`
			} `json:"scopeMetrics"`
		} `json:"resourceMetrics"`
	}
	if err := json.Unmarshal(bodies["/v1/metrics"], &m); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, metric := range m.ResourceMetrics[0].ScopeMetrics[0].Metrics {
		if metric.Histogram != nil {
			got = append(got, metric.Name+"_bucket", metric.Name+"_count", metric.Name+"_sum")
			continue
		}
		got = append(got, metric.Name)
	}
	want := slices.Clone(dashboards.SDKMetrics)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("sent metrics %v, want SDKMetrics %v", got, want)
	}
}
