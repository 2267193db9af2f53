package logbridge_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"

	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

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

// A log backend that wants other keys: ReplaceAttr renames them, as it
// would for slog.JSONHandler, and the line is byte for byte what that
// handler writes, trace ids added.
func ExampleWithHandlerOptions() {
	rename := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) > 0 {
			return a
		}
		switch a.Key {
		case slog.TimeKey:
			return slog.Attr{} // dropped here so that the output stays the same
		case slog.LevelKey:
			return slog.String("severity", a.Value.String())
		case slog.MessageKey:
			a.Key = "message"
		case logbridge.TraceIDKey:
			a.Key = "logging.googleapis.com/trace"
		}
		return a
	}
	logger, _ := logbridge.New(nil, logbridge.WithWriter(os.Stdout),
		logbridge.WithHandlerOptions(&slog.HandlerOptions{ReplaceAttr: rename, Level: slog.LevelDebug}))

	logger.DebugContext(requestContext(nil), "cache miss", "key", "user:7")
	// Output:
	// {"severity":"DEBUG","message":"cache miss","key":"user:7","logging.googleapis.com/trace":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}
}

// The SDK's own errors (here a collector that refuses the service's
// credentials) become lines of the service's log, in its format, instead
// of slog text on standard error between its JSON lines.
func ExampleWithSDKErrors() {
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("api-gateway"),
		telemetry.WithSpanExporter(refusingExporter{}), // in a service: the collector's answer
		telemetry.WithLogExporter(discardLogs{}),       // so that only the traces fail here
		telemetry.WithRuntimeMetrics(false),
		telemetry.WithGlobals(false),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tel.Shutdown(context.Background())

	logger, _ := logbridge.New(tel, logbridge.WithWriter(stdout), logbridge.WithSDKErrors())
	logger.Info("started")
	_, span := tel.TracerProvider().Tracer("example").Start(context.Background(), "GET /orders")
	span.End()
	tel.ForceFlush(context.Background()) // the export fails: one line, at most one every 30 s
	// Output:
	// {"level":"INFO","msg":"started"}
	// {"level":"ERROR","msg":"telemetry","error":"telemetry: export of 1 traces failed: 401 Unauthorized"}
}

// refusingExporter fails every export, as a collector refusing the
// service's credentials does.
type refusingExporter struct{}

func (refusingExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	return errors.New("401 Unauthorized")
}
func (refusingExporter) Shutdown(context.Context) error { return nil }

// discardLogs accepts every log export.
type discardLogs struct{}

func (discardLogs) Export(context.Context, []sdklog.Record) error { return nil }
func (discardLogs) Shutdown(context.Context) error                { return nil }
func (discardLogs) ForceFlush(context.Context) error              { return nil }
