package telemetry_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// gRPC's resolver goroutine may outlive a closed client by a moment.
		goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
	)
}

// blackhole accepts connections and never answers.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

func record(tel *telemetry.Telemetry) {
	ctx, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "op")
	c, _ := tel.MeterProvider().Meter("test").Int64Counter("ops_total")
	c.Add(ctx, 1)
	span.End()
}

func TestInitAndShutdownWithCollectorDown(t *testing.T) {
	for _, proto := range []telemetry.Protocol{telemetry.GRPC, telemetry.HTTPProtobuf} {
		for name, addr := range map[string]string{"refused": testutil.ClosedAddr(t), "blackhole": blackhole(t)} {
			t.Run(string(proto)+"/"+name, func(t *testing.T) {
				tel, err := telemetry.Init(context.Background(),
					telemetry.WithService("svc"),
					telemetry.WithEndpoint(addr),
					telemetry.WithProtocol(proto),
					telemetry.WithExportTimeout(500*time.Millisecond),
					telemetry.WithErrorHandler((&testutil.ErrorLog{}).Handle),
				)
				if err != nil {
					t.Fatalf("Init with collector down: %v", err)
				}
				record(tel)

				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				start := time.Now()
				err = tel.Shutdown(ctx)
				elapsed := time.Since(start)
				if err == nil {
					t.Error("Shutdown with collector down returned nil; want the failed exports reported")
				}
				// Three providers in parallel: one deadline, not three.
				if elapsed > 2*time.Second {
					t.Errorf("Shutdown took %v with a 1 s deadline", elapsed)
				}
				t.Logf("Shutdown with collector %s (%s): %v, err: %v", name, proto, elapsed.Round(time.Millisecond), err)
				if err2 := tel.Shutdown(context.Background()); !errors.Is(err2, err) && err2.Error() != err.Error() {
					t.Errorf("second Shutdown = %v; want the first result", err2)
				}
				tr, _, _ := tel.Stats()
				if tr.ItemsFailed == 0 {
					t.Errorf("trace stats %+v: want the failed span counted", tr)
				}
			})
		}
	}
}

func TestInitInvalidConfigStartsNothing(t *testing.T) {
	tel, err := telemetry.Init(context.Background(), telemetry.WithEnvironment("production"))
	if err == nil || tel != nil {
		t.Fatalf("Init = %v, %v; want nil and an error", tel, err)
	}
	var ce *telemetry.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *ConfigError", err)
	}
	// goleak in TestMain proves no goroutine was started.
}

func TestDisabled(t *testing.T) {
	t.Setenv("OTEL_SDK_DISABLED", "true")
	tel, err := telemetry.Init(context.Background(), telemetry.WithService("svc"))
	if err != nil {
		t.Fatal(err)
	}
	if tel.Enabled() {
		t.Error("Enabled() = true with OTEL_SDK_DISABLED=true")
	}
	record(tel)
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
	var nilTel *telemetry.Telemetry
	record(nilTel) // a nil Telemetry is a disabled one
	if err := nilTel.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestResource(t *testing.T) {
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=ai,service.instance.id=inst-1")
	kit := telemetrytest.New(t, telemetry.WithService("api-gateway"), telemetry.WithEnvironment(telemetry.Staging), telemetry.WithServiceVersion("1.2.3"))
	res := kit.Telemetry.Resource()
	want := map[attribute.Key]string{
		"service.name":                "api-gateway",
		"service.version":             "1.2.3",
		"service.instance.id":         "inst-1",
		"deployment.environment.name": "staging",
		"deployment.environment":      "staging",
		"project":                     telemetry.DefaultProject,
		"team":                        "ai",
	}
	for k, v := range want {
		got, ok := res.Set().Value(k)
		if !ok || got.String() != v {
			t.Errorf("resource %s = %q (%v); want %q", k, got.String(), ok, v)
		}
	}
	for _, k := range []attribute.Key{"host.name", "process.pid", "telemetry.sdk.name"} {
		if _, ok := res.Set().Value(k); !ok {
			t.Errorf("resource lacks %s", k)
		}
	}
}

func TestEveryMetricCarriesMandatoryLabels(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("workflow-agent"), telemetry.WithEnvironment(telemetry.Prod))
	m := kit.Telemetry.MeterProvider().Meter("test")
	ctx := context.Background()
	c, _ := m.Float64Counter("a_total")
	c.Add(ctx, 1, metricOpt(attribute.String("service", "spoofed")))
	h, _ := m.Float64Histogram("latency_seconds", metricUnit("s"))
	h.Record(ctx, 0.2)
	g, _ := m.Int64Gauge("depth")
	g.Record(ctx, 3)

	rm := kit.Metrics()
	n := 0
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			for _, set := range testutil.PointSets(mt.Data) {
				if sm.Scope.Name == "test" {
					n++
				}
				for k, want := range map[attribute.Key]string{"environment": "prod", "project": telemetry.DefaultProject, "service": "workflow-agent"} {
					if v, _ := set.Value(k); v.AsString() != want {
						t.Errorf("%s: %s = %q; want %q", mt.Name, k, v.AsString(), want)
					}
				}
			}
			if hist, ok := mt.Data.(metricdata.Histogram[float64]); ok && sm.Scope.Name == "test" {
				if got := hist.DataPoints[0].Bounds; len(got) != len(telemetry.SecondsBuckets) || got[0] != telemetry.SecondsBuckets[0] {
					t.Errorf("histogram in seconds has bounds %v; want SecondsBuckets", got)
				}
			}
		}
	}
	if n != 3 {
		t.Errorf("saw %d points; want 3", n)
	}
}

func TestForceFlushAfterShutdown(t *testing.T) {
	kit := telemetrytest.New(t, telemetry.WithService("svc"))
	if err := kit.Telemetry.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	record(kit.Telemetry) // must not panic
	_ = kit.Telemetry.ForceFlush(context.Background())
}

// Past Shutdown's deadline nothing lingers: the batch processors would
// otherwise go on draining their queues, one export timeout per batch,
// long after Shutdown returned. Every span is accounted for at once.
func TestShutdownAbandonsExportsPastItsDeadline(t *testing.T) {
	tel, err := telemetry.Init(context.Background(),
		telemetry.WithService("svc"),
		telemetry.WithEndpoint(blackhole(t)),
		telemetry.WithExportTimeout(10*time.Second),
		telemetry.WithErrorHandler(func(error) {}),
	)
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000 // four batches of 512
	tr := tel.TracerProvider().Tracer("t")
	for range n {
		_, s := tr.Start(context.Background(), "op")
		s.End()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := tel.Shutdown(ctx); err == nil {
		t.Error("Shutdown against a blackhole returned nil")
	}
	var st telemetry.SignalStats
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		st, _, _ = tel.Stats()
		if st.ItemsExported+st.ItemsFailed+st.Dropped == n {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := st.ItemsExported + st.ItemsFailed + st.Dropped; got != n {
		t.Fatalf("2 s after Shutdown: exported %d + failed %d + dropped %d = %d of %d spans: the queue is still draining",
			st.ItemsExported, st.ItemsFailed, st.Dropped, got, n)
	}
	t.Logf("all %d spans accounted for %v after Shutdown began (failed %d)", n, time.Since(start).Round(time.Millisecond), st.ItemsFailed)
}
