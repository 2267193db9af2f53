package stackquery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestExemplars(t *testing.T) {
	var gotQuery, gotStart, gotEnd string
	var authed bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query_exemplars" {
			http.NotFound(w, r)
			return
		}
		_, _, authed = r.BasicAuth()
		q := r.URL.Query()
		gotQuery, gotStart, gotEnd = q.Get("query"), q.Get("start"), q.Get("end")
		if gotQuery == "bad{" {
			fmt.Fprint(w, `{"status":"error","error":"parse error"}`)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":[{"seriesLabels":{"__name__":"http_request_duration_seconds_bucket","le":"0.025","service":"workflow-agent","endpoint":"/agents/{agent}/invoke"},
			"exemplars":[{"labels":{"span_id":"a49d0ee2f87e7dce","trace_id":"ef05184ada8f849e2a518a4fc93c18cb"},"value":"0.023467023","timestamp":1796172739.642}]}]}`)
	}))
	defer srv.Close()
	st := Stack{Prometheus: srv.URL, CloudPrometheus: srv.URL, CloudUser: "u", CloudToken: "t", Client: srv.Client()}
	start, end := time.Unix(1796172000, 0), time.Unix(1796172900, 500e6)

	ex, err := st.Exemplars(context.Background(), "http_request_duration_seconds_bucket", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if gotQuery != "http_request_duration_seconds_bucket" || gotStart != "1796172000.000" || gotEnd != "1796172900.500" || authed {
		t.Fatalf("sent query=%q start=%q end=%q auth=%v", gotQuery, gotStart, gotEnd, authed)
	}
	if len(ex) != 1 {
		t.Fatalf("%d exemplars", len(ex))
	}
	e := ex[0]
	if e.TraceID != "ef05184ada8f849e2a518a4fc93c18cb" || e.SpanID != "a49d0ee2f87e7dce" || e.Value != 0.023467023 ||
		e.Series["service"] != "workflow-agent" || e.Time.UnixMilli() != 1796172739642 {
		t.Fatalf("exemplar %+v", e)
	}

	if _, err := st.CloudExemplars(context.Background(), "x", start, end); err != nil || !authed {
		t.Fatalf("cloud: err %v, basic auth sent %v", err, authed)
	}
	if _, err := st.Exemplars(context.Background(), "bad{", start, end); err == nil {
		t.Fatal("an error answer gave no error")
	}
}
