package genaitel

import (
	"net/http"
	"strings"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// method is the API method a request calls.
type method uint8

const (
	methodNone method = iota
	methodGenerate
	methodStream
	methodEmbed      // :embedContent (Vertex AI, Gemini embedding models)
	methodBatchEmbed // :batchEmbedContents (what EmbedContent calls on the Gemini API)
	methodPredict    // :predict of an embedding model (Vertex AI)
)

// target is what the URL says about a call.
type target struct {
	method   method
	model    string // as in the URL: "gemini-2.5-flash", "tunedModels/x", "endpoints/123"
	provider string
}

// operation is the gen_ai.operation.name of the method.
func (t target) operation() string {
	switch t.method {
	case methodGenerate, methodStream:
		return ailabels.OperationGenerateContent
	default:
		return ailabels.OperationEmbeddings
	}
}

// classify reads the method, model and backend from a request URL of the
// Gemini API (/v1beta/models/{model}:generateContent) or of Vertex AI
// (/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:...,
// /v1beta1/publishers/google/models/{model}:... in express mode,
// .../endpoints/{id}:... for tuned models). Anything else is methodNone and
// passes through unrecorded. backend forces the provider when the client
// configuration is known; zero means read it from the URL.
func classify(r *http.Request, backend string) target {
	if r.Method != http.MethodPost || r.URL == nil {
		return target{}
	}
	p := r.URL.Path
	colon := strings.LastIndexByte(p, ':')
	slash := strings.LastIndexByte(p, '/')
	if colon < 0 || colon < slash {
		return target{}
	}
	var t target
	switch p[colon+1:] {
	case "generateContent":
		t.method = methodGenerate
	case "streamGenerateContent":
		t.method = methodStream
	case "embedContent":
		t.method = methodEmbed
	case "batchEmbedContents":
		t.method = methodBatchEmbed
	case "predict":
		t.method = methodPredict
	default:
		return target{}
	}
	resource := p[:colon]
	vertex := strings.Contains(resource, "/publishers/") || strings.Contains(resource, "/projects/") ||
		strings.HasSuffix(r.URL.Hostname(), "aiplatform.googleapis.com")
	switch {
	case backend != "":
		t.provider = backend
	case vertex:
		t.provider = ailabels.ProviderGCPVertexAI
	default:
		t.provider = ailabels.ProviderGCPGemini
	}
	if i := strings.LastIndex(resource, "/models/"); i >= 0 {
		t.model = resource[i+len("/models/"):]
	} else if i := strings.LastIndex(resource, "/endpoints/"); i >= 0 {
		t.model = resource[i+1:]
	} else if i := strings.LastIndex(resource, "/tunedModels/"); i >= 0 {
		t.model = resource[i+1:]
	} else {
		t.model = resource[slash+1:]
	}
	if t.method == methodPredict && !strings.Contains(t.model, "embedding") {
		return target{} // :predict also serves Imagen and others: not ours
	}
	if t.model == "" {
		return target{}
	}
	return t
}
