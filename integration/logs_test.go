//go:build integration

package integration

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/logbridge"
)

// TestLogbridgeRecordsReachTheCloudWithTraceID: a slog line written through
// logbridge inside a span reaches the real collector and the cloud OTLP
// stand-in with its trace id, the labels and redaction applied.
func TestLogbridgeRecordsReachTheCloudWithTraceID(t *testing.T) {
	tel, service := initService(t, "itest-logs", telemetry.WithEnvironment(telemetry.Dev))
	ctx := context.Background()
	var console bytes.Buffer
	logger, err := logbridge.New(tel, logbridge.WithWriter(&console))
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tel.TracerProvider().Tracer("itest").Start(ctx, "op")
	traceID := span.SpanContext().TraceID().String()
	logger.InfoContext(ctx, "order placed", "order_id", 42, "api_key", "sk-canary-itest")
	span.End()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(console.String(), traceID) {
		t.Errorf("console line %q lacks trace id %s", console.String(), traceID)
	}
	l := waitForCloudLog(t, service)
	if l.TraceID != traceID || l.Body != "order placed" || l.Severity != "INFO" {
		t.Errorf("record %+v; want trace %s, body %q, INFO", l, traceID, "order placed")
	}
	if l.Attributes["environment"] != "dev" || l.Attributes["service"] != service || l.Attributes["order_id"] != "42" {
		t.Errorf("attributes %v", l.Attributes)
	}
	if l.Attributes["api_key"] != logbridge.Redacted {
		t.Errorf("api_key = %q; want it redacted", l.Attributes["api_key"])
	}
}
