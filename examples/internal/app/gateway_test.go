package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// TestGatewayIsPublicForUntrustedCallers: an internet caller's trace
// context starts a new trace linked to it; the internal workload's is
// continued.
func TestGatewayIsPublicForUntrustedCallers(t *testing.T) {
	ctx := context.Background()
	kits := map[string]*telemetrytest.Kit{}
	chain, err := Start(ctx, Config{NewTelemetry: func(ctx context.Context, service string) (*telemetry.Telemetry, error) {
		k := telemetrytest.New(t, telemetry.WithService(service))
		kits[service] = k
		return k.Telemetry, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer chain.Close(ctx)

	const callerTrace = "0af7651916cd43dd8448eb211c80319c"
	send := func(token string) {
		req, _ := http.NewRequest(http.MethodGet, chain.Gateway.URL+"/v1/workflows", nil)
		req.Header.Set("traceparent", "00-"+callerTrace+"-b7ad6b7169203331-01")
		req.Header.Set("baggage", "user=eve")
		if token != "" {
			req.Header.Set(InternalTokenHeader, token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	send("")                  // from the internet
	send(chain.internalToken) // from the workload
	wl := chain.Workload(time.Second)
	if wl.InternalToken != chain.internalToken {
		t.Errorf("Chain.Workload does not carry the internal token")
	}

	var public, trusted int
	for _, s := range kits[Gateway].Spans() {
		if s.SpanKind.String() != "server" || !strings.HasPrefix(s.Name, "GET") {
			continue
		}
		switch {
		case s.SpanContext.TraceID().String() == callerTrace:
			trusted++
		case len(s.Links) == 1 && s.Links[0].SpanContext.TraceID().String() == callerTrace && !s.Parent.IsValid():
			public++
		default:
			t.Errorf("gateway span %q in trace %s, parent %v, links %v", s.Name, s.SpanContext.TraceID(), s.Parent, s.Links)
		}
	}
	if public != 1 || trusted != 1 {
		t.Errorf("public %d, trusted %d; want 1 and 1", public, trusted)
	}
}
