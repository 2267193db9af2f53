package aihttp

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// ErrorType is the error.type of an attempt or a call, never a Go type
// name: the provider's own error type when known ("rate_limit_error",
// "insufficient_quota", "RESOURCE_EXHAUSTED"), else the HTTP status as a
// string ("429") for a response with status 400 or above, else the class
// of err: ailabels.ErrorTypeTimeout, ErrorTypeCanceled,
// ErrorTypeIncompleteResponse (a body cut before its end),
// ErrorTypeConnection, or ailabels.ErrorTypeOther ("_OTHER"). It returns
// "" for a success (status below 400, err nil, no provider type).
//
// providerType is cleaned to a bounded token (at most 64 bytes of
// letters, digits and . _ - /); one that has none of those is ignored.
func ErrorType(status int, providerType string, err error) string {
	if t := cleanType(providerType); t != "" {
		return t
	}
	if status >= 400 {
		return statusText(status)
	}
	if err == nil {
		return ""
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return ailabels.ErrorTypeIncompleteResponse
	}
	return metrics.ErrorTypeOf(err)
}

// statusText returns the status code as a string without allocating for
// the common ones.
func statusText(status int) string {
	switch status {
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 404:
		return "404"
	case 408:
		return "408"
	case 409:
		return "409"
	case 413:
		return "413"
	case 422:
		return "422"
	case 429:
		return "429"
	case 500:
		return "500"
	case 502:
		return "502"
	case 503:
		return "503"
	case 504:
		return "504"
	case 529:
		return "529"
	}
	if status < 100 || status > 999 {
		return ailabels.ErrorTypeOther
	}
	return strconv.Itoa(status)
}

// cleanType keeps a provider's error type if it is a short token.
func cleanType(t string) string {
	if t == "" {
		return ""
	}
	if len(t) > ailabels.MaxLabelLength {
		t = t[:ailabels.MaxLabelLength]
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-', c == '/':
		default:
			return ""
		}
	}
	return t
}

// ShouldRetry reports whether the official Stainless-generated clients
// (openai-go, anthropic-sdk-go) retry an attempt that ended with resp and
// err: an x-should-retry header of "true" or "false" decides; otherwise
// statuses 408, 409, 429 and 5xx are retried, as is a failure without a
// response (a connection error), unless the request's context is done.
func ShouldRetry(ctx context.Context, resp *http.Response, err error) bool {
	if ctx != nil && ctx.Err() != nil {
		return false
	}
	if resp == nil {
		return err != nil
	}
	switch resp.Header.Get("x-should-retry") {
	case "true":
		return true
	case "false":
		return false
	}
	s := resp.StatusCode
	return s == http.StatusRequestTimeout || s == http.StatusConflict || s == http.StatusTooManyRequests || s >= http.StatusInternalServerError
}

// maxRetryAfter is the longest Retry-After the Stainless clients honour.
const maxRetryAfter = 60 * time.Second

// RetryDelay is how long the Stainless clients wait before retry number
// attempt+1 after resp (nil for a connection error): retry-after-ms, then
// retry-after (seconds or an HTTP date) when between 0 and 60 s, else an
// exponential backoff of 0.5 s x 2^attempt capped at 8 s (without the
// clients' jitter, which only shortens it).
func RetryDelay(resp *http.Response, attempt int) time.Duration {
	if resp != nil {
		if v := resp.Header.Get("retry-after-ms"); v != "" {
			if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && !math.IsInf(ms, 0) {
				if d := time.Duration(ms * float64(time.Millisecond)); d <= maxRetryAfter {
					return d
				}
			}
		}
		if v := resp.Header.Get("retry-after"); v != "" {
			if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 && !math.IsInf(s, 0) {
				if d := time.Duration(s * float64(time.Second)); d <= maxRetryAfter {
					return d
				}
			} else if t, err := http.ParseTime(v); err == nil {
				if d := time.Until(t); d > 0 && d <= maxRetryAfter {
					return d
				}
			}
		}
	}
	if attempt < 0 {
		attempt = 0
	}
	if attempt > 4 {
		return 8 * time.Second
	}
	return time.Duration(0.5 * float64(time.Second) * math.Pow(2, float64(attempt)))
}
