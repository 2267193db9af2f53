package aihttp_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// With BodyErrorsFinal (openai-go, genai) a body cut half-way ends the
// call at once: no wait for a retry that the client never makes.
func TestBodyErrorsFinal(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithLatestSemconv(false))
	if err != nil {
		t.Fatal(err)
	}
	// A grace far longer than the test waits: only BodyErrorsFinal ends the call in time.
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 2, RetryGrace: time.Minute, BodyErrorsFinal: true})
	r := aihttp.Request{Request: ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"}}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/chat/completions", nil)
	a := tr.Begin(req, "call", 0, r)
	resp, _ := a.End(okResponse(&cutBody{data: []byte(`{"id":"chatcmpl`), err: io.ErrUnexpectedEOF}), nil, &testHandler)
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error changed: %v", err)
	}
	kit.Flush()
	spans := kit.Spans()
	if len(spans) != 1 {
		t.Fatalf("%d spans right after the broken body, want 1", len(spans))
	}
	s := spans[0]
	a2 := aitest.SpanAttrs(s)
	if s.Status.Code != codes.Error || a2[ailabels.ErrorTypeKey].AsString() != ailabels.ErrorTypeIncompleteResponse || a2[ailabels.AttemptsKey].AsInt64() != 1 {
		t.Errorf("span %v %v", s.Status, s.Attributes)
	}
	resp.Body.Close()
}

// A provider learned late (Attempt.SetProvider) is the one a failed call
// is recorded with.
func TestAttemptSetProvider(t *testing.T) {
	f := newFixture(t, 0)
	r := aihttp.Request{Request: ailabels.Request{Provider: ailabels.ProviderAnthropic, Model: "claude-sonnet-4-5"}}
	req, _ := http.NewRequest(http.MethodPost, "http://proxy.internal/v1/messages", nil)
	a := f.tr.Begin(req, nil, 0, r)
	a.SetProvider(ailabels.ProviderAWSBedrock)
	resp, _ := a.End(&http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`))}, nil, &testHandler)
	io.ReadAll(resp.Body)
	resp.Body.Close()
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	if got := aitest.SpanAttrs(s)[ailabels.GenAIProviderNameKey].AsString(); got != ailabels.ProviderAWSBedrock {
		t.Errorf("gen_ai.provider.name = %q", got)
	}
	if n := sum(t, f.kit, metrics.AIRequestsName, ailabels.ProviderKey.String(ailabels.ProviderAWSBedrock), ailabels.OutcomeKey.String(ailabels.OutcomeError)); n != 1 {
		t.Errorf("ai_requests_total{provider=aws.bedrock,outcome=error} = %v", n)
	}
	var nilAttempt *aihttp.Attempt
	nilAttempt.SetProvider("x")
	(&aihttp.Attempt{}).SetProvider("x")
}
