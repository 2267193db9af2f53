package middleware_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/middleware"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// hop is one service of the chain: its own Telemetry, server and client.
type hop struct {
	kit    *telemetrytest.Kit
	srv    *httptest.Server
	client *http.Client
}

func newHop(t *testing.T, service, pattern string, next *hop) *hop {
	h := &hop{kit: telemetrytest.New(t, telemetry.WithService(service))}
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	h.client = &http.Client{Transport: middleware.Transport(h.kit.Telemetry, base)}
	mux := http.NewServeMux()
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if next == nil {
			_, _ = io.WriteString(w, "done")
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), "POST", next.srv.URL+"/call/42?user=someone", nil)
		resp, err := h.client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer func() { _ = resp.Body.Close() }()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
	h.srv = httptest.NewServer(middleware.New(h.kit.Telemetry)(mux))
	t.Cleanup(h.srv.Close)
	return h
}

func spansOfKind(spans tracetest.SpanStubs, k trace.SpanKind) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range spans {
		if s.SpanKind == k {
			out = append(out, s)
		}
	}
	return out
}

// TestThreeHopTrace runs api-gateway -> workflow-engine -> workflow-agent
// on three loopback servers, each with its own Telemetry, and checks that
// the five spans form one trace with the right parents.
func TestThreeHopTrace(t *testing.T) {
	agent := newHop(t, "workflow-agent", "POST /call/{id}", nil)
	engine := newHop(t, "workflow-engine", "POST /call/{id}", agent)
	gateway := newHop(t, "api-gateway", "GET /api/workflows", engine)

	resp, err := http.Get(gateway.srv.URL + "/api/workflows")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != 200 || string(body) != "done" {
		t.Fatalf("chain answered %d %q", resp.StatusCode, body)
	}

	var gw, en, ag tracetest.SpanStubs
	waitFor(t, func() bool {
		gw, en, ag = gateway.kit.Spans(), engine.kit.Spans(), agent.kit.Spans()
		return len(gw) == 2 && len(en) == 2 && len(ag) == 1
	})
	gwServer, gwClient := spansOfKind(gw, trace.SpanKindServer)[0], spansOfKind(gw, trace.SpanKindClient)[0]
	enServer, enClient := spansOfKind(en, trace.SpanKindServer)[0], spansOfKind(en, trace.SpanKindClient)[0]
	agServer := spansOfKind(ag, trace.SpanKindServer)[0]

	tid := gwServer.SpanContext.TraceID()
	for _, s := range []tracetest.SpanStub{gwClient, enServer, enClient, agServer} {
		if s.SpanContext.TraceID() != tid {
			t.Errorf("span %q has trace id %s, want %s", s.Name, s.SpanContext.TraceID(), tid)
		}
	}
	if gwServer.Parent.IsValid() {
		t.Errorf("gateway server span has a parent: %v", gwServer.Parent)
	}
	for _, link := range []struct {
		name          string
		child, parent tracetest.SpanStub
		remote        bool
	}{
		{"gateway client <- gateway server", gwClient, gwServer, false},
		{"engine server <- gateway client", enServer, gwClient, true},
		{"engine client <- engine server", enClient, enServer, false},
		{"agent server <- engine client", agServer, enClient, true},
	} {
		if link.child.Parent.SpanID() != link.parent.SpanContext.SpanID() || link.child.Parent.IsRemote() != link.remote {
			t.Errorf("%s: parent %s (remote %v), want %s (remote %v)", link.name,
				link.child.Parent.SpanID(), link.child.Parent.IsRemote(), link.parent.SpanContext.SpanID(), link.remote)
		}
	}
	if gwServer.Name != "GET /api/workflows" || enServer.Name != "POST /call/{id}" || gwClient.Name != "POST" {
		t.Errorf("span names %q %q %q", gwServer.Name, enServer.Name, gwClient.Name)
	}
	if v, _ := attr(gwClient, "http.response.status_code"); v.AsInt64() != 200 {
		t.Errorf("client span status code = %d", v.AsInt64())
	}
	if v, _ := attr(gwClient, "server.address"); v.AsString() != "127.0.0.1" {
		t.Errorf("client span server.address = %q", v.AsString())
	}
	if got := requests(t, engine.kit, "POST", "/call/{id}", "200"); got != 1 {
		t.Errorf("engine http_requests_total = %v, want 1", got)
	}
}

func TestTransportLeavesCallerRequestAlone(t *testing.T) {
	kit := telemetrytest.New(t)
	var seen http.Header
	rt := middleware.Transport(kit.Telemetry, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.Header
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: http.NoBody, Request: r}, nil
	}))
	r := httptest.NewRequest("GET", "http://example.test/x", nil)
	r.RequestURI = ""
	resp, err := rt.RoundTrip(r)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if r.Header.Get("Traceparent") != "" {
		t.Error("the caller's request was modified")
	}
	if seen.Get("Traceparent") == "" {
		t.Error("no traceparent sent")
	}
	s := onlySpan(t, kit)
	if s.SpanKind != trace.SpanKindClient || s.Status.Code != codes.Error {
		t.Errorf("span kind %v status %v, want client error for a 503", s.SpanKind, s.Status.Code)
	}
}

func TestTransportError(t *testing.T) {
	kit := telemetrytest.New(t)
	rt := middleware.Transport(kit.Telemetry, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, context.DeadlineExceeded
	}))
	r, _ := http.NewRequest("GET", "http://example.test/x", nil)
	if _, err := rt.RoundTrip(r); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	s := onlySpan(t, kit)
	if v, _ := attr(s, "error.type"); v.AsString() != "timeout" || s.Status.Code != codes.Error {
		t.Errorf("error.type = %q, status %v", v.AsString(), s.Status.Code)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
