package genaitel

import (
	"context"
	"net/http"
	"testing"

	"google.golang.org/genai"
)

func TestExploreBare(t *testing.T) {
	f := newFake(t)
	for _, vertex := range []bool{false, true} {
		cfg := &genai.ClientConfig{APIKey: "k", Backend: genai.BackendGeminiAPI, HTTPClient: &http.Client{}, HTTPOptions: genai.HTTPOptions{BaseURL: f.URL}}
		if vertex {
			cfg = &genai.ClientConfig{Backend: genai.BackendVertexAI, Project: "proj", Location: "us-central1", HTTPClient: &http.Client{}, HTTPOptions: genai.HTTPOptions{BaseURL: f.URL}}
		}
		c, err := genai.NewClient(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		resp, err := c.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("hi"), &genai.GenerateContentConfig{MaxOutputTokens: 100, Temperature: genai.Ptr[float32](0.5)})
		t.Logf("gen %+v %v", resp, err)
		for ch, err := range c.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
			t.Logf("chunk %v %v", ch != nil, err)
		}
		er, err := c.Models.EmbedContent(ctx, "gemini-embedding-001", genai.Text("hi"), nil)
		t.Logf("embed %+v %v", er, err)
		for _, r := range f.reqs() {
			t.Logf("%s %s ? %s : %s", r.Method, r.Path, r.RawQuery, r.Body)
		}
		f.requests = nil
	}
}
