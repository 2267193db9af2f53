//go:build e2e

// Package e2e checks a running local stack (local/stack.sh up) end to end: OTLP sent to
// the collector arrives in the local Prometheus, in the cloud Prometheus (remote write,
// basic auth), in Jaeger, and in the cloud's log store (VictoriaLogs, basic auth), and a
// firing rule reaches the OnCall stand-in through Alertmanager.
//
//	./local/stack.sh up
//	cd tools && go test -tags e2e -count=1 ./e2e/          # about 3 minutes (waits for the alert)
//	cd tools && go test -tags e2e -count=1 -short ./e2e/   # without the alert, about 10 s
//
// Every run sends under fresh service names, so runs do not see each other's data.
package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry/examples/stack/tools/dashboards"
	"github.com/starmates-ai-team/telemetry/examples/stack/tools/otlpjson"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
)

const (
	collectorHealth = "http://127.0.0.1:13133/"
	prometheusURL   = "http://127.0.0.1:9090"
	cloudPromURL    = "http://127.0.0.1:19090"
	jaegerURL       = "http://127.0.0.1:16686"
	alertsinkURL    = "http://127.0.0.1:19095"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

var (
	environment  = env("ENVIRONMENT", "dev")
	cloudPromUsr = env("GRAFANA_CLOUD_PROMETHEUS_USER", "100001")
	cloudToken   = env("GRAFANA_CLOUD_API_KEY", "local-stack-token")
)

func TestMain(m *testing.M) {
	resp, err := http.Get(collectorHealth)
	if err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "e2e: the collector is not healthy at %s (%v): start the stack with local/stack.sh up\n", collectorHealth, err)
		os.Exit(1)
	}
	resp.Body.Close()
	os.Exit(m.Run())
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// eventually calls check every second until it returns nil or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, timeout, err)
		}
		time.Sleep(time.Second)
	}
}

func getJSON(u, user, password string, into any) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, body)
	}
	return json.Unmarshal(body, into)
}

type promVector struct {
	Data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	} `json:"data"`
}

// seriesOf returns the series of the instant query q, as label maps.
func seriesOf(base, user, password, q string) ([]map[string]string, error) {
	var v promVector
	if err := getJSON(base+"/api/v1/query?"+url.Values{"query": {q}}.Encode(), user, password, &v); err != nil {
		return nil, err
	}
	out := make([]map[string]string, 0, len(v.Data.Result))
	for _, r := range v.Data.Result {
		out = append(out, r.Metric)
	}
	return out, nil
}

// sendLoop sends a round every interval until ctx ends; the first round's trace id is
// returned once it has been sent.
func sendLoop(ctx context.Context, t *testing.T, s *otlpjson.Sender, interval time.Duration) string {
	t.Helper()
	traceID, err := s.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_, _ = s.Round(ctx)
			}
		}
	}()
	return traceID
}

func TestStack(t *testing.T) {
	run := "e2e-" + randHex(4)
	// plain: no deployment.environment.name, so the collector inserts ENVIRONMENT.
	plain := otlpjson.New(otlpjson.Config{Service: run + "-gateway", Downstream: run + "-engine", Environment: environment, ErrorRatio: 0.5})
	// pinned: the SDK set staging itself; the collector's `insert` must keep it.
	pinned := otlpjson.New(otlpjson.Config{Service: run + "-agent", Downstream: run + "-engine", Environment: "staging", DeploymentEnvironment: "staging", Signals: []string{"logs"}})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	traceID := sendLoop(ctx, t, plain, 5*time.Second)
	pinnedTrace, err := pinned.Round(ctx)
	if err != nil {
		t.Fatal(err)
	}
	service := run + "-gateway"

	t.Run("local prometheus has every SDK metric with the mandatory labels", func(t *testing.T) {
		eventually(t, 60*time.Second, "SDK metrics in Prometheus", func() error {
			series, err := seriesOf(prometheusURL, "", "", fmt.Sprintf(`{service=%q}`, service))
			if err != nil {
				return err
			}
			return hasAllSDKMetrics(series, service)
		})
	})

	t.Run("cloud prometheus has them by remote write, behind basic auth", func(t *testing.T) {
		eventually(t, 60*time.Second, "SDK metrics in the cloud Prometheus", func() error {
			series, err := seriesOf(cloudPromURL, cloudPromUsr, cloudToken, fmt.Sprintf(`{service=%q}`, service))
			if err != nil {
				return err
			}
			return hasAllSDKMetrics(series, service)
		})
		if _, err := seriesOf(cloudPromURL, "", "", "up"); err == nil {
			t.Error("the cloud Prometheus answered without credentials")
		}
	})

	t.Run("jaeger has the trace across two services", func(t *testing.T) {
		eventually(t, 30*time.Second, "trace in Jaeger", func() error {
			var got struct {
				Data []struct {
					Spans []struct {
						SpanID     string `json:"spanID"`
						ProcessID  string `json:"processID"`
						References []struct {
							RefType string `json:"refType"`
							SpanID  string `json:"spanID"`
						} `json:"references"`
					} `json:"spans"`
					Processes map[string]struct {
						ServiceName string `json:"serviceName"`
					} `json:"processes"`
				} `json:"data"`
			}
			if err := getJSON(jaegerURL+"/api/traces/"+traceID, "", "", &got); err != nil {
				return err
			}
			if len(got.Data) != 1 || len(got.Data[0].Spans) != 2 {
				return fmt.Errorf("want 1 trace with 2 spans, got %+v", got.Data)
			}
			var services []string
			children := 0
			for _, sp := range got.Data[0].Spans {
				services = append(services, got.Data[0].Processes[sp.ProcessID].ServiceName)
				for _, r := range sp.References {
					if r.RefType == "CHILD_OF" {
						children++
					}
				}
			}
			slices.Sort(services)
			if want := []string{run + "-engine", run + "-gateway"}; !slices.Equal(services, want) || children != 1 {
				return fmt.Errorf("services %v (want %v), %d child spans (want 1)", services, want, children)
			}
			return nil
		})
	})

	t.Run("the cloud's log store wants the OTLP gateway's credentials", func(t *testing.T) {
		st := stackquery.FromEnv()
		defer st.CloseIdle()
		for _, tc := range []struct{ user, token string }{{"", ""}, {st.LogStoreUser, "wrong-token"}} {
			req, err := http.NewRequest(http.MethodGet, st.LogsURL("*")+"&limit=1", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("user %q token %q: %s, want 401", tc.user, tc.token, resp.Status)
			}
		}
	})

	t.Run("the cloud's log store got the logs with trace_id and the environment", func(t *testing.T) {
		eventually(t, 30*time.Second, "logs in the log store", func() error {
			got, err := logResourceEnvironments(traceID, pinnedTrace)
			if err != nil {
				return err
			}
			if env, ok := got[traceID]; !ok || env != environment {
				return fmt.Errorf("trace %s: deployment.environment.name %q, present %v; want %q inserted by the collector", traceID, env, ok, environment)
			}
			if env, ok := got[pinnedTrace]; !ok || env != "staging" {
				return fmt.Errorf("trace %s: deployment.environment.name %q, present %v; want the SDK's staging kept", pinnedTrace, env, ok)
			}
			return nil
		})
	})

	t.Run("a firing rule reaches the OnCall stand-in", func(t *testing.T) {
		if testing.Short() {
			t.Skip("waits about 2.5 minutes for HTTPErrorRateHigh (for: 2m)")
		}
		eventually(t, 4*time.Minute, "HTTPErrorRateHigh at the alert sink", func() error {
			var payloads []struct {
				Status string `json:"status"`
				Alerts []struct {
					Labels map[string]string `json:"labels"`
				} `json:"alerts"`
			}
			if err := getJSON(alertsinkURL+"/alerts", "", "", &payloads); err != nil {
				return err
			}
			for _, p := range payloads {
				for _, a := range p.Alerts {
					if p.Status == "firing" && a.Labels["alertname"] == "HTTPErrorRateHigh" && a.Labels["service"] == service {
						return nil
					}
				}
			}
			return fmt.Errorf("%d payloads, none firing HTTPErrorRateHigh for %s", len(payloads), service)
		})
	})
}

func hasAllSDKMetrics(series []map[string]string, service string) error {
	seen := map[string]bool{}
	for _, s := range series {
		for _, l := range []string{"environment", "project", "service"} {
			if s[l] == "" {
				return fmt.Errorf("%s has no %s label: %v", s["__name__"], l, s)
			}
		}
		seen[s["__name__"]] = true
	}
	var missing []string
	for _, m := range dashboards.SDKMetrics {
		if !seen[m] {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("service %s: missing %v", service, missing)
	}
	return nil
}

// logResourceEnvironments queries the cloud's log store by trace id and returns, per trace
// id that has a log record, the deployment.environment.name of the record's resource.
func logResourceEnvironments(traceIDs ...string) (map[string]string, error) {
	st := stackquery.FromEnv()
	defer st.CloseIdle()
	out := map[string]string{}
	for _, id := range traceIDs {
		recs, err := st.TraceLogs(context.Background(), id)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			out[id] = r.Resource["deployment.environment.name"]
		}
	}
	return out, nil
}
