package logbridge_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"

	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/logbridge"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// stdout is os.Stdout without the "time" field, so that the outputs below
// stay the same from run to run.
var stdout io.Writer = timeless{}

type timeless struct{}

var timeRE = regexp.MustCompile(`"time":"[^"]*",|time=\S+ `)

func (t timeless) Write(p []byte) (int, error) {
	_, err := os.Stdout.Write(timeRE.ReplaceAll(p, nil))
	return len(p), err
}

// A request's trace context, as the middleware would have it.
func requestContext(tel *telemetry.Telemetry) context.Context {
	return tel.Propagator().Extract(context.Background(), propagation.MapCarrier{
		"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	})
}

func ExampleNew() {
	// In a service: tel, err := telemetry.Init(ctx, telemetry.WithService("api-gateway")).
	kit, _ := telemetrytest.NewKit(context.Background(), telemetry.WithService("api-gateway"))
	tel := kit.Telemetry
	defer tel.Shutdown(context.Background())

	logger, err := logbridge.New(tel, logbridge.WithWriter(stdout)) // os.Stderr by default
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := requestContext(tel)
	logger.InfoContext(ctx, "order placed", "order_id", 42, "api_key", "sk-live-123")

	// The same record, as the collector receives it.
	r := kit.Logs()[0]
	fmt.Println("otel:", r.SeverityText(), r.Body().AsString(), r.TraceID())
	// Output:
	// {"level":"INFO","msg":"order placed","order_id":42,"api_key":"[REDACTED]","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}
	// otel: INFO order placed 4bf92f3577b34da6a3ce929d0e0e4736
}

// Middleware puts the logger in the request context; handlers take it with
// From, and even their calls without a context are correlated.
func ExampleFrom() {
	logger, _ := logbridge.New(nil, logbridge.WithWriter(stdout), logbridge.WithFormat(logbridge.Text))

	ctx := logbridge.Context(requestContext(nil), logger)
	logbridge.From(ctx).Info("cache miss", "key", "user:7")
	// Output:
	// level=INFO msg="cache miss" key=user:7 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7
}

// The wiring the middleware package does, by hand: one logger for the
// service, one Context call per request.
func ExampleContext() {
	logger, _ := logbridge.New(nil, logbridge.WithWriter(stdout))
	withLogger := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(logbridge.Context(r.Context(), logger)))
		})
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logbridge.From(r.Context()).Warn("slow upstream", "upstream", "workflow-engine")
	})
	withLogger(app).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output:
	// {"level":"WARN","msg":"slow upstream","upstream":"workflow-engine"}
}

// A LevelVar changes the level of a running service; LOG_LEVEL sets it at
// start when no WithLevel is given.
func ExampleWithLevel() {
	var level slog.LevelVar // info
	logger, _ := logbridge.New(nil, logbridge.WithLevel(&level), logbridge.WithWriter(stdout), logbridge.WithFormat(logbridge.Text))

	logger.Debug("not written")
	level.Set(slog.LevelDebug)
	logger.Debug("written", "password", "hunter2")
	// Output:
	// level=DEBUG msg=written password=[REDACTED]
}

// printProcessor prints the records of its logger provider; in a service
// it would be sdklog.NewBatchProcessor on an exporter.
type printProcessor struct{}

func (printProcessor) OnEmit(_ context.Context, r *sdklog.Record) error {
	fmt.Println("otel:", r.SeverityText(), r.Body().AsString(), r.TraceID())
	return nil
}
func (printProcessor) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (printProcessor) Shutdown(context.Context) error                         { return nil }
func (printProcessor) ForceFlush(context.Context) error                       { return nil }

// A service with an OpenTelemetry SDK of its own gives its logger provider;
// no *telemetry.Telemetry is needed (nil). Its records then lack the labels
// environment, project and service, which the Telemetry's exporter adds.
func ExampleWithLoggerProvider() {
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(printProcessor{}))
	defer lp.Shutdown(context.Background())

	logger, err := logbridge.New(nil, logbridge.WithLoggerProvider(lp), logbridge.WithConsole(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	logger.InfoContext(requestContext(nil), "order placed", "order_id", 42)
	// Output:
	// otel: INFO order placed 4bf92f3577b34da6a3ce929d0e0e4736
}
