package genaitel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"google.golang.org/genai"
)

// newGenai builds the real genai client on hc against the fake, with the
// Gemini API backend or Vertex AI, retrying when retries > 0.
func newGenai(t testing.TB, f *fake, hc *http.Client, vertex bool, retries int) *genai.Client {
	t.Helper()
	cfg := &genai.ClientConfig{APIKey: "test-key", Backend: genai.BackendGeminiAPI, HTTPClient: hc,
		HTTPOptions: genai.HTTPOptions{BaseURL: f.URL, RetryOptions: retryOptions(retries)}}
	if vertex {
		cfg = &genai.ClientConfig{Backend: genai.BackendVertexAI, Project: "proj", Location: "us-central1", HTTPClient: hc,
			HTTPOptions: genai.HTTPOptions{BaseURL: f.URL, RetryOptions: retryOptions(retries)}}
	}
	c, err := genai.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// retryOptions asks genai for retries with delays of a few milliseconds.
func retryOptions(retries int) *genai.HTTPRetryOptions {
	if retries <= 0 {
		return nil
	}
	return &genai.HTTPRetryOptions{Attempts: genai.Ptr(int32(retries + 1)), InitialDelay: genai.Ptr(0.005),
		MaxDelay: genai.Ptr(0.02), Jitter: genai.Ptr(0.0)}
}

// ports hides the local ports in error texts, which differ between runs.
var ports = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// entry is one thing the caller saw: a result or an error, as text.
func entry(kind string, v any, err error) string {
	s := kind
	if v != nil {
		b, jerr := json.Marshal(v)
		if jerr != nil {
			b = []byte(jerr.Error())
		}
		s += " " + string(b)
	}
	if err != nil {
		s += " error: " + ports.ReplaceAllString(err.Error(), "127.0.0.1:PORT")
	}
	return s
}

func generate(ctx context.Context, c *genai.Client) []string {
	resp, err := c.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("What is the weather in Paris?"),
		&genai.GenerateContentConfig{MaxOutputTokens: 256, Temperature: genai.Ptr[float32](0.5),
			Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{{Name: "get_weather"}}}}})
	if resp == nil {
		return []string{entry("result", nil, err)}
	}
	return []string{entry("result", resp, err)}
}

// stream reads the stream, stopping after stop chunks (cancel is then
// called before the next read) when stop > 0.
func stream(ctx context.Context, c *genai.Client, stop int, cancel func()) []string {
	var out []string
	n := 0
	for ch, err := range c.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Tell me a story"), nil) {
		if ch == nil {
			out = append(out, entry("chunk", nil, err))
		} else {
			out = append(out, entry("chunk", ch, err))
		}
		n++
		if stop > 0 && n == stop {
			cancel()
		}
	}
	return out
}

func embed(ctx context.Context, c *genai.Client, model string) []string {
	resp, err := c.Models.EmbedContent(ctx, model, genai.Text("hello"), nil)
	if resp == nil {
		return []string{entry("result", nil, err)}
	}
	return []string{entry("result", resp, err)}
}

// sameResults fails when the instrumented client saw anything else than
// the bare one.
func sameResults(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d results, bare client %d:\n got %q\nwant %q", len(got), len(want), got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("result %d differs from the bare client's:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// newGeminiAPI builds a Gemini API client on hc with the HTTP options
// given: the base URL (the fake's, or that of a server gone), and retry
// options or a timeout of the test's own.
func newGeminiAPI(t testing.TB, hc *http.Client, opts genai.HTTPOptions) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{APIKey: "test-key", Backend: genai.BackendGeminiAPI, HTTPClient: hc,
		HTTPOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
