package telemetrytest_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	otellog "go.opentelemetry.io/otel/log"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestKitRecordsAllSignalsWithLabels(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("svc-a"), telemetry.WithEnvironment(telemetry.Prod))
	ctx := context.Background()

	ctx, span := kit.Telemetry.TracerProvider().Tracer("t").Start(ctx, "op")
	c, err := kit.Telemetry.MeterProvider().Meter("t").Int64Counter("things_total")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(ctx, 3)
	var rec otellog.Record
	rec.SetBody(attribute.StringValue("hello"))
	kit.Telemetry.LoggerProvider().Logger("t").Emit(ctx, rec)
	span.End()

	if got := len(kit.Spans()); got != 1 {
		t.Fatalf("spans = %d, want 1", got)
	}
	v, err := kit.Value("things_total",
		attribute.String("environment", "prod"),
		attribute.String("project", telemetry.DefaultProject),
		attribute.String("service", "svc-a"))
	if err != nil || v != 3 {
		t.Fatalf("things_total = %v, %v; want 3 with the three labels", v, err)
	}
	logs := kit.Logs()
	if len(logs) != 1 {
		t.Fatalf("logs = %d, want 1", len(logs))
	}
	if logs[0].TraceID() != span.SpanContext().TraceID() {
		t.Errorf("log trace id = %s, want %s", logs[0].TraceID(), span.SpanContext().TraceID())
	}
	var env string
	logs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		if kv.Key == "environment" {
			env = kv.Value.AsString()
		}
		return true
	})
	if env != "prod" {
		t.Errorf("log environment attribute = %q, want prod", env)
	}
}
