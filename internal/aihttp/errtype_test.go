package aihttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/starmates-ai-team/telemetry/internal/aihttp"
)

type typed struct{}

func (typed) Error() string     { return "quota" }
func (typed) ErrorType() string { return "insufficient_quota" }

func TestErrorType(t *testing.T) {
	deadline, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-deadline.Done()
	cases := []struct {
		status   int
		provider string
		err      error
		want     string
	}{
		{200, "", nil, ""},
		{429, "", nil, "429"},
		{529, "", nil, "529"},
		{418, "", nil, "418"},
		{429, "rate_limit_error", nil, "rate_limit_error"},
		{400, "bad type with spaces", nil, "400"},
		{500, "RESOURCE_EXHAUSTED", nil, "RESOURCE_EXHAUSTED"},
		{0, "", context.Canceled, "canceled"},
		{0, "", fmt.Errorf("post: %w", deadline.Err()), "timeout"},
		{0, "", &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}, "timeout"},
		{0, "", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, "connection_error"},
		{0, "", io.ErrUnexpectedEOF, "incomplete_response"},
		{0, "", errors.New("something"), "_OTHER"},
		{0, "", fmt.Errorf("wrapped: %w", typed{}), "insufficient_quota"},
	}
	for _, c := range cases {
		if got := aihttp.ErrorType(c.status, c.provider, c.err); got != c.want {
			t.Errorf("ErrorType(%d, %q, %v) = %q, want %q", c.status, c.provider, c.err, got, c.want)
		}
	}
}

func TestShouldRetry(t *testing.T) {
	resp := func(status int, h ...string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	ctx := context.Background()
	done, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		ctx  context.Context
		resp *http.Response
		err  error
		want bool
	}{
		{ctx, resp(429), nil, true},
		{ctx, resp(408), nil, true},
		{ctx, resp(409), nil, true},
		{ctx, resp(500), nil, true},
		{ctx, resp(400), nil, false},
		{ctx, resp(400, "x-should-retry", "true"), nil, true},
		{ctx, resp(503, "x-should-retry", "false"), nil, false},
		{ctx, nil, errors.New("refused"), true},
		{done, nil, context.Canceled, false},
		{ctx, resp(200), nil, false},
	} {
		if got := aihttp.ShouldRetry(c.ctx, c.resp, c.err); got != c.want {
			t.Errorf("ShouldRetry(%v, %v) = %v", c.resp, c.err, got)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	h := func(k, v string) *http.Response {
		return &http.Response{Header: http.Header{http.CanonicalHeaderKey(k): {v}}}
	}
	for _, c := range []struct {
		resp    *http.Response
		attempt int
		want    time.Duration
	}{
		{nil, 0, 500 * time.Millisecond},
		{nil, 1, time.Second},
		{nil, 10, 8 * time.Second},
		{h("retry-after-ms", "250"), 0, 250 * time.Millisecond},
		{h("retry-after", "3"), 0, 3 * time.Second},
		{h("retry-after", "600"), 1, time.Second}, // too long: the backoff
		{h("retry-after", "soon"), 0, 500 * time.Millisecond},
	} {
		if got := aihttp.RetryDelay(c.resp, c.attempt); got != c.want {
			t.Errorf("RetryDelay(%v, %d) = %v, want %v", c.resp, c.attempt, got, c.want)
		}
	}
	date := &http.Response{Header: http.Header{"Retry-After": {time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)}}}
	if d := aihttp.RetryDelay(date, 0); d < 8*time.Second || d > 10*time.Second {
		t.Errorf("RetryDelay(HTTP date in 10 s) = %v", d)
	}
}
