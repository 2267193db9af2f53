//go:build faults

package faults

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry"
)

// fakeCloud stands for Grafana Cloud's OTLP gateway: it checks the basic
// auth it gets, answers every request with one status, and remembers the
// bodies it saw (a body seen twice is a retry). Like some real services,
// its error body echoes the credentials it refused, so that anything that
// logs error bodies would log the token.
type fakeCloud struct {
	srv      *httptest.Server
	status   int
	wantAuth string

	mu       sync.Mutex
	requests int
	badAuth  int
	bodies   map[[32]byte]int
}

func newFakeCloud(t *testing.T, status int, user, token string) *fakeCloud {
	f := &fakeCloud{status: status, bodies: map[[32]byte]int{},
		wantAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+token))}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		f.mu.Lock()
		f.requests++
		if auth != f.wantAuth {
			f.badAuth++
		}
		f.bodies[sha256.Sum256(body)]++
		f.mu.Unlock()
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(f.status)
		fmt.Fprintf(w, "refused credentials %q for %s", auth, r.URL.Path)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// counts returns the requests, those with wrong credentials, and the
// retries (requests whose body had been seen before).
func (f *fakeCloud) counts() (requests, badAuth, retries int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.bodies {
		retries += n - 1
	}
	return f.requests, f.badAuth, retries
}

func randomToken(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "glc_" + hex.EncodeToString(b)
}

// TestCloudErrors: the cloud endpoint answers 401, 429 or 503. Through the
// collector (the production path), the cloud exporter retries 429 and 503
// and drops on 401, as configured, while the local path (file exporters
// standing for Jaeger, the Prometheus exporter for the local Prometheus)
// gets everything; the SDK never sees the cloud's errors. Exporting from
// the SDK straight to the cloud, the SDK reports the failures through its
// error handler. In neither case does the token appear in the collector's
// log (at debug level) or in what the SDK's error handler is given.
func TestCloudErrors(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			const user = "200002"
			token := randomToken(t)
			encoded := base64.StdEncoding.EncodeToString([]byte(user + ":" + token))
			cloud := newFakeCloud(t, status, user, token)       // behind the collector
			cloudDirect := newFakeCloud(t, status, user, token) // the SDK's direct export
			col := newCollector(t, &cloudConfig{URL: cloud.srv.URL, User: user, Token: token})
			col.start()

			svc := fmt.Sprintf("faults-cloud-%d", status)
			sink := &errSink{}
			tel := newTel(t, svc, col.Endpoint(), sink)
			s := startService(t, tel)
			// The same service shape exporting straight to the cloud with
			// the token in its headers.
			directSink := &errSink{}
			direct := newTel(t, svc+"-direct", cloudDirect.srv.URL, directSink,
				telemetry.WithProtocol(telemetry.HTTPProtobuf),
				telemetry.WithHeaders(map[string]string{"Authorization": "Basic " + encoded}),
				telemetry.WithExportTimeout(3*time.Second))
			ds := startService(t, direct)

			const requests = 1000
			l := newLoad(s.url, 2, 5*time.Millisecond, requests)
			ld := newLoad(ds.url, 2, 5*time.Millisecond, requests)
			l.start(&phase{name: "via collector"})
			ld.start(&phase{name: "direct"})
			l.wg.Wait()
			ld.wg.Wait()
			l.halt()
			ld.halt()
			s.close()
			ds.close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := tel.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown via the collector: %v", err)
			}
			directErr := direct.Shutdown(ctx)
			cancel()
			if directErr != nil {
				directSink.Handle(directErr) // what a caller would log
			}

			sent := l.sent.Load()
			if f := l.failed.Load() + ld.failed.Load(); f != 0 || sent != requests {
				t.Errorf("sent %d, failed %d", sent, f)
			}
			// The local path has everything.
			var got received
			var total float64
			ok := poll(15*time.Second, 250*time.Millisecond, func() bool {
				got = col.received(t, svc)
				if samples, err := col.scrape(); err == nil {
					total, _ = promSum(samples, "http_requests_total", map[string]string{"service": svc})
				}
				return got.Spans == int(sent) && got.Logs == int(sent) && int64(total) == sent
			})
			if !ok {
				t.Errorf("local path: %d spans, %d log records, http_requests_total %v; want %d each", got.Spans, got.Logs, total, sent)
			}
			tr, _, lg := tel.Stats()
			if tr.Failures != 0 || lg.Failures != 0 {
				t.Errorf("the SDK saw failures through the collector: spans %+v, logs %+v", tr, lg)
			}

			// Let the collector's retries run a little, then stop it so
			// that its log is complete.
			time.Sleep(3 * time.Second)
			reqs, badAuth, retries := cloud.counts()
			col.stop()
			log := col.logText()
			if badAuth != 0 {
				t.Errorf("%d of %d cloud requests without the right basic auth", badAuth, reqs)
			}
			switch status {
			case http.StatusUnauthorized:
				if !strings.Contains(log, "Dropping data") && !strings.Contains(log, "Permanent") && !strings.Contains(log, "permanent") {
					t.Errorf("collector log does not say it dropped the data on 401")
				}
			default:
				if retries == 0 {
					t.Errorf("the collector did not retry on %d (%d requests)", status, reqs)
				}
			}
			dTr, _, dLg := direct.Stats()
			dReqs, dBad, dRetries := cloudDirect.counts()
			if dBad != 0 {
				t.Errorf("%d of %d direct requests without the right basic auth", dBad, dReqs)
			}
			if dTr.Failures == 0 {
				t.Errorf("direct export to a cloud answering %d did not fail: %+v", status, dTr)
			}
			for where, text := range map[string]string{
				"collector log":                        log,
				"SDK error handler (via collector)":    sink.Text(),
				"SDK error handler and Shutdown error": directSink.Text(),
			} {
				if strings.Contains(text, token) || strings.Contains(text, encoded) {
					// Needs a change in the SDK (lead): the OTLP/HTTP exporter
					// puts the response body in its error, and this cloud
					// echoes the credentials; the SDK's error handler should
					// redact the configured header values from what it passes on.
					t.Errorf("the token (raw or base64 in the basic-auth value) appears in the %s: %s", where, firstLine(text))
				}
			}
			t.Logf("status %d: local spans %d logs %d total %v of %d; cloud requests from the collector %d (retries %d, bad auth %d); direct SDK spans %+v logs %+v, requests %d (retries %d)",
				status, got.Spans, got.Logs, total, sent, reqs, retries, badAuth, dTr, dLg, dReqs, dRetries)
			t.Logf("direct SDK errors: %s", firstLine(directSink.Text()))
			action := fmt.Sprintf("dropped at once (%d requests, %d retries)", reqs, retries)
			if status != http.StatusUnauthorized {
				action = fmt.Sprintf("retried (%d retries in %d requests)", retries, reqs)
			}
			action += fmt.Sprintf("; direct SDK export: %d failed exports, %d retries in %d requests", dTr.Failures+dLg.Failures, dRetries, dReqs)
			report(fmt.Sprintf("cloud endpoint answers %d", status),
				"local path (file exporters, Prometheus exporter) vs requests sent; the collector's cloud exporter; the token (raw or base64) in the collector log, the SDK's error handler, Shutdown's error",
				fmt.Sprintf("local spans %d/%d, log records %d/%d, http_requests_total %v; cloud %s; token found in: %s",
					got.Spans, sent, got.Logs, sent, total, action, leaks(token, encoded, log, sink.Text(), directSink.Text())))
		})
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// leaks names where the token or its base64 form appears: collector log,
// SDK errors (via the collector), SDK errors (direct export).
func leaks(token, encoded string, texts ...string) string {
	names := []string{"collector log", "SDK errors via the collector", "SDK errors of the direct export (the cloud echoes the credentials in its error body)"}
	var out []string
	for i, text := range texts {
		if strings.Contains(text, token) || strings.Contains(text, encoded) {
			out = append(out, names[i])
		}
	}
	if len(out) == 0 {
		return "nowhere"
	}
	return strings.Join(out, ", ")
}
