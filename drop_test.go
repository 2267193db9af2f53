package telemetry_test

import (
	"context"
	"sync"
	"testing"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	otellog "go.opentelemetry.io/otel/log"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// slowSpans holds every export until released, as a stuck collector would.
type slowSpans struct {
	release chan struct{}
	mu      sync.Mutex
	got     int
}

// take waits for the release, then counts n items as exported.
func (e *slowSpans) take(ctx context.Context, n int) error {
	select {
	case <-e.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	e.mu.Lock()
	e.got += n
	e.mu.Unlock()
	return nil
}

func (e *slowSpans) ExportSpans(ctx context.Context, s []sdktrace.ReadOnlySpan) error {
	return e.take(ctx, len(s))
}
func (e *slowSpans) Shutdown(context.Context) error { return nil }

type slowLogs struct{ slowSpans }

func (e *slowLogs) Export(ctx context.Context, r []sdklog.Record) error { return e.take(ctx, len(r)) }
func (e *slowLogs) ForceFlush(context.Context) error                    { return nil }

// Past the bounded queue spans and log records are dropped, never waited
// for, and every one is accounted for: ended = exported + failed + dropped.
func TestQueueFullDropsAreCounted(t *testing.T) {
	spans := &slowSpans{release: make(chan struct{})}
	logs := &slowLogs{slowSpans{release: make(chan struct{})}}
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("svc"),
		telemetry.WithQueueSize(8),
		telemetry.WithSpanExporter(spans),
		telemetry.WithLogExporter(logs),
		telemetry.WithMetricExporter(testutil.DiscardMetrics{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	tr := tel.TracerProvider().Tracer("t")
	lg := tel.LoggerProvider().Logger("t")
	start := time.Now()
	for range n {
		_, s := tr.Start(context.Background(), "op")
		s.End()
		var r otellog.Record
		lg.Emit(context.Background(), r)
	}
	t.Logf("%d spans and log records with a stuck exporter: %v", n, time.Since(start))
	close(spans.release)
	close(logs.release)
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	trs, _, los := tel.Stats()
	for name, st := range map[string]telemetry.SignalStats{"traces": trs, "logs": los} {
		if st.Dropped == 0 {
			t.Errorf("%s: nothing dropped with a queue of 8 and a stuck exporter: %+v", name, st)
		}
		if got := st.ItemsExported + st.ItemsFailed + st.Dropped; got != n {
			t.Errorf("%s: exported %d + failed %d + dropped %d = %d; want %d", name, st.ItemsExported, st.ItemsFailed, st.Dropped, got, n)
		}
	}
	if int64(spans.got) != trs.ItemsExported || int64(logs.got) != los.ItemsExported {
		t.Errorf("exporters got %d spans, %d logs; stats say %d, %d", spans.got, logs.got, trs.ItemsExported, los.ItemsExported)
	}
}

func TestSelfMetricsAreExported(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("svc"))
	_, s := kit.Telemetry.TracerProvider().Tracer("t").Start(context.Background(), "op")
	s.End()
	kit.Flush() // the span is exported: traces now has activity
	for _, name := range []string{telemetry.SelfExportedName, telemetry.SelfExportFailedName, telemetry.SelfDroppedName} {
		if _, err := kit.Value(name, telemetry.SelfSignalKey.String("traces")); err != nil {
			t.Errorf("%s{signal=traces} not exported: %v", name, err)
		}
	}
	if v, err := kit.Value(telemetry.SelfExportedName, telemetry.SelfSignalKey.String("traces")); err != nil || v != 1 {
		t.Errorf("%s{signal=traces} = %v, %v; want 1", telemetry.SelfExportedName, v, err)
	}
}
