//go:build integration

package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry"
)

// TestSDKExportsAllSignalsToCollector: spans, metric points and log records
// from Init reach the real collector and, through it, Jaeger, Prometheus,
// the cloud Prometheus (remote write) and the cloud OTLP stand-in, with the
// resource attributes and the three labels.
func TestSDKExportsAllSignalsToCollector(t *testing.T) {
	for _, proto := range []telemetry.Protocol{telemetry.GRPC, telemetry.HTTPProtobuf} {
		t.Run(string(proto), func(t *testing.T) {
			ctx := context.Background()
			start := time.Now()
			tel, service := initService(t, "itest-sdk",
				telemetry.WithEnvironment(telemetry.Staging),
				telemetry.WithServiceVersion("9.9.9"),
				telemetry.WithProtocol(proto),
				telemetry.WithMetricInterval(time.Second),
			)
			t.Logf("Init (collector up, %s): %v", proto, time.Since(start))

			ctx, span := tel.TracerProvider().Tracer("itest").Start(ctx, "itest-operation")
			traceID := span.SpanContext().TraceID().String()
			c, _ := tel.MeterProvider().Meter("itest").Int64Counter("itest_events_total")
			c.Add(ctx, 7, metric.WithAttributes(attribute.String("kind", "a")))
			h, _ := tel.MeterProvider().Meter("itest").Float64Histogram("itest_latency_seconds", metric.WithUnit("s"))
			h.Record(ctx, 0.3)
			var rec otellog.Record
			rec.SetBody(attribute.StringValue("itest log line"))
			rec.SetSeverity(otellog.SeverityInfo)
			tel.LoggerProvider().Logger("itest").Emit(ctx, rec)
			span.End()

			start = time.Now()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := tel.Shutdown(sctx); err != nil {
				t.Fatalf("Shutdown with collector up: %v", err)
			}
			t.Logf("Shutdown (collector up, %s): %v", proto, time.Since(start))
			tr, me, lo := tel.Stats()
			if tr.ItemsExported < 1 || me.ItemsExported < 2 || lo.ItemsExported < 1 {
				t.Errorf("stats traces %+v metrics %+v logs %+v: want all delivered", tr, me, lo)
			}

			wantLabels := map[string]string{"environment": "staging", "project": telemetry.DefaultProject, "service": service}
			checkLabels := func(where string, l map[string]string) {
				for k, v := range wantLabels {
					if l[k] != v {
						t.Errorf("%s: label %s = %q; want %q (labels %v)", where, k, l[k], v, l)
					}
				}
			}

			// Prometheus, scraping the collector's prometheus exporter.
			q := fmt.Sprintf(`itest_events_total{service=%q}`, service)
			waitFor(t, "the counter in Prometheus", func() (bool, error) {
				s, err := stack.Query(ctx, q)
				if err != nil || len(s) == 0 {
					return false, err
				}
				checkLabels("prometheus", s[0].Labels)
				if s[0].Labels["kind"] != "a" || s[0].Value != 7 {
					t.Errorf("prometheus: %v = %v; want kind=a, 7", s[0].Labels, s[0].Value)
				}
				return true, nil
			})
			waitFor(t, "the histogram in Prometheus", func() (bool, error) {
				s, err := stack.Query(ctx, fmt.Sprintf(`itest_latency_seconds_bucket{service=%q,le="0.5"}`, service))
				return err == nil && len(s) == 1 && s[0].Value == 1, err
			})

			// The cloud Prometheus, by remote write with basic auth.
			waitFor(t, "the counter in the cloud Prometheus", func() (bool, error) {
				s, err := stack.CloudQuery(ctx, q)
				if err != nil || len(s) == 0 {
					return false, err
				}
				checkLabels("cloud prometheus", s[0].Labels)
				return true, nil
			})

			// Jaeger, with the resource attributes as process tags.
			waitFor(t, "the span in Jaeger", func() (bool, error) {
				spans, err := stack.Trace(ctx, traceID)
				if err != nil || len(spans) == 0 {
					return false, nil
				}
				p := spans[0].ProcessTags
				for k, v := range map[string]string{"deployment.environment.name": "staging", "project": telemetry.DefaultProject, "service.version": "9.9.9"} {
					if fmt.Sprint(p[k]) != v {
						t.Errorf("jaeger process tag %s = %v; want %s", k, p[k], v)
					}
				}
				if spans[0].Service != service || spans[0].OperationName != "itest-operation" {
					t.Errorf("jaeger span %+v", spans[0])
				}
				return true, nil
			})

			// The cloud OTLP endpoint (Loki stand-in) got the log record.
			l := waitForCloudLog(t, service)
			if l.TraceID != traceID {
				t.Errorf("log trace id = %q; want %q", l.TraceID, traceID)
			}
			checkLabels("log attributes", l.Attributes)
			if l.Resource["deployment.environment.name"] != "staging" {
				t.Errorf("log resource %v", l.Resource)
			}
		})
	}
}
