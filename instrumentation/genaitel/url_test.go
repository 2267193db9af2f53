package genaitel

import (
	"net/http/httptest"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

func TestClassify(t *testing.T) {
	gem, vtx := ailabels.ProviderGCPGemini, ailabels.ProviderGCPVertexAI
	for _, c := range []struct {
		method, url string
		want        target
	}{
		{"POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", target{methodGenerate, "gemini-2.5-flash", gem}},
		{"POST", "http://127.0.0.1:1/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", target{methodStream, "gemini-2.5-flash", gem}},
		{"POST", "http://127.0.0.1:1/v1beta/models/gemini-embedding-001:batchEmbedContents", target{methodBatchEmbed, "gemini-embedding-001", gem}},
		{"POST", "http://127.0.0.1:1/v1beta/tunedModels/my-model:generateContent", target{methodGenerate, "tunedModels/my-model", gem}},
		{"POST", "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent", target{methodGenerate, "gemini-2.5-pro", vtx}},
		{"POST", "http://127.0.0.1:1/v1beta1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse", target{methodStream, "gemini-2.5-pro", vtx}},
		{"POST", "http://127.0.0.1:1/v1/projects/p/locations/l/endpoints/123:generateContent", target{methodGenerate, "endpoints/123", vtx}},
		{"POST", "http://127.0.0.1:1/v1/projects/p/locations/l/publishers/google/models/text-embedding-005:predict", target{methodPredict, "text-embedding-005", vtx}},
		{"POST", "http://127.0.0.1:1/v1/projects/p/locations/l/publishers/google/models/gemini-embedding-2:embedContent", target{methodEmbed, "gemini-embedding-2", vtx}},
		{"POST", "http://127.0.0.1:1/v1/projects/p/locations/l/publishers/google/models/imagen-4:predict", target{}},
		{"POST", "http://127.0.0.1:1/v1beta/models/gemini-2.5-flash:countTokens", target{}},
		{"GET", "http://127.0.0.1:1/v1beta/models/gemini-2.5-flash", target{}},
		{"POST", "http://127.0.0.1:1/v1beta/files:upload", target{}},
		{"POST", "http://127.0.0.1:1/v1beta/models/:generateContent", target{}},
		{"POST", "http://127.0.0.1:1/a:b/c", target{}},
	} {
		if got := classify(httptest.NewRequest(c.method, c.url, nil), ""); got != c.want {
			t.Errorf("%s %s: %+v, want %+v", c.method, c.url, got, c.want)
		}
	}
	if got := classify(httptest.NewRequest("POST", "http://proxy/v1beta/models/m:generateContent", nil), vtx); got.provider != vtx {
		t.Errorf("forced backend: %+v", got)
	}
}
