package genaitel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/starmates-ai-team/telemetry/instrumentation/genaitel"
	"github.com/starmates-ai-team/telemetry/internal/aitest"
)

// recorder is a transport that logs every Read of the response bodies it
// returns: the buffer size asked for, the bytes given and the error.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	log  []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if resp != nil {
		resp.Body = &recBody{rc: resp.Body, r: r}
		r.add(fmt.Sprintf("status %d %v", resp.StatusCode, resp.Header))
	}
	if err != nil {
		r.add("error " + err.Error())
	}
	return resp, err
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.log = append(r.log, s)
	r.mu.Unlock()
}

func (r *recorder) reads() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

type recBody struct {
	rc io.ReadCloser
	r  *recorder
}

func (b *recBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.r.add(fmt.Sprintf("read cap=%d n=%d %q err=%v", len(p), n, p[:max(n, 0)], err))
	return n, err
}

func (b *recBody) Close() error {
	err := b.rc.Close()
	b.r.add(fmt.Sprintf("close %v", err))
	return err
}

// TestSameBytes: between genai and the network, the Transport changes
// nothing: genai's reads get exactly the reads of the body below, chunk
// for chunk, and the same Close.
func TestSameBytes(t *testing.T) {
	for _, mode := range []string{"json", "stream", "cut", "429", "429-retried", "501-not-retried"} {
		t.Run(mode, func(t *testing.T) {
			s := newSetup(t)
			f := newFake(t)
			if mode == "cut" {
				f.streamMode = mode
			}
			retries := 0
			switch mode {
			case "429":
				f.failFirst.Store(1)
			case "429-retried":
				f.failFirst.Store(1)
				retries = 2
			case "501-not-retried":
				f.failFirst.Store(1)
				f.failStatus = http.StatusNotImplemented
				retries = 2
			}
			f.chunks = 50
			below := &recorder{base: bare(t).Transport}
			above := &recorder{base: genaitel.NewTransport(below, s.ai, genaitel.WithMaxRetries(retries))}
			c := newGenai(t, f, &http.Client{Transport: above}, false, retries)
			if mode != "stream" && mode != "cut" && mode != "malformed" {
				generate(context.Background(), c)
			} else {
				stream(context.Background(), c, 0, nil)
			}
			aitest.WaitSpans(t, s.kit, 1)
			b, a := below.reads(), above.reads()
			if len(a) < 3 {
				t.Fatalf("only %q", a)
			}
			if !slices.Equal(a, b) {
				t.Errorf("the caller's reads differ from the body's:\n got %q\nwant %q", a, b)
			}
		})
	}
}
