package aihttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestMain(m *testing.M) {
	if os.Getenv(floorServerEnv) != "" {
		serveFloor() // the child process of BenchmarkFloorLoopback
		return
	}
	goleak.VerifyTestMain(m)
}

// testHandler reads a small made-up provider format: JSON bodies
// {"id":..,"model":..,"in":N,"out":N,"finish":..} and SSE events whose data
// is the same JSON (usage only in events that have "in"), ending with
// [DONE]; errors {"error":{"type":..}}.
var testHandler = aihttp.Handler{
	JSON: func(body []byte, r *aihttp.Response) bool {
		return parseTest(body, r)
	},
	Event: func(name, data []byte, r *aihttp.Response) bool {
		if bytes.Equal(data, []byte("[DONE]")) {
			r.Done = true
			return false
		}
		if bytes.Equal(name, []byte("ping")) {
			return false
		}
		if bytes.Equal(name, []byte("error")) {
			r.ErrorType = field(data, "type")
			return false
		}
		parseTest(data, r)
		return true
	},
	ErrorType: func(_ int, body []byte) string { return field(body, "type") },
}

// field finds "key":"value" or "key":N in b without allocating.
func fieldBytes(b []byte, key string) []byte {
	k := `"` + key + `":`
	i := bytes.Index(b, []byte(k))
	if i < 0 {
		return nil
	}
	v := b[i+len(k):]
	if len(v) > 0 && v[0] == '"' {
		v = v[1:]
		if j := bytes.IndexByte(v, '"'); j >= 0 {
			return v[:j]
		}
		return nil
	}
	j := 0
	for j < len(v) && v[j] >= '0' && v[j] <= '9' {
		j++
	}
	return v[:j]
}

func field(b []byte, key string) string { return string(fieldBytes(b, key)) }

func parseTest(b []byte, r *aihttp.Response) bool {
	r.SetID(fieldBytes(b, "id"))
	r.SetModel(fieldBytes(b, "model"))
	r.SetFinishReason(0, fieldBytes(b, "finish"))
	if in := fieldBytes(b, "in"); in != nil {
		n, _ := strconv.Atoi(string(in))
		o, _ := strconv.Atoi(field(b, "out"))
		r.Usage = ailabels.Usage{InputTokens: int64(n), OutputTokens: int64(o)}
		r.HasUsage = true
	}
	if t := fieldBytes(b, "tool"); t != nil {
		r.AddToolCall([]byte("call_1"), t)
	}
	r.AppendCompletion(fieldBytes(b, "text"))
	return true
}

// client is a small retrying client in the manner of the Stainless ones:
// it sends X-Stainless-Retry-Count, closes a retriable response unread and
// tries again, reads the final error body.
type client struct {
	t          *testing.T
	tr         *aihttp.Tracker
	maxRetries int
	key        any
	stream     bool
	// perAttempt gives each attempt a context of its own, cancelled just
	// before the next attempt, as anthropic-sdk-go's per-attempt timeouts do.
	perAttempt bool
}

func (c *client) do(ctx context.Context, url string) (*http.Response, []byte, error) {
	var resp *http.Response
	var err error
	cancel := func() {}
	defer func() { cancel() }()
	for n := 0; ; n++ {
		actx := ctx
		cancel()
		if c.perAttempt {
			if n > 0 {
				time.Sleep(50 * time.Millisecond) // the cancellation is seen before the retry
			}
			actx, cancel = context.WithCancel(ctx)
			defer cancel() // (also cancelled before the next attempt, below)
		}
		req, _ := http.NewRequestWithContext(actx, http.MethodPost, url, strings.NewReader(`{"model":"gpt-4o"}`))
		req.Header.Set("X-Stainless-Retry-Count", strconv.Itoa(n))
		a := c.tr.Begin(req, c.key, n, aihttp.Request{
			Request: ailabels.Request{Operation: ailabels.OperationChat, Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"},
			Stream:  c.stream,
		})
		resp, err = http.DefaultClient.Do(req.WithContext(a.Context()))
		resp, err = a.End(resp, err, &testHandler)
		if n >= c.maxRetries || !aihttp.ShouldRetry(ctx, resp, err) {
			break
		}
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(time.Millisecond)
	}
	if err != nil {
		return nil, nil, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body, rerr
}

type fixture struct {
	kit *telemetrytest.Kit
	ai  *metrics.AI
	tr  *aihttp.Tracker
}

// newFixture's calls wait 10 s past the retry delay for their next
// attempt: a loaded machine does not split a call in two.
func newFixture(t *testing.T, maxRetries int, opts ...metrics.AIOption) *fixture {
	t.Helper()
	return newFixtureGrace(t, maxRetries, 10*time.Second, opts...)
}

// newFixtureGrace is newFixture with a grace of its own, for the tests
// that wait for a call to give up on its retry.
func newFixtureGrace(t *testing.T, maxRetries int, grace time.Duration, opts ...metrics.AIOption) *fixture {
	t.Helper()
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry, append([]metrics.AIOption{metrics.WithLatestSemconv(false)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: maxRetries, RetryGrace: grace})
	return &fixture{kit: kit, ai: ai, tr: tr}
}

// succeed makes c's call to url, which must succeed, and returns its span.
func (f *fixture) succeed(t *testing.T, c *client, url string) tracetest.SpanStub {
	t.Helper()
	if _, _, err := c.do(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	return aitest.WaitSpans(t, f.kit, 1)[0]
}

// rateLimitedOnce starts a server that answers its first request with a
// 429 (retry-after-ms 1, errBody its body) and every later one with a
// successful call's JSON. It is closed when the test ends.
func rateLimitedOnce(t *testing.T, errBody string) *httptest.Server {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("retry-after-ms", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, errBody)
			return
		}
		io.WriteString(w, `{"id":"x","model":"gpt-4o","in":10,"out":2}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sum(t *testing.T, kit *telemetrytest.Kit, name string, kvs ...attribute.KeyValue) float64 {
	t.Helper()
	kit.Flush()
	v, _ := kit.Sum(name, kvs...)
	return v
}

func TestJSONSuccess(t *testing.T) {
	const body = `{"id":"chatcmpl-1","model":"gpt-4o-2024-08-06","in":1200,"out":300,"finish":"stop","tool":"get_weather"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	f := newFixture(t, 2)
	c := &client{t: t, tr: f.tr, maxRetries: 2, key: "k"}
	resp, got, err := c.do(context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 200 || string(got) != body {
		t.Fatalf("do = %v, %q, %v", resp, got, err)
	}
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	a := aitest.SpanAttrs(s)
	if s.Name != "chat gpt-4o" || s.Status.Code == codes.Error {
		t.Errorf("span %q status %v", s.Name, s.Status)
	}
	for k, want := range map[attribute.Key]attribute.Value{
		ailabels.GenAIResponseIDKey:            attribute.StringValue("chatcmpl-1"),
		ailabels.GenAIResponseModelKey:         attribute.StringValue("gpt-4o-2024-08-06"),
		ailabels.GenAIUsageInputTokensKey:      attribute.Int64Value(1200),
		ailabels.GenAIUsageOutputTokensKey:     attribute.Int64Value(300),
		ailabels.GenAIResponseFinishReasonsKey: attribute.StringSliceValue([]string{"stop"}),
		ailabels.ResponseToolCallsKey:          attribute.StringSliceValue([]string{"get_weather"}),
		ailabels.AttemptsKey:                   attribute.IntValue(1),
		ailabels.ServerAddressKey:              attribute.StringValue("127.0.0.1"),
	} {
		if a[k] != want {
			t.Errorf("%s = %v, want %v", k, a[k].String(), want.String())
		}
	}
	if _, ok := a[ailabels.UsageMissingKey]; ok {
		t.Error("usage missing on a call with usage")
	}
	if v := sum(t, f.kit, metrics.AIRequestsName, ailabels.OutcomeKey.String("ok")); v != 1 {
		t.Errorf("ai_requests_total{ok} = %v", v)
	}
	if v := sum(t, f.kit, metrics.AITokensName, ailabels.TokenTypeKey.String("input")); v != 1200 {
		t.Errorf("input tokens = %v", v)
	}
	if v := sum(t, f.kit, metrics.AICostName); v <= 0 {
		t.Errorf("cost = %v", v)
	}
}

func TestRetryThenSuccessIsOneCall(t *testing.T) {
	srv := rateLimitedOnce(t, `{"error":{"type":"rate_limit_error"}}`)
	f := newFixture(t, 2)
	c := &client{t: t, tr: f.tr, maxRetries: 2, key: "k"}
	s := f.succeed(t, c, srv.URL)
	a := aitest.SpanAttrs(s)
	if a[ailabels.AttemptsKey].AsInt64() != 2 || a[ailabels.HTTPRequestResendCountKey].AsInt64() != 1 {
		t.Errorf("attempts %v resend %v", a[ailabels.AttemptsKey].String(), a[ailabels.HTTPRequestResendCountKey].String())
	}
	ev := aitest.AttemptEvent(t, s)
	if ev[ailabels.HTTPResponseStatusCodeKey].AsInt64() != 429 || ev[ailabels.ErrorTypeKey].AsString() != "429" {
		t.Errorf("attempt event %v", s.Events[0].Attributes)
	}
	if s.Status.Code == codes.Error {
		t.Error("a call that succeeded after a retry is marked failed")
	}
	if v := sum(t, f.kit, metrics.AIRequestsName); v != 1 {
		t.Errorf("ai_requests_total = %v, want 1", v)
	}
}

// TestRetryWithContextPerAttempt: the failed attempt's own context is
// cancelled before the retry starts; the retry still joins the call.
func TestRetryWithContextPerAttempt(t *testing.T) {
	srv := rateLimitedOnce(t, "")
	f := newFixture(t, 2)
	c := &client{t: t, tr: f.tr, maxRetries: 2, key: "k", perAttempt: true}
	s := f.succeed(t, c, srv.URL)
	if got := aitest.SpanAttrs(s)[ailabels.AttemptsKey].AsInt64(); got != 2 {
		t.Errorf("attempts %d, want 2 in one call", got)
	}
	time.Sleep(1500 * time.Millisecond) // past ctxGrace: nothing else is recorded
	if v := sum(t, f.kit, metrics.AIRequestsName); v != 1 {
		t.Errorf("ai_requests_total = %v, want 1", v)
	}
}

func TestFinalErrorUsesProviderType(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"type":"api_error"}}`)
	}))
	defer srv.Close()
	f := newFixture(t, 1)
	c := &client{t: t, tr: f.tr, maxRetries: 1, key: "k"}
	resp, body, err := c.do(context.Background(), srv.URL)
	if err != nil || resp.StatusCode != 500 || string(body) != `{"error":{"type":"api_error"}}` {
		t.Fatalf("do = %v %q %v", resp, body, err)
	}
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	a := aitest.SpanAttrs(s)
	if a[ailabels.ErrorTypeKey].AsString() != "api_error" || s.Status.Code != codes.Error {
		t.Errorf("error.type %v status %v", a[ailabels.ErrorTypeKey].String(), s.Status)
	}
	if len(s.Events) != 2 {
		t.Errorf("%d attempt events, want 2", len(s.Events))
	}
	if v := sum(t, f.kit, metrics.AIRequestsName, ailabels.OutcomeKey.String("error")); v != 1 {
		t.Errorf("ai_requests_total{error} = %v", v)
	}
	if v := sum(t, f.kit, metrics.AITokensName); v != 0 {
		t.Errorf("tokens %v for a failed call", v)
	}
}

func TestAbandonedRetryEndsAtTheFailedAttempt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("retry-after-ms", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := newFixtureGrace(t, 2, 100*time.Millisecond)
	// A client that gives up after the first attempt (its own budget is 0).
	c := &client{t: t, tr: f.tr, maxRetries: 0, key: "k"}
	before := time.Now()
	resp, _, _ := c.do(context.Background(), srv.URL)
	if resp.StatusCode != 503 {
		t.Fatal(resp.Status)
	}
	after := time.Now()
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	if s.EndTime.Before(before) || s.EndTime.After(after) {
		t.Errorf("span ended %v, want within the attempt (%v .. %v)", s.EndTime, before, after)
	}
	if aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].AsString() != "503" {
		t.Errorf("error.type %v", aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].String())
	}
}

func TestCancelWhileWaitingForRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("retry-after", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	f := newFixture(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	a := f.tr.Begin(req, "k", 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}})
	resp, err := http.DefaultClient.Do(req)
	resp, _ = a.End(resp, err, &testHandler)
	resp.Body.Close()
	if n := len(f.kit.Spans()); n != 0 {
		t.Fatalf("%d spans while the call waits for its retry (30 s)", n)
	}
	cancel()
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	if aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].AsString() != "429" {
		t.Errorf("error.type %v", aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].String())
	}
}

func TestConnectionErrorRetried(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // connection refused
	f := newFixture(t, 1)
	c := &client{t: t, tr: f.tr, maxRetries: 1, key: "k"}
	if _, _, err := c.do(context.Background(), url); err == nil {
		t.Fatal("no error from a closed server")
	}
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	a := aitest.SpanAttrs(s)
	if a[ailabels.ErrorTypeKey].AsString() != ailabels.ErrorTypeConnection || a[ailabels.AttemptsKey].AsInt64() != 2 {
		t.Errorf("error.type %v attempts %v", a[ailabels.ErrorTypeKey].String(), a[ailabels.AttemptsKey].String())
	}
}

// sseServer writes events, flushing each, with a pause before the first.
func sseServer(t *testing.T, firstDelay time.Duration, events ...string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		time.Sleep(firstDelay)
		for _, e := range events {
			io.WriteString(w, e)
			w.(http.Flusher).Flush()
		}
	}))
}

// streamCall makes one streaming call without retries to a server that
// sends events (sseServer), and returns its fixture and the call's span.
func streamCall(t *testing.T, events ...string) (*fixture, tracetest.SpanStub) {
	t.Helper()
	srv := sseServer(t, 0, events...)
	defer srv.Close()
	f := newFixture(t, 0)
	c := &client{t: t, tr: f.tr, key: "k", stream: true}
	return f, f.succeed(t, c, srv.URL)
}

func TestStreamWithUsage(t *testing.T) {
	events := []string{
		"event: ping\ndata: {}\n\n",
		`data: {"id":"c1","model":"gpt-4o-mini-2024-07-18","text":"Hel"}` + "\n\n",
		`data: {"id":"c1","model":"gpt-4o-mini-2024-07-18","text":"lo","finish":"stop"}` + "\r\n\r\n",
		`data: {"id":"c1","model":"gpt-4o-mini-2024-07-18","in":50,"out":7}` + "\n\n",
		"data: [DONE]\n\n",
	}
	srv := sseServer(t, 20*time.Millisecond, events...)
	defer srv.Close()
	f := newFixture(t, 2, metrics.WithSemconvHistograms(), metrics.WithContentCapture())
	c := &client{t: t, tr: f.tr, maxRetries: 2, key: "k", stream: true}
	_, body, err := c.do(context.Background(), srv.URL)
	if err != nil || string(body) != strings.Join(events, "") {
		t.Fatalf("body %q, %v", body, err)
	}
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	a := aitest.SpanAttrs(s)
	if ttfc := a[ailabels.GenAIResponseTimeToFirstChunkKey].AsFloat64(); ttfc < 0.02 {
		t.Errorf("time to first chunk %v, want >= 20ms", ttfc)
	}
	if a[ailabels.StreamChunksKey].AsInt64() != 3 || a[ailabels.GenAIUsageInputTokensKey].AsInt64() != 50 ||
		a[ailabels.GenAIRequestStreamKey].AsBool() != true || a[ailabels.StreamEndKey].AsString() != ailabels.StreamEndEOF {
		t.Errorf("span attributes %v", s.Attributes)
	}
	if !strings.Contains(a[ailabels.GenAIOutputMessagesKey].AsString(), "Hello") {
		t.Errorf("output messages %v", a[ailabels.GenAIOutputMessagesKey].String())
	}
	f.kit.Flush()
	for _, name := range []string{metrics.GenAITimeToFirstChunkName, metrics.GenAITimePerOutputChunkName} {
		m, ok := f.kit.Metric(name)
		if !ok {
			t.Errorf("%s not recorded", name)
			continue
		}
		_ = m
	}
	if v := sum(t, f.kit, metrics.AITokensName, ailabels.TokenTypeKey.String("output")); v != 7 {
		t.Errorf("output tokens %v", v)
	}
}

func TestStreamWithoutUsage(t *testing.T) {
	f, s := streamCall(t, `data: {"id":"c1","model":"gpt-4o","text":"hi"}`+"\n\n", "data: [DONE]\n\n")
	a := aitest.SpanAttrs(s)
	if !a[ailabels.UsageMissingKey].AsBool() {
		t.Error("no ai.usage.missing")
	}
	if _, ok := a[ailabels.GenAIUsageInputTokensKey]; ok {
		t.Error("zero tokens recorded for a stream without usage")
	}
	if v := sum(t, f.kit, metrics.AIUsageMissingName); v != 1 {
		t.Errorf("ai_usage_missing_total = %v", v)
	}
	if v := sum(t, f.kit, metrics.AIRequestsName, ailabels.OutcomeKey.String("ok")); v != 1 {
		t.Errorf("ai_requests_total{ok} = %v", v)
	}
}

func TestEmptyStream(t *testing.T) {
	srv := sseServer(t, 0)
	defer srv.Close()
	f := newFixture(t, 0)
	c := &client{t: t, tr: f.tr, key: "k", stream: true}
	_, body, err := c.do(context.Background(), srv.URL)
	if err != nil || len(body) != 0 {
		t.Fatal(body, err)
	}
	a := aitest.SpanAttrs(aitest.WaitSpans(t, f.kit, 1)[0])
	if !a[ailabels.UsageMissingKey].AsBool() || a[ailabels.StreamChunksKey].Type() != attribute.EMPTY {
		t.Errorf("attributes %v", a)
	}
}

// stalledStream starts a server whose stream sends one event and then
// waits for the client to go. It is closed when the test ends.
func stalledStream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"id":"c1","model":"gpt-4o","text":"hi"}`+"\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStreamClosedHalfWay(t *testing.T) {
	srv := stalledStream(t)
	f := newFixture(t, 0)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	a := f.tr.Begin(req, "k", 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}, Stream: true})
	resp, err := http.DefaultClient.Do(req)
	resp, _ = a.End(resp, err, &testHandler)
	buf := make([]byte, 10)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	a2 := aitest.SpanAttrs(s)
	if a2[ailabels.ErrorTypeKey].AsString() != ailabels.ErrorTypeCanceled || a2[ailabels.StreamEndKey].AsString() != ailabels.StreamEndClose {
		t.Errorf("attributes %v", s.Attributes)
	}
	if fr := a2[ailabels.GenAIResponseFinishReasonsKey].AsStringSlice(); len(fr) != 1 || fr[0] != "error" {
		t.Errorf("finish reasons %v", fr)
	}
	srv.CloseClientConnections()
}

func TestStreamContextCancelled(t *testing.T) {
	srv := stalledStream(t)
	f := newFixture(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	c := &client{t: t, tr: f.tr, key: "k", stream: true}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, _, err := c.do(ctx, srv.URL)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	a := aitest.SpanAttrs(aitest.WaitSpans(t, f.kit, 1)[0])
	if a[ailabels.ErrorTypeKey].AsString() != ailabels.ErrorTypeCanceled {
		t.Errorf("error.type %v", a[ailabels.ErrorTypeKey].String())
	}
}

func TestStreamErrorEvent(t *testing.T) {
	_, s := streamCall(t, `data: {"id":"c1","model":"gpt-4o","text":"hi"}`+"\n\n", "event: error\ndata: {\"type\":\"overloaded_error\"}\n\n")
	if aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].AsString() != "overloaded_error" || s.Status.Code != codes.Error {
		t.Errorf("span %v %v", s.Status, s.Attributes)
	}
}

func TestHandlerPanicIsContained(t *testing.T) {
	srv := sseServer(t, 0, "data: boom\n\n", "data: [DONE]\n\n")
	defer srv.Close()
	f := newFixture(t, 0)
	h := aihttp.Handler{Event: func(name, data []byte, r *aihttp.Response) bool {
		if string(data) == "boom" {
			panic("malformed")
		}
		r.Done = true
		return false
	}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	a := f.tr.Begin(req, nil, 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}, Stream: true})
	resp, err := http.DefaultClient.Do(req)
	resp, _ = a.End(resp, err, &h)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "data: boom\n\ndata: [DONE]\n\n" {
		t.Fatalf("%q %v", body, err)
	}
	aitest.WaitSpans(t, f.kit, 1)
}

func TestPassThroughWithoutAI(t *testing.T) {
	tr := aihttp.NewTracker(aihttp.Config{})
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	a := tr.Begin(req, "k", 0, aihttp.Request{})
	body := io.NopCloser(strings.NewReader("x"))
	resp := &http.Response{StatusCode: 200, Body: body}
	got, err := a.End(resp, nil, &testHandler)
	if got != resp || got.Body != body || err != nil {
		t.Error("a Tracker without AI changed the response")
	}
	if a.Context() == nil || a.Call() != nil {
		t.Error("pass-through attempt")
	}
	var nilT *aihttp.Tracker
	if nilT.Begin(req, "k", 0, aihttp.Request{}) == nil {
		t.Error("nil Tracker gave a nil Attempt")
	}
	wantErr := fmt.Errorf("x")
	if _, err := a.End(nil, wantErr, nil); err != wantErr {
		t.Error("error changed")
	}
}

type rwBody struct{ io.Reader }

func (rwBody) Write(p []byte) (int, error) { return len(p), nil }
func (rwBody) Close() error                { return nil }

// A read-write body (101 Switching Protocols) is passed through as it is.
func TestReadWriteBodyUntouched(t *testing.T) {
	f := newFixture(t, 0)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	a := f.tr.Begin(req, nil, 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}})
	body := rwBody{strings.NewReader("")}
	resp, _ := a.End(&http.Response{StatusCode: http.StatusSwitchingProtocols, Body: body}, nil, &testHandler)
	if resp.Body != io.ReadCloser(body) {
		t.Error("read-write body wrapped")
	}
	aitest.WaitSpans(t, f.kit, 1)
}

// cutBody returns part of a body, then an error.
type cutBody struct {
	data []byte
	err  error
}

func (b *cutBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, b.err
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func (b *cutBody) Close() error { return nil }

func okResponse(body io.ReadCloser) *http.Response {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// A JSON body cut half-way is a failed attempt; a retry (anthropic-sdk-go
// does one) joins the call.
func TestCutBodyRetried(t *testing.T) {
	f := newFixture(t, 2)
	r := aihttp.Request{Request: ailabels.Request{Provider: "anthropic", Model: "claude-sonnet-4-5"}}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/v1/messages", nil)
	a := f.tr.Begin(req, "call", -1, r)
	resp, _ := a.End(okResponse(&cutBody{data: []byte(`{"id":"msg`), err: io.ErrUnexpectedEOF}), nil, &testHandler)
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error changed: %v", err)
	}
	resp.Body.Close()
	a = f.tr.Begin(req, "call", -1, r)
	if a.Number() != 1 {
		t.Errorf("attempt number %d, want 1", a.Number())
	}
	resp, _ = a.End(okResponse(io.NopCloser(strings.NewReader(`{"id":"msg_1","model":"claude-sonnet-4-5-20250929","in":5,"out":1}`))), nil, &testHandler)
	io.ReadAll(resp.Body)
	resp.Body.Close()
	s := aitest.WaitSpans(t, f.kit, 1)[0]
	a2 := aitest.SpanAttrs(s)
	if a2[ailabels.AttemptsKey].AsInt64() != 2 || s.Status.Code == codes.Error || len(s.Events) != 1 {
		t.Errorf("span %v %v events %v", s.Status, s.Attributes, s.Events)
	}
	ev := s.Events[0].Attributes
	if fmt.Sprint(ev) == "" || !strings.Contains(fmt.Sprint(ev), "incomplete_response") {
		t.Errorf("attempt event %v", ev)
	}
}

// A body larger than MaxBodyBytes is passed through whole, and not parsed.
func TestOversizeBody(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, _ := metrics.NewAI(kit.Telemetry)
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxBodyBytes: 100})
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/", nil)
	a := tr.Begin(req, nil, 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}})
	big := `{"id":"x","in":1,"out":1,"pad":"` + strings.Repeat("p", 1000) + `"}`
	resp, _ := a.End(okResponse(io.NopCloser(strings.NewReader(big))), nil, &testHandler)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != big {
		t.Fatal("body changed")
	}
	kit.Flush()
	a2 := aitest.SpanAttrs(kit.Spans()[0])
	if !a2[ailabels.ResponseOversizeKey].AsBool() || !a2[ailabels.UsageMissingKey].AsBool() {
		t.Errorf("attributes %v", a2)
	}
}

// Keys that cannot be compared do not panic; nil keys never join.
func TestOddKeys(t *testing.T) {
	f := newFixture(t, 2)
	r := aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/", nil)
	for _, key := range []any{[]byte("slice"), nil, map[string]int{}} {
		a := f.tr.Begin(req, key, 0, r)
		resp, _ := a.End(&http.Response{StatusCode: 503, Header: http.Header{"Retry-After-Ms": {"1"}}, Body: http.NoBody}, nil, &testHandler)
		resp.Body.Close()
		a = f.tr.Begin(req, key, 1, r)
		resp, _ = a.End(okResponse(io.NopCloser(strings.NewReader(`{"in":1,"out":1}`))), nil, &testHandler)
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	aitest.WaitSpans(t, f.kit, 6) // no key joins: two calls each
}

// Many concurrent calls with retries, under the race detector.
func TestConcurrentCalls(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%3 == 0 {
			w.Header().Set("retry-after-ms", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if r.URL.Query().Get("stream") != "" {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, `data: {"model":"gpt-4o","text":"a"}`+"\n\n"+`data: {"in":3,"out":1}`+"\n\ndata: [DONE]\n\n")
			return
		}
		io.WriteString(w, `{"model":"gpt-4o","in":3,"out":1}`)
	}))
	defer srv.Close()
	f := newFixture(t, 3)
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			c := &client{t: t, tr: f.tr, maxRetries: 3, key: i, stream: i%2 == 0}
			url := srv.URL
			if c.stream {
				url += "?stream=1"
			}
			_, _, err := c.do(context.Background(), url)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	aitest.WaitSpans(t, f.kit, n)
	if v := sum(t, f.kit, metrics.AIRequestsName); v != n {
		t.Errorf("ai_requests_total %v, want %d", v, n)
	}
}

// A failed attempt whose body nobody reads or closes still gets its event.
func TestUnclosedErrorBody(t *testing.T) {
	f := newFixtureGrace(t, 0, 100*time.Millisecond)
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/", nil)
	a := f.tr.Begin(req, "k", 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}})
	_, _ = a.End(&http.Response{StatusCode: 401, Body: http.NoBody}, nil, &testHandler)
	s := aitest.WaitSpans(t, f.kit, 1)[0] // after the grace
	if aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].AsString() != "401" || len(s.Events) != 1 {
		t.Errorf("error.type %v events %v", aitest.SpanAttrs(s)[ailabels.ErrorTypeKey], s.Events)
	}
}

// Config.ShouldRetry and RetryDelay replace the Stainless rules (genai
// retries its own list of statuses, after its own delays).
func TestCustomRetryRules(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, _ := metrics.NewAI(kit.Telemetry)
	var delays atomic.Int32
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 1, RetryGrace: 10 * time.Second,
		ShouldRetry: func(_ context.Context, resp *http.Response, err error) bool {
			return resp != nil && resp.StatusCode == 400
		},
		RetryDelay: func(*http.Response, int) time.Duration { delays.Add(1); return time.Millisecond },
	})
	r := aihttp.Request{Request: ailabels.Request{Provider: ailabels.ProviderGCPGemini, Model: "gemini-2.5-flash"}}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/", nil)
	a := tr.Begin(req, "k", -1, r)
	resp, _ := a.End(&http.Response{StatusCode: 400, Body: http.NoBody}, nil, &testHandler)
	resp.Body.Close()
	a = tr.Begin(req, "k", -1, r)
	resp, _ = a.End(okResponse(io.NopCloser(strings.NewReader(`{"in":1,"out":1}`))), nil, &testHandler)
	io.ReadAll(resp.Body)
	resp.Body.Close()
	s := aitest.WaitSpans(t, kit, 1)[0]
	if aitest.SpanAttrs(s)[ailabels.AttemptsKey].AsInt64() != 2 || delays.Load() != 1 {
		t.Errorf("attempts %v, delays asked %d", aitest.SpanAttrs(s)[ailabels.AttemptsKey], delays.Load())
	}
	// A 429, which this client does not retry, ends its call at once.
	a = tr.Begin(req, "k2", -1, r)
	resp, _ = a.End(&http.Response{StatusCode: 429, Body: http.NoBody}, nil, &testHandler)
	resp.Body.Close()
	aitest.WaitSpans(t, kit, 2)
}

// A request whose context is already done when the response comes: the
// body's context callback runs at once, in another goroutine (a race
// openaitel's TestTimeout found).
func TestContextDoneBeforeEnd(t *testing.T) {
	f := newFixture(t, 0)
	for _, ct := range []string{"text/event-stream", "application/json"} {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:9/", nil)
		a := f.tr.Begin(req, nil, 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}})
		cancel()
		resp, _ := a.End(&http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {ct}},
			Body: io.NopCloser(strings.NewReader("data: x\n\n"))}, nil, &testHandler)
		io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	// Whichever comes first, the callback (canceled) or the caller's read to
	// the end (success), records the call, once.
	for _, s := range aitest.WaitSpans(t, f.kit, 2) {
		if et := aitest.SpanAttrs(s)[ailabels.ErrorTypeKey].AsString(); et != "" && et != ailabels.ErrorTypeCanceled {
			t.Errorf("error.type %v", et)
		}
	}
}
