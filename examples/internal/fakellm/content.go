package fakellm

import (
	"strings"
	"time"
)

// snapshots are the dated models the fake answers with, as the real APIs
// answer an alias with the snapshot that served it.
var snapshots = map[string]string{
	"gpt-4o":                 "gpt-4o-2024-08-06",
	"gpt-4o-mini":            "gpt-4o-mini-2024-07-18",
	"gpt-4.1":                "gpt-4.1-2025-04-14",
	"o4-mini":                "o4-mini-2025-04-16",
	"claude-sonnet-4":        "claude-sonnet-4-20250514",
	"claude-3-5-haiku":       "claude-3-5-haiku-20241022",
	"claude-opus-4":          "claude-opus-4-20250514",
	"text-embedding-3-small": "text-embedding-3-small",
}

// responseModel is the model an answer names.
func responseModel(requested string) string {
	if m, ok := snapshots[requested]; ok {
		return m
	}
	return requested
}

// tokens is one answer's usage, provider-neutral: input counts every
// prompt token, cached and cacheWrite included.
type tokens struct {
	input, cached, cacheWrite, output, reasoning int64
}

// usageFor derives realistic counts from the request's hash: a prompt of
// 800-3200 tokens, a cache hit on 4 calls in 10 (a repeated system
// prompt), a cache write on some of the others, 100-600 output tokens
// and, when the request reasons, 200-1000 reasoning tokens (part of the
// output).
func usageFor(h uint64, reasoning bool) tokens {
	t := tokens{input: 800 + int64(h%2400)}
	switch {
	case (h>>12)%10 < 4:
		t.cached = 512 * (1 + int64((h>>20)%2))
	case (h>>24)%4 == 0:
		t.cacheWrite = 1024
	}
	t.input = max(t.input, t.cached+t.cacheWrite+200)
	t.output = 100 + int64((h>>28)%500)
	if reasoning {
		t.reasoning = 200 + int64((h>>40)%800)
		t.output += t.reasoning
	}
	return t
}

var words = strings.Fields(`The quarterly report shows revenue up eleven percent, driven by the
workflow builder; churn in the free tier is flat, the pro tier retains better after thirty days,
and support tickets about agent memory halved since the last release. Costs per run fell as the
cache hit rate rose. Next quarter: ship the planner, price the research workflow, and watch the
latency of the slowest provider.`)

// chunks splits c's answer text into n pieces that join to the text.
func chunks(h uint64, n int) []string {
	out := make([]string, n)
	start := int(h % uint64(len(words)))
	for i := range out {
		w := words[(start+i)%len(words)]
		if i > 0 {
			w = " " + w
		}
		out[i] = w
	}
	return out
}

// responseID returns a response id with the provider's prefix.
func responseID(prefix string, id uint64, h uint64) string {
	const hex = "0123456789abcdef"
	b := []byte(prefix)
	v := h ^ id*0x9e3779b97f4a7c15
	for range 16 {
		b = append(b, hex[v&15])
		v >>= 4
	}
	return string(b)
}

// toolArguments is what the fake asks the tool for.
const toolArguments = `{"query":"quarterly report"}`

// unix is the created timestamp of an answer.
func unix() int64 { return time.Now().Unix() }
