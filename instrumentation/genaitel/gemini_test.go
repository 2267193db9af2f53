package genaitel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

const chunkUsage = `{"candidates": [{"content": {"parts": [{"text": "world"}],"role": "model"},"finishReason": "STOP","index": 0}],` +
	`"usageMetadata": {"promptTokenCount": 1200,"candidatesTokenCount": 300,"totalTokenCount": 1550,"cachedContentTokenCount": 1000,"thoughtsTokenCount": 50,"toolUsePromptTokenCount": 7,` +
	`"promptTokensDetails": [{"modality": "TEXT","tokenCount": 1200}]},"modelVersion": "gemini-2.5-flash","responseId": "resp-abc"}`

const chunkText = `{"candidates": [{"content": {"parts": [{"text": "Hello, \"quoted\" \\ {not json} [x]"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash","responseId": "resp-abc"}`

const chunkTool = `{"candidates":[{"content":{"role":"model","parts":[{"text":"let me check"},` +
	`{"functionCall":{"id":"call-1","name":"get_weather","args":{"city":"Paris","deep":{"a":[1,{"b":[2,3]}]}}}},` +
	`{"functionCall":{"name":"get_time","args":{},"id":"call-2"}}]},"finishReason":"STOP"}],"responseId":"r1","modelVersion":"gemini-2.5-pro"}`

// parse reads doc as one chunk of a fresh response, and reports whether
// it was well formed.
func parse(doc string) (*response, bool) {
	r := new(response)
	ok := r.chunk([]byte(doc))
	return r, ok
}

// layouts are doc as sent and as encoding/json lays it out compact and
// indented: the fields are found in any of them.
func layouts(t *testing.T, doc string) map[string]string {
	t.Helper()
	var compact, indented bytes.Buffer
	if err := json.Compact(&compact, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&indented, []byte(doc), "\n", "\t"); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"sent": doc, "compact": compact.String(), "indented": " \n" + indented.String() + "\n"}
}

func TestResponseParse(t *testing.T) {
	for name, doc := range layouts(t, chunkUsage) {
		t.Run("usage/"+name, func(t *testing.T) {
			r, ok := parse(doc)
			if !ok {
				t.Fatal("rejected")
			}
			u, ok := r.Usage()
			want := ailabels.Usage{InputTokens: 1207, CachedInputTokens: 1000, OutputTokens: 350, ReasoningTokens: 50}
			if !ok || u != want {
				t.Errorf("usage %+v %v, want %+v", u, ok, want)
			}
			if string(r.responseID) != "resp-abc" || string(r.modelVersion) != "gemini-2.5-flash" {
				t.Errorf("id %q model %q", r.responseID, r.modelVersion)
			}
			if got := finishReasons(r); !reflect.DeepEqual(got, []string{"STOP"}) {
				t.Errorf("finish %v", got)
			}
		})
	}
	for name, doc := range layouts(t, chunkTool) {
		t.Run("tool/"+name, func(t *testing.T) {
			r, ok := parse(doc)
			if !ok {
				t.Fatal("rejected")
			}
			if r.nTools != 2 || string(r.tools[0].name) != "get_weather" || string(r.tools[0].id) != "call-1" ||
				string(r.tools[1].name) != "get_time" || string(r.tools[1].id) != "call-2" {
				t.Errorf("tools %d %q %q %q %q", r.nTools, r.tools[0].name, r.tools[0].id, r.tools[1].name, r.tools[1].id)
			}
			if _, ok := r.Usage(); ok {
				t.Error("usage known without a usageMetadata block")
			}
		})
	}
}

func TestResponseStreamLastUsageWins(t *testing.T) {
	r := new(response)
	r.chunk([]byte(`{"usageMetadata":{"promptTokenCount":10,"thoughtsTokenCount":4}}`))
	r.chunk([]byte(chunkText))
	r.chunk([]byte(`{"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":20}}`))
	u, ok := r.Usage()
	if want := (ailabels.Usage{InputTokens: 10, OutputTokens: 20}); !ok || u != want {
		t.Errorf("usage %+v, want %+v (the last block replaces the earlier one)", u, want)
	}
}

func TestResponseError(t *testing.T) {
	r, ok := parse(`{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"x"}]}}`)
	if !ok || !r.errSeen || r.errCode != 429 || string(r.errStatus) != "RESOURCE_EXHAUSTED" || string(r.errMessage) != "Resource has been exhausted" {
		t.Errorf("error %v %v %d %q %q", ok, r.errSeen, r.errCode, r.errStatus, r.errMessage)
	}
}

// TestResponseCounts: a count is a non-negative integer up to 2^62; any
// other value (too large, negative, a fraction, a string, null) is not
// one, and leaves the other counts of its block read.
func TestResponseCounts(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "42": 42, "4611686018427387904": 1 << 62} {
		r, ok := parse(`{"usageMetadata":{"candidatesTokenCount":` + in + `}}`)
		if !ok || !r.usageSeen || r.usage.candidates != want {
			t.Errorf("%s: %d seen=%v ok=%v", in, r.usage.candidates, r.usageSeen, ok)
		}
	}
	for _, in := range []string{"99999999999999999999999", "-1", "1.5", "1e3", `"12"`, "null", "true", "{}", "[1]"} {
		r, ok := parse(`{"usageMetadata":{"promptTokenCount":` + in + `,"candidatesTokenCount":3}}`)
		if want := (usageFields{candidates: 3}); !ok || r.usage != want {
			t.Errorf("%s: usage %+v ok=%v, want %+v", in, r.usage, ok, want)
		}
		r, _ = parse(`{"error":{"code":` + in + `}}`)
		if scalar := in[0] != '{' && in[0] != '['; r.errCode != 0 || r.errSeen != scalar {
			t.Errorf("%s: error code %d seen=%v", in, r.errCode, r.errSeen)
		}
	}
}

// TestResponseMalformed: a document is well formed exactly when
// encoding/json says it is valid, and a malformed one never panics.
func TestResponseMalformed(t *testing.T) {
	for _, doc := range []string{
		`{"candidates": [`, `{"usageMetadata": {"promptTokenCount": 5`, `not json`, `{"a":1}}`, `{"a":1} {"b":2}`,
		`{"a" 1}`, `{"a":[1,2}`, `]`, `}`, `{"a":"\`, `"` + strings.Repeat(`\\`, 9) + `"`, `{,}`, `[,]`, ``, ` `,
		`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"]}]}}]}`, `{"usageMetadata":{"promptTokenCount":1,}}`,
		`{"error":{"code":500 "status":"INTERNAL"}}`, `[{"a":1}]`, `"x"`, `12`, `{}`, `{"responseId":"a"}  `,
	} {
		if _, ok := parse(doc); ok != json.Valid([]byte(doc)) {
			t.Errorf("%q: well formed %v, encoding/json says %v", doc, ok, !ok)
		}
	}
	// Deep nesting under a field that is read is followed.
	deep := `{"candidates":[{"content":{"parts":[{"functionCall":{"args":` + strings.Repeat(`{"x":[`, 30) + `1` + strings.Repeat(`]}`, 30) +
		`,"name":"f"}}]}}],"usageMetadata":{"promptTokenCount":3}}`
	r, ok := parse(deep)
	if !ok || r.nTools != 1 || string(r.tools[0].name) != "f" {
		t.Fatalf("deep: ok=%v tools=%d", ok, r.nTools)
	}
	if u, ok := r.Usage(); !ok || u.InputTokens != 3 {
		t.Errorf("deep usage %+v", u)
	}
	// A skipped value is followed up to jsonscan.MaxDepth levels, without
	// memory of its own; deeper, the document is malformed (not a panic,
	// not a stack overflow).
	nested := func(depth int) string {
		return `{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `,"usageMetadata":{"promptTokenCount":4}}`
	}
	r, ok = parse(nested(jsonscan.MaxDepth))
	if !ok {
		t.Error("nesting of jsonscan.MaxDepth refused")
	}
	if u, ok := r.Usage(); !ok || u.InputTokens != 4 {
		t.Errorf("usage after deep nesting %+v", u)
	}
	if _, ok := parse(nested(100000)); ok {
		t.Error("nesting of 100000 accepted")
	}
}

func TestRequestParse(t *testing.T) {
	var q request
	ok := q.parse([]byte(`{"contents":[{"parts":[{"text":"hi"}],"role":"user"}],"generationConfig":{"maxOutputTokens":256,"temperature":0.2},` +
		`"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT"}},{"name":"get_time"}]}]}`))
	if q.maxTokens != 256 || !q.hasTemp || q.temperature != 0.2 || !ok {
		t.Errorf("request %+v ok=%v", q, ok)
	}
	for _, doc := range []string{`{"generationConfig":{"maxOutputTokens":256}`, `{"generationConfig":{}} x`, `[`} {
		if q.parse([]byte(doc)) {
			t.Errorf("%q accepted", doc)
		}
	}
}

// TestChunkAllocs: a chunk without usage allocates nothing once the
// response id and model have been kept.
func TestChunkAllocs(t *testing.T) {
	r := new(response)
	r.chunk([]byte(chunkText))
	b := []byte(chunkText)
	if n := testing.AllocsPerRun(100, func() { r.chunk(b) }); n != 0 {
		t.Errorf("%v allocations per chunk", n)
	}
	u := []byte(chunkUsage)
	r.chunk(u)
	if n := testing.AllocsPerRun(100, func() { r.chunk(u) }); n != 0 {
		t.Errorf("%v allocations per usage chunk", n)
	}
}

// TestClearReuse: a reused parser keeps nothing of the previous response.
func TestClearReuse(t *testing.T) {
	r := new(response)
	r.chunk([]byte(`{"candidates":[{"finishReason":"STOP"},{"finishReason":"MAX_TOKENS","content":{"parts":[{"functionCall":{"name":"f","id":"1"}}]}}],` +
		`"usageMetadata":{"promptTokenCount":3},"responseId":"a","modelVersion":"m","error":{"code":500,"status":"INTERNAL","message":"x"}}`))
	r.clear()
	ok := r.chunk([]byte(`{"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}`))
	if got := snap(r, ok); !reflect.DeepEqual(got, snapshot{OK: true}) {
		t.Errorf("after clear: %+v", got)
	}
}

// TestResponseBounds: what a response keeps is bounded: ids cut at
// maxIDLen, at most maxToolCalls tool calls, a predictions sum saturated
// rather than wrapped.
func TestResponseBounds(t *testing.T) {
	long := strings.Repeat("x", 2*maxIDLen)
	r, ok := parse(`{"responseId":"` + long + `","modelVersion":"m"}`)
	if !ok || string(r.responseID) != long[:maxIDLen] {
		t.Errorf("id %q ok=%v", r.responseID, ok)
	}

	var doc strings.Builder
	doc.WriteString(`{"candidates":[{"content":{"parts":[`)
	for i := range maxToolCalls + 2 {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"functionCall":{"name":"f%d","id":%d}}`, i, i) // an id that is not a string is not one
	}
	doc.WriteString(`]}}]}`)
	r, ok = parse(doc.String())
	if !ok || r.nTools != maxToolCalls || !r.moreTool || string(r.tools[maxToolCalls-1].name) != fmt.Sprint("f", maxToolCalls-1) ||
		len(r.tools[0].id) != 0 {
		t.Errorf("tools %d more=%v ok=%v", r.nTools, r.moreTool, ok)
	}

	r, ok = parse(`{"predictions":[{"embeddings":{"statistics":{"token_count":4611686018427387904}}},` +
		`{"embeddings":{"statistics":{"token_count":4611686018427387904}}},{"embeddings":{"values":[0.1]}}]}`)
	if u, known := r.Usage(); !ok || !known || u.InputTokens != 1<<62 {
		t.Errorf("predictions usage %+v known=%v ok=%v", u, known, ok)
	}
}

// finishReasons returns the finish reasons r kept, in candidate order.
func finishReasons(r *response) []string {
	var out []string
	for i := range r.nFinish {
		if len(r.finish[i]) > 0 {
			out = append(out, string(r.finish[i]))
		}
	}
	return out
}
