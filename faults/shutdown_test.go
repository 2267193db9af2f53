//go:build faults

package faults

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestGracefulShutdownLosesNothing: with the collector up, everything
// recorded before Shutdown is at the collector afterwards: every span, every
// log record, and the metric points of the final collection.
func TestGracefulShutdownLosesNothing(t *testing.T) {
	col := newCollector(t, nil)
	col.start()
	const svc = "faults-shutdown"
	// Every metric export counts: the points at the collector must equal
	// the SDK's ItemsExported, the final collection at Shutdown included.
	tel := newTel(t, svc, col.Endpoint(), nil)
	s := startService(t, tel)

	const requests = 3000
	l := newLoad(s.url, 4, 2*time.Millisecond, requests)
	p := &phase{name: "shutdown"}
	l.start(p)
	l.wg.Wait()
	l.halt()
	s.close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	took := time.Since(start)
	traces, mets, logs := tel.Stats()

	sent := l.sent.Load()
	if l.failed.Load() != 0 || sent != requests {
		t.Fatalf("sent %d, failed %d; want %d, 0", sent, l.failed.Load(), requests)
	}
	var got received
	poll(10*time.Second, 100*time.Millisecond, func() bool {
		got = col.received(t, svc)
		return got.Spans >= int(sent) && got.Logs >= int(sent) && got.Points >= int(mets.ItemsExported)
	})
	t.Logf("sent %d; spans %+v; metrics %+v; logs %+v; received %+v; Shutdown took %v", sent, traces, mets, logs, got, took)
	if traces.Dropped != 0 || traces.ItemsFailed != 0 || logs.Dropped != 0 || logs.ItemsFailed != 0 || mets.ItemsFailed != 0 {
		t.Errorf("the SDK lost data with the collector up: traces %+v, logs %+v, metrics %+v", traces, logs, mets)
	}
	if got.Spans != int(sent) || got.Logs != int(sent) {
		t.Errorf("collector has %d spans and %d log records; want %d of each", got.Spans, got.Logs, sent)
	}
	if got.Points != int(mets.ItemsExported) || mets.ItemsExported == 0 {
		t.Errorf("collector has %d metric points; the SDK exported %d", got.Points, mets.ItemsExported)
	}
	samples, err := col.scrape()
	if err != nil {
		t.Fatal(err)
	}
	total, _ := promSum(samples, "http_requests_total", map[string]string{"service": svc})
	if int64(total) != sent {
		t.Errorf("http_requests_total = %v in the collector's Prometheus exporter; want %d", total, sent)
	}
	report("graceful shutdown, collector up",
		fmt.Sprintf("%d requests; spans, log records and metric points at the collector after Shutdown", sent),
		fmt.Sprintf("spans %d/%d, logs %d/%d, points %d/%d, http_requests_total %v; Shutdown %v",
			got.Spans, sent, got.Logs, sent, got.Points, mets.ItemsExported, total, took.Round(time.Millisecond)))
}
