package otlptest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	grpcgzip "google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/starmates-ai-team/telemetry/internal/otlptest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// gRPC's resolver goroutine may outlive a closed client by a moment.
		goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
	)
}

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func traceRequest(name string) *coltracepb.ExportTraceServiceRequest {
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "svc")}},
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: &commonpb.InstrumentationScope{Name: "scope"},
			Spans: []*tracepb.Span{{
				Name:       name,
				TraceId:    bytes.Repeat([]byte{0xab}, 16),
				SpanId:     bytes.Repeat([]byte{0xcd}, 8),
				Attributes: []*commonpb.KeyValue{str("k", "v"), {Key: "n", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 7}}}},
				Events:     []*tracepb.Span_Event{{Name: "ev", Attributes: []*commonpb.KeyValue{str("ek", "ev")}}},
			}},
		}},
	}}}
}

func metricsRequest(name string) *colmetricspb.ExportMetricsServiceRequest {
	return &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "svc")}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: name,
			Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{
				AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA,
				IsMonotonic:            true,
				DataPoints: []*metricspb.NumberDataPoint{{
					Attributes: []*commonpb.KeyValue{str("environment", "dev")},
					Value:      &metricspb.NumberDataPoint_AsInt{AsInt: 1},
					Exemplars:  []*metricspb.Exemplar{{Value: &metricspb.Exemplar_AsInt{AsInt: 1}}},
				}},
			}},
		}}}},
	}}}
}

func logsRequest(body string) *collogspb.ExportLogsServiceRequest {
	return &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "svc")}},
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{{
			Body:       &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: body}},
			Attributes: []*commonpb.KeyValue{str("lk", "lv")},
		}}}},
	}}}
}

// httpClient posts protobuf bodies; its idle connections are closed at
// the end of the test.
func httpClient(t *testing.T, cfg *tls.Config) *http.Client {
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

func post(c *http.Client, url string, m proto.Message, compress bool, header ...string) (int, error) {
	body, err := proto.Marshal(m)
	if err != nil {
		return 0, err
	}
	if compress {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = b.Bytes()
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if compress {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func grpcConn(t *testing.T, addr string, cfg *tls.Config) *grpc.ClientConn {
	t.Helper()
	creds := insecure.NewCredentials()
	if cfg != nil {
		creds = credentials.NewTLS(cfg)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestHTTP(t *testing.T) {
	r := otlptest.Start(t, otlptest.WithHTTPPath("/custom/t", otlptest.Traces))
	c := httpClient(t, nil)
	base := "http://" + r.HTTPAddr()

	for _, tc := range []struct {
		path string
		msg  proto.Message
		gzip bool
		code int
	}{
		{"/v1/traces", traceRequest("plain-span"), false, 200},
		{"/v1/metrics", metricsRequest("gz.metric"), true, 200},
		{"/v1/logs", logsRequest("a log"), false, 200},
		{"/custom/t", traceRequest("custom-span"), true, 200},
		{"/nowhere", traceRequest("lost"), false, 404},
	} {
		code, err := post(c, base+tc.path, tc.msg, tc.gzip, "X-Test", "yes")
		if err != nil || code != tc.code {
			t.Fatalf("POST %s: %d, %v; want %d", tc.path, code, err, tc.code)
		}
	}
	reqs, err := r.WaitFor(waitCtx(t), func(q []otlptest.Request) bool { return len(q) == 5 })
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sig  otlptest.Signal
		path string
		gzip bool
		err  bool
	}{
		{otlptest.Traces, "/v1/traces", false, false},
		{otlptest.Metrics, "/v1/metrics", true, false},
		{otlptest.Logs, "/v1/logs", false, false},
		{otlptest.Traces, "/custom/t", true, false},
		{"", "/nowhere", false, true},
	}
	for i, w := range want {
		q := reqs[i]
		if q.Signal != w.sig || q.Path != w.path || q.Gzip != w.gzip || (q.Err != "") != w.err || q.Protocol != otlptest.HTTP || q.TLS {
			t.Errorf("request %d = %+v; want %+v", i, q, w)
		}
		if q.HeaderValue("x-test") != "yes" {
			t.Errorf("request %d header X-Test = %q", i, q.HeaderValue("x-test"))
		}
	}
	if s := reqs[0].Spans; len(s) != 1 || s[0].Name != "plain-span" || s[0].TraceID != "abababababababababababababababab" ||
		s[0].Attrs["k"] != "v" || s[0].Attrs["n"] != "7" || s[0].Resource["service.name"] != "svc" || s[0].Scope != "scope" ||
		len(s[0].Events) != 1 || s[0].Events[0].Attrs["ek"] != "ev" {
		t.Errorf("spans = %+v", s)
	}
	if m := reqs[1].Metrics; len(m) != 1 || m[0].Name != "gz.metric" || m[0].Type != "sum" || m[0].Temporality != "DELTA" ||
		len(m[0].Points) != 1 || m[0].Points[0].Attrs["environment"] != "dev" || m[0].Points[0].Exemplars != 1 {
		t.Errorf("metrics = %+v", m)
	}
	if l := reqs[2].Logs; len(l) != 1 || l[0].Body != "a log" || l[0].Attrs["lk"] != "lv" {
		t.Errorf("logs = %+v", l)
	}
	if got := len(otlptest.AllSpans(otlptest.Of(reqs, otlptest.Traces))); got != 2 {
		t.Errorf("trace spans = %d; want 2", got)
	}

	// JSON is not decoded: the request is recorded with an error.
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/traces", bytes.NewReader([]byte("{}")))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("JSON: status %d", resp.StatusCode)
	}
	if q := r.Requests(); len(q) != 6 || q[5].Err == "" {
		t.Errorf("JSON request not recorded with an error: %+v", q[len(q)-1])
	}
}

func TestGRPC(t *testing.T) {
	r := otlptest.Start(t)
	conn := grpcConn(t, r.GRPCAddr(), nil)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "X-Test", "yes")
	if _, err := coltracepb.NewTraceServiceClient(conn).Export(ctx, traceRequest("grpc-span")); err != nil {
		t.Fatal(err)
	}
	if _, err := colmetricspb.NewMetricsServiceClient(conn).Export(ctx, metricsRequest("grpc.metric"), grpc.UseCompressor(grpcgzip.Name)); err != nil {
		t.Fatal(err)
	}
	if _, err := collogspb.NewLogsServiceClient(conn).Export(ctx, logsRequest("grpc log")); err != nil {
		t.Fatal(err)
	}
	reqs, err := r.WaitForSignals(waitCtx(t), otlptest.Traces, otlptest.Metrics, otlptest.Logs)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, w := range []struct {
		sig    otlptest.Signal
		method string
		gzip   bool
	}{
		{otlptest.Traces, "/opentelemetry.proto.collector.trace.v1.TraceService/Export", false},
		{otlptest.Metrics, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", true},
		{otlptest.Logs, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", false},
	} {
		q := reqs[i]
		if q.Signal != w.sig || q.Path != w.method || q.Gzip != w.gzip || q.Protocol != otlptest.GRPC || q.TLS || q.Err != "" {
			t.Errorf("request %d = %+v; want %+v", i, q, w)
		}
		if q.HeaderValue("X-Test") != "yes" {
			t.Errorf("request %d metadata x-test = %q", i, q.HeaderValue("x-test"))
		}
	}
	if s := otlptest.AllSpans(reqs); len(s) != 1 || s[0].Name != "grpc-span" {
		t.Errorf("spans = %+v", s)
	}
	if m := otlptest.AllMetrics(reqs); len(m) != 1 || m[0].Name != "grpc.metric" {
		t.Errorf("metrics = %+v", m)
	}
	if l := otlptest.AllLogs(reqs); len(l) != 1 || l[0].Body != "grpc log" {
		t.Errorf("logs = %+v", l)
	}
}

func TestTLS(t *testing.T) {
	certs := otlptest.NewCerts(t)
	other := otlptest.NewCerts(t)
	for _, tc := range []struct {
		name       string
		mtls       bool
		client     *tls.Config
		ok         bool
		clientCert string
	}{
		{"TLS, no client cert", false, certs.ClientTLS(false), true, ""},
		{"TLS, client cert recorded", false, certs.ClientTLS(true), true, certs.ClientSubject},
		{"TLS, client does not trust the CA", false, other.ClientTLS(false), false, ""},
		{"mTLS, client cert", true, certs.ClientTLS(true), true, certs.ClientSubject},
		{"mTLS, no client cert", true, certs.ClientTLS(false), false, ""},
		{"mTLS, client cert of another CA", true, &tls.Config{RootCAs: certs.CAPool, Certificates: []tls.Certificate{other.ClientCert}}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := otlptest.WithTLS(certs)
			if tc.mtls {
				opt = otlptest.WithMTLS(certs)
			}
			r := otlptest.Start(t, opt)

			code, err := post(httpClient(t, tc.client), "https://"+r.HTTPAddr()+"/v1/traces", traceRequest("https-span"), false)
			if tc.ok && (err != nil || code != 200) {
				t.Errorf("HTTPS: %d, %v", code, err)
			}
			if !tc.ok && err == nil {
				t.Errorf("HTTPS: succeeded with %d; want a TLS failure", code)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err = coltracepb.NewTraceServiceClient(grpcConn(t, r.GRPCAddr(), tc.client)).Export(ctx, traceRequest("grpcs-span"))
			if tc.ok != (err == nil) {
				t.Errorf("gRPC over TLS: err = %v; want ok = %v", err, tc.ok)
			}

			reqs := r.Requests()
			if !tc.ok {
				if len(reqs) != 0 {
					t.Errorf("recorded %d requests through a failed handshake", len(reqs))
				}
				return
			}
			if len(reqs) != 2 {
				t.Fatalf("%d requests; want 2", len(reqs))
			}
			for _, q := range reqs {
				if !q.TLS || q.ClientCert != tc.clientCert {
					t.Errorf("%s request: TLS %v, client cert %q; want true, %q", q.Protocol, q.TLS, q.ClientCert, tc.clientCert)
				}
			}
		})
	}
}

// TestSDKExporters checks the receiver against the OpenTelemetry
// exporters themselves, over mutual TLS.
func TestSDKExporters(t *testing.T) {
	certs := otlptest.NewCerts(t)
	r := otlptest.Start(t, otlptest.WithMTLS(certs))
	ctx := context.Background()
	res := resource.NewSchemaless(attribute.String("service.name", "sdk-test"))

	te, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(r.GRPCAddr()),
		otlptracegrpc.WithTLSCredentials(credentials.NewTLS(certs.ClientTLS(true))), otlptracegrpc.WithCompressor("gzip"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSyncer(te))
	_, span := tp.Tracer("t").Start(ctx, "sdk-span")
	span.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	tr := &http.Transport{TLSClientConfig: certs.ClientTLS(true)}
	defer tr.CloseIdleConnections()
	he, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL("https://"+r.HTTPAddr()+"/v1/traces"),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: tr}), otlptracehttp.WithHeaders(map[string]string{"X-Key": "k1"}))
	if err != nil {
		t.Fatal(err)
	}
	tp = sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSyncer(he))
	_, span = tp.Tracer("t").Start(ctx, "sdk-http-span")
	span.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	me, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(r.GRPCAddr()),
		otlpmetricgrpc.WithTLSCredentials(credentials.NewTLS(certs.ClientTLS(true))))
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(sdkmetric.NewPeriodicReader(me)))
	cnt, _ := mp.Meter("m").Int64Counter("sdk.counter")
	cnt.Add(ctx, 3)
	if err := mp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	le, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(r.HTTPAddr()),
		otlploghttp.WithHTTPClient(&http.Client{Transport: tr}), otlploghttp.WithCompression(otlploghttp.GzipCompression))
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewSimpleProcessor(le)))
	var rec otellog.Record
	rec.SetBody(attribute.StringValue("sdk log"))
	rec.AddAttributes(attribute.String("lk", "lv"))
	lp.Logger("l").Emit(ctx, rec)
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	reqs, err := r.WaitFor(waitCtx(t), func(q []otlptest.Request) bool {
		return len(otlptest.AllSpans(q)) == 2 && len(otlptest.AllLogs(q)) == 1 &&
			slices.ContainsFunc(otlptest.AllMetrics(q), func(m otlptest.Metric) bool { return m.Name == "sdk.counter" })
	})
	if err != nil {
		t.Fatalf("%v: %+v", err, reqs)
	}
	for _, q := range reqs {
		if q.ClientCert != certs.ClientSubject || !q.TLS || q.Err != "" {
			t.Errorf("%s %s: TLS %v, client %q, err %q", q.Protocol, q.Path, q.TLS, q.ClientCert, q.Err)
		}
		switch {
		case q.Protocol == otlptest.GRPC && q.Signal == otlptest.Traces && !q.Gzip:
			t.Error("gRPC trace export not seen as gzip")
		case q.Protocol == otlptest.HTTP && q.Signal == otlptest.Traces && q.HeaderValue("x-key") != "k1":
			t.Errorf("HTTP trace export header X-Key = %q", q.HeaderValue("x-key"))
		case q.Protocol == otlptest.HTTP && q.Signal == otlptest.Logs && (!q.Gzip || q.Path != "/v1/logs"):
			t.Errorf("HTTP log export: gzip %v, path %q", q.Gzip, q.Path)
		}
	}
	for _, s := range otlptest.AllSpans(reqs) {
		if s.Resource["service.name"] != "sdk-test" || len(s.TraceID) != 32 {
			t.Errorf("span %+v", s)
		}
	}
	for _, m := range otlptest.AllMetrics(reqs) {
		if m.Name == "sdk.counter" && (m.Type != "sum" || m.Temporality != "CUMULATIVE" || len(m.Points) != 1) {
			t.Errorf("counter %+v", m)
		}
	}
	if l := otlptest.AllLogs(reqs)[0]; l.Body != "sdk log" || l.Attrs["lk"] != "lv" {
		t.Errorf("log %+v", l)
	}
}

func TestWaitForDeadline(t *testing.T) {
	r := otlptest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	reqs, err := r.WaitForSignals(ctx, otlptest.Logs)
	if !errors.Is(err, context.DeadlineExceeded) || len(reqs) != 0 {
		t.Fatalf("WaitForSignals on an idle receiver = %v, %v; want DeadlineExceeded", reqs, err)
	}

	// A request that arrives while waiting ends the wait.
	done := make(chan error, 1)
	go func() {
		_, err := r.WaitForSignals(waitCtx(t), otlptest.Logs)
		done <- err
	}()
	if code, err := post(httpClient(t, nil), "http://"+r.HTTPAddr()+"/v1/logs", logsRequest("late"), false); err != nil || code != 200 {
		t.Fatalf("POST: %d, %v", code, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestResponseDelay(t *testing.T) {
	r := otlptest.Start(t, otlptest.WithResponseDelay(time.Minute))
	c := httpClient(t, nil)
	c.Timeout = 100 * time.Millisecond
	if _, err := post(c, "http://"+r.HTTPAddr()+"/v1/traces", traceRequest("slow"), false); err == nil {
		t.Fatal("no timeout from a receiver that answers after a minute")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := coltracepb.NewTraceServiceClient(grpcConn(t, r.GRPCAddr(), nil)).Export(ctx, traceRequest("slow")); err == nil {
		t.Fatal("no gRPC deadline error from a receiver that answers after a minute")
	}
	// Both were recorded on arrival; Close releases the held answers.
	if _, err := r.WaitFor(waitCtx(t), func(q []otlptest.Request) bool { return len(q) == 2 }); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
