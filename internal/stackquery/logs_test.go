package stackquery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeLogStore answers /select/logsql/query like VictoriaLogs: one JSON
// object per line, behind basic auth.
func fakeLogStore(t *testing.T, lines ...string) (Stack, *[]url.Values) {
	t.Helper()
	var got []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != "200002" || p != "tok" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/select/logsql/query" {
			http.NotFound(w, r)
			return
		}
		got = append(got, r.URL.Query())
		fmt.Fprint(w, strings.Join(lines, "\n")+"\n")
	}))
	t.Cleanup(srv.Close)
	return Stack{LogStore: srv.URL, LogStoreUser: "200002", CloudToken: "tok", Client: srv.Client()}, &got
}

const (
	line1 = `{"_msg":"model call done","_stream":"{deployment.environment.name=\"dev\",service.name=\"workflow-agent\"}","_stream_id":"0000","_time":"2026-12-02T00:52:41.486022821Z","cost_usd":"0.007585","deployment.environment.name":"dev","environment":"dev","project":"starmates-ai-team","service":"workflow-agent","service.instance.id":"f0d0","service.name":"workflow-agent","process.pid":"27583","scope.name":"logbridge","severity_number":"9","severity_text":"INFO","span_id":"d7c34fd9c9733c75","trace_id":"32cc5ce8d730a69f5a1e934b889047a2"}`
	line2 = `{"_msg":"workflow run accepted","_time":"2026-12-02T00:52:41.400000000Z","service.name":"api-gateway","severity_text":"INFO","trace_id":"32cc5ce8d730a69f5a1e934b889047a2"}`
)

func TestTraceLogs(t *testing.T) {
	st, got := fakeLogStore(t, line1, "", line2)
	recs, err := st.TraceLogs(context.Background(), "32cc5ce8d730a69f5a1e934b889047a2")
	if err != nil {
		t.Fatal(err)
	}
	if len(*got) != 1 || (*got)[0].Get("query") != `trace_id:="32cc5ce8d730a69f5a1e934b889047a2"` || (*got)[0].Has("limit") {
		t.Fatalf("queries sent: %v", *got)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	// Oldest first.
	if recs[0].Body != "workflow run accepted" || recs[1].Body != "model call done" {
		t.Fatalf("order: %q, %q", recs[0].Body, recs[1].Body)
	}
	r := recs[1]
	if r.TraceID != "32cc5ce8d730a69f5a1e934b889047a2" || r.SpanID != "d7c34fd9c9733c75" || r.Severity != "INFO" {
		t.Errorf("ids/severity: %+v", r)
	}
	if !r.Time.Equal(time.Date(2026, 12, 2, 0, 52, 41, 486022821, time.UTC)) {
		t.Errorf("time %v", r.Time)
	}
	for k, want := range map[string]string{"service.name": "workflow-agent", "service.instance.id": "f0d0", "deployment.environment.name": "dev", "process.pid": "27583", "project": "starmates-ai-team"} {
		if r.Resource[k] != want {
			t.Errorf("Resource[%s] = %q, want %q", k, r.Resource[k], want)
		}
	}
	for k, want := range map[string]string{"cost_usd": "0.007585", "environment": "dev", "service": "workflow-agent", "project": "starmates-ai-team"} {
		if r.Attributes[k] != want {
			t.Errorf("Attributes[%s] = %q, want %q", k, r.Attributes[k], want)
		}
	}
	for _, k := range []string{"_msg", "_time", "_stream", "trace_id", "severity_text", "scope.name", "service.name"} {
		if _, ok := r.Attributes[k]; ok {
			t.Errorf("Attributes has %s", k)
		}
	}
	if r.Stream != `{deployment.environment.name="dev",service.name="workflow-agent"}` || r.Fields["_stream_id"] != "0000" {
		t.Errorf("stream %q fields %v", r.Stream, r.Fields)
	}
}

func TestLogRowsLimitAndErrors(t *testing.T) {
	st, got := fakeLogStore(t, `{"service.name":"a","hits":"3"}`)
	rows, err := st.LogRows(context.Background(), "* | stats by (service.name) count() hits", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["hits"] != "3" || (*got)[0].Get("limit") != "5" {
		t.Fatalf("rows %v, queries %v", rows, *got)
	}

	bad := st
	bad.CloudToken = "wrong"
	if _, err := bad.LogRows(context.Background(), "*", 0); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong token: err = %v, want a 401", err)
	}

	broken, _ := fakeLogStore(t, `{"_msg":`)
	if _, err := broken.Logs(context.Background(), "*", 0); err == nil {
		t.Error("a broken answer gave no error")
	}
}

func TestCloudLogsAll(t *testing.T) {
	st, got := fakeLogStore(t, line1)
	recs, err := st.CloudLogs()
	if err != nil || len(recs) != 1 || (*got)[0].Get("query") != "*" {
		t.Fatalf("CloudLogs: %v, %d records, queries %v", err, len(recs), *got)
	}
}

func TestTraceLogsCurl(t *testing.T) {
	st := Stack{LogStore: "http://127.0.0.1:19428", LogStoreUser: "200002", CloudToken: "secret"}
	c := st.TraceLogsCurl("abc")
	if strings.Contains(c, "secret") {
		t.Fatalf("the command line holds the token: %s", c)
	}
	if !strings.Contains(c, "trace_id%3A%3D%22abc%22") || !strings.HasPrefix(c, `curl -su "200002:`) {
		t.Fatalf("command %s", c)
	}
}

func TestFromEnvLogStore(t *testing.T) {
	t.Setenv("CLOUD_LOGS_URL", "")
	t.Setenv("GRAFANA_CLOUD_INSTANCE_ID", "")
	st := FromEnv()
	if st.LogStore != "http://127.0.0.1:19428" || st.LogStoreUser != "200002" {
		t.Fatalf("defaults: %q %q", st.LogStore, st.LogStoreUser)
	}
	t.Setenv("CLOUD_LOGS_URL", "http://x:1")
	t.Setenv("GRAFANA_CLOUD_INSTANCE_ID", "7")
	if st := FromEnv(); st.LogStore != "http://x:1" || st.LogStoreUser != "7" {
		t.Fatalf("from env: %q %q", st.LogStore, st.LogStoreUser)
	}
}

func TestSentBytes(t *testing.T) {
	f := map[string]string{"_msg": "hello", "_time": "2026-12-02T00:00:00Z", "_stream": "{a}", "_stream_id": "00", "service.name": "api", "trace_id": "ab"}
	if got, want := SentBytes(f), 5+8+len("service.name")+3+len("trace_id")+2; got != want {
		t.Fatalf("SentBytes = %d, want %d", got, want)
	}
}

func ExampleTraceLogsQuery() {
	fmt.Println(TraceLogsQuery("4bf92f3577b34da6a3ce929d0e0e4736"))
	// Output: trace_id:="4bf92f3577b34da6a3ce929d0e0e4736"
}

func ExampleStack_TraceLogsCurl() {
	st := Stack{LogStore: "http://127.0.0.1:19428", LogStoreUser: "200002"}
	fmt.Println(st.TraceLogsCurl("4bf92f3577b34da6a3ce929d0e0e4736"))
	// Output: curl -su "200002:${GRAFANA_CLOUD_API_KEY:-local-stack-token}" 'http://127.0.0.1:19428/select/logsql/query?query=trace_id%3A%3D%224bf92f3577b34da6a3ce929d0e0e4736%22'
}
