package aihttp_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"testing/iotest"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/aihttp"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// step is one Read as the caller saw it.
type step struct {
	n    int
	data string
	err  error
}

// reads reads r to its end (or 100 reads) with a buffer of size buf.
func reads(r io.Reader, buf int) []step {
	var out []step
	p := make([]byte, buf)
	for i := 0; i < 100; i++ {
		n, err := r.Read(p)
		out = append(out, step{n, string(p[:max(n, 0)]), err})
		if err != nil {
			break
		}
	}
	return out
}

type closer struct {
	io.Reader
	closeErr error
}

func (c closer) Close() error { return c.closeErr }

var errBoom = errors.New("boom")

// sources give the same bytes in odd ways: one byte at a time, data with
// the final error, a read error half-way.
func sources(body string) map[string]func() io.Reader {
	return map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader([]byte(body)) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader([]byte(body))) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader([]byte(body))) },
		"half+boom": func() io.Reader {
			return io.MultiReader(bytes.NewReader([]byte(body[:len(body)/2])), iotest.ErrReader(errBoom))
		},
		"timeout": func() io.Reader { return iotest.TimeoutReader(bytes.NewReader([]byte(body))) },
	}
}

// The caller reads exactly what it would without the wrapper: the same
// counts, bytes and errors, Read by Read, and Close's error, for every
// kind of body.
func TestWrappersPassThrough(t *testing.T) {
	kit := telemetrytest.New(t)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		t.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxRetries: 1, RetryGrace: 1})
	kinds := []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json", `{"id":"x","model":"gpt-4o","in":1,"out":2}`},
		{200, "text/event-stream", "data: {\"model\":\"gpt-4o\"}\n\ndata: {\"in\":1,\"out\":1}\r\n\r\ndata: [DONE]\n\n"},
		{429, "application/json", `{"error":{"type":"rate_limit_error"}}`},
		{400, "application/json", `{"error":{"type":"invalid_request_error"}}`},
	}
	for _, k := range kinds {
		for name, src := range sources(k.body) {
			for _, buf := range []int{1, 7, 4096} {
				want := reads(src(), buf)
				req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/", nil)
				a := tr.Begin(req, nil, 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}})
				resp := &http.Response{StatusCode: k.status, Header: http.Header{"Content-Type": {k.ct}},
					Body: closer{src(), errBoom}}
				resp, _ = a.End(resp, nil, &testHandler)
				got := reads(resp.Body, buf)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%d %s, %s, buffer %d:\n got  %v\n want %v", k.status, k.ct, name, buf, got, want)
				}
				if err := resp.Body.Close(); err != errBoom {
					t.Errorf("Close error %v, want the body's", err)
				}
			}
		}
	}
	kit.Flush()
	if n, want := len(kit.Spans()), len(kinds)*5*3; n != want {
		t.Errorf("%d spans, want %d (one per call)", n, want)
	}
}

// FuzzStreamBody: any bytes, cut anywhere, come through unchanged, and the
// call is recorded once.
func FuzzStreamBody(f *testing.F) {
	f.Add([]byte("data: {\"model\":\"gpt-4o\",\"in\":3,\"out\":1}\n\ndata: [DONE]\n\n"), uint8(5))
	f.Add([]byte("event: error\ndata: {\"type\":\"x\"}\n\n\xff\xfe"), uint8(1))
	f.Add([]byte(":\r\r\ndata\r"), uint8(2))
	kit := telemetrytest.New(f)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithSemconvHistograms(), metrics.WithContentCapture())
	if err != nil {
		f.Fatal(err)
	}
	tr := aihttp.NewTracker(aihttp.Config{AI: ai, MaxEventBytes: 64})
	f.Fuzz(func(t *testing.T, body []byte, cut uint8) {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9/", nil)
		a := tr.Begin(req, nil, 0, aihttp.Request{Request: ailabels.Request{Provider: "openai", Model: "gpt-4o"}, Stream: true})
		resp, _ := a.End(streamResponse(io.NopCloser(bytes.NewReader(body))), nil, &testHandler)
		var got []byte
		p := make([]byte, int(cut)%13+1)
		for {
			n, err := resp.Body.Read(p)
			got = append(got, p[:n]...)
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if !bytes.Equal(got, body) {
			t.Fatalf("read %q, want %q", got, body)
		}
	})
}
