//go:build faults

package faults

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry"
)

// TestSlowCollector points services at a blackhole (a listener that
// accepts connections and never answers), over gRPC and over OTLP/HTTP,
// with the default export timeout (10 s). No request may wait on it: the
// p99 latency is compared with the same service shape exporting to a
// real collector, in alternating windows of the same run, and no request
// may take anywhere near the export timeout. Shutdown must return within
// its deadline.
func TestSlowCollector(t *testing.T) {
	col := newCollector(t, nil)
	col.start()
	hole := newBlackhole(t)

	type target struct {
		name  string
		tel   *telemetry.Telemetry
		svc   *service
		phase *phase
	}
	targets := []*target{
		{name: "collector up", tel: newTel(t, "faults-slow-up", col.Endpoint(), nil)},
		{name: "blackhole gRPC", tel: newTel(t, "faults-slow-grpc", hole.addr(), &errSink{})},
		{name: "blackhole HTTP", tel: newTel(t, "faults-slow-http", "http://"+hole.addr(), &errSink{}, telemetry.WithProtocol(telemetry.HTTPProtobuf))},
	}
	for _, tg := range targets {
		tg.svc = startService(t, tg.tel)
		tg.phase = &phase{name: tg.name}
	}
	defer func() { // on failure; Shutdown and close are idempotent
		for _, tg := range targets {
			tg.svc.close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = tg.tel.Shutdown(ctx)
			cancel()
		}
	}()

	const rounds, win = 3, 5 * time.Second
	var failed int64
	for range rounds {
		for _, tg := range targets {
			l := newLoad(tg.svc.url, loadWorkers, loadInterval, 1<<30)
			l.start(tg.phase)
			time.Sleep(win)
			l.halt()
			failed += l.failed.Load()
		}
	}
	if failed != 0 {
		t.Errorf("%d requests failed", failed)
	}
	if hole.accepted() == 0 {
		t.Errorf("the blackhole accepted no connection: the test did not exercise a slow collector")
	}

	_, p50Up, p99Up, maxUp := targets[0].phase.stats()
	rows := fmt.Sprintf("up p99 %s", ms(p99Up))
	t.Logf("%-15s p50=%s p99=%s max=%s", targets[0].name, ms(p50Up), ms(p99Up), ms(maxUp))
	for _, tg := range targets[1:] {
		n, p50, p99, max := tg.phase.stats()
		t.Logf("%-15s n=%d p50=%s p99=%s max=%s", tg.name, n, ms(p50), ms(p99), ms(max))
		if max > 2*time.Second {
			t.Errorf("%s: a request took %v: it waited on the exporter (export timeout 10 s)", tg.name, max)
		}
		ratio := float64(p99) / float64(p99Up)
		// A wait on the exporter adds seconds; a ratio over 2 of
		// millisecond-scale p99s alone can be one GC pause.
		if ratio > 2 && p99-p99Up > 100*time.Millisecond {
			t.Errorf("%s: p99 %s vs %s with the collector up", tg.name, ms(p99), ms(p99Up))
		}
		rows += fmt.Sprintf("; %s p99 %s (ratio %.2f), max %s", tg.name, ms(p99), ratio, ms(max))
	}

	// Shutdown with a 3 s deadline while exports hang: it must return in
	// time, and say what it could not do.
	var shut []string
	for _, tg := range targets[1:] {
		tg.svc.close()
		const deadline = 3 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		err := tg.tel.Shutdown(ctx)
		took := time.Since(start)
		cancel()
		tr, _, _ := tg.tel.Stats()
		t.Logf("%s: Shutdown took %v, err %v; spans %+v", tg.name, took, err, tr)
		if took > deadline+time.Second {
			t.Errorf("%s: Shutdown took %v with a %v deadline", tg.name, took, deadline)
		}
		if err == nil {
			t.Errorf("%s: Shutdown returned nil although nothing could be exported", tg.name)
		}
		shut = append(shut, fmt.Sprintf("%s %v", tg.name, took.Round(time.Millisecond)))
	}
	// Shutdown returned at its deadline; the SDK's goroutines must end
	// too (before 72267ee the batch span processor went on draining its
	// queue for 30-40 s, one export timeout per batch of 512). Report how
	// long they lingered; goleak in TestMain checks the rest.
	targets[0].svc.close()
	_ = targets[0].tel.Shutdown(context.Background())
	linger, left := waitSDKGoroutines(90 * time.Second)
	t.Logf("the SDK's goroutines were gone %v after the last Shutdown", linger)
	if len(left) > 0 {
		t.Errorf("%d SDK goroutines still running %v after Shutdown:\n%s", len(left), linger, strings.Join(left, "\n\n"))
	}
	report("collector slow: a blackhole that accepts and never answers (gRPC and OTLP/HTTP, export timeout 10 s)",
		"request latency vs collector up, alternating 5 s windows; failed requests", fmt.Sprintf("%d failed; %s", failed, rows))
	report("", "Shutdown with a 3 s deadline while exports hang", fmt.Sprintf("returned in %v, with an error; the SDK's goroutines were gone %v later", shut, linger.Round(100*time.Millisecond)))
}
