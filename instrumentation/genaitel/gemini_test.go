package genaitel

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

const chunkUsage = `{"candidates": [{"content": {"parts": [{"text": "world"}],"role": "model"},"finishReason": "STOP","index": 0}],` +
	`"usageMetadata": {"promptTokenCount": 1200,"candidatesTokenCount": 300,"totalTokenCount": 1550,"cachedContentTokenCount": 1000,"thoughtsTokenCount": 50,"toolUsePromptTokenCount": 7,` +
	`"promptTokensDetails": [{"modality": "TEXT","tokenCount": 1200}]},"modelVersion": "gemini-2.5-flash","responseId": "resp-abc"}`

const chunkText = `{"candidates": [{"content": {"parts": [{"text": "Hello, \"quoted\" \\ {not json} [x]"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash","responseId": "resp-abc"}`

const chunkTool = `{"candidates":[{"content":{"role":"model","parts":[{"text":"let me check"},` +
	`{"functionCall":{"id":"call-1","name":"get_weather","args":{"city":"Paris","deep":{"a":[1,{"b":[2,3]}]}}}},` +
	`{"functionCall":{"name":"get_time","args":{},"id":"call-2"}}]},"finishReason":"STOP"}],"responseId":"r1","modelVersion":"gemini-2.5-pro"}`

// parseSplit feeds doc to a fresh response in pieces of n bytes.
func parseSplit(doc string, n int) *response {
	r := new(response)
	r.beginChunk()
	for i := 0; i < len(doc); i += n {
		r.feed([]byte(doc[i:min(i+n, len(doc))]))
	}
	return r
}

func TestResponseParse(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64, 1 << 20} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := parseSplit(chunkUsage, n)
			if r.lex.bad || !r.lex.done {
				t.Fatalf("bad=%v done=%v", r.lex.bad, r.lex.done)
			}
			u, ok := r.Usage()
			want := ailabels.Usage{InputTokens: 1207, CachedInputTokens: 1000, OutputTokens: 350, ReasoningTokens: 50}
			if !ok || u != want {
				t.Errorf("usage %+v %v, want %+v", u, ok, want)
			}
			if string(r.responseID) != "resp-abc" || string(r.modelVersion) != "gemini-2.5-flash" {
				t.Errorf("id %q model %q", r.responseID, r.modelVersion)
			}
			if got := r.finishReasons(nil); !reflect.DeepEqual(got, []string{"STOP"}) {
				t.Errorf("finish %v", got)
			}

			r = parseSplit(chunkTool, n)
			if r.lex.bad {
				t.Fatal("bad")
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
	r := parseSplit(`{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"x"}]}}`, 5)
	if !r.errSeen || r.errCode != 429 || string(r.errStatus) != "RESOURCE_EXHAUSTED" || string(r.errMessage) != "Resource has been exhausted" {
		t.Errorf("error %v %d %q %q", r.errSeen, r.errCode, r.errStatus, r.errMessage)
	}
}

func TestLexerMalformed(t *testing.T) {
	for _, doc := range []string{
		`{"candidates": [`, `{"usageMetadata": {"promptTokenCount": 5`, `not json`, `{"a":1}}`, `{"a":1} {"b":2}`,
		`{"a" 1}`, `{"a":[1,2}`, `]`, `}`, `{"a":"\`, `"` + strings.Repeat(`\\`, 9) + `"`, `{,}`, `[,]`,
	} {
		r := parseSplit(doc, 1)
		if r.lex.done && !r.lex.bad && json.Valid([]byte(doc)) == false && !strings.HasPrefix(doc, `{"a" 1`) {
			t.Logf("%q accepted", doc) // leniency is allowed, panics are not
		}
	}
	// Deeper than maxDepth, still followed.
	deep := `{"candidates":[{"content":{"parts":[{"functionCall":{"args":` + strings.Repeat(`{"x":[`, 30) + `1` + strings.Repeat(`]}`, 30) +
		`,"name":"f"}}]}}],"usageMetadata":{"promptTokenCount":3}}`
	r := parseSplit(deep, 3)
	if r.lex.bad || r.nTools != 1 || string(r.tools[0].name) != "f" {
		t.Fatalf("deep: bad=%v tools=%d", r.lex.bad, r.nTools)
	}
	if u, ok := r.Usage(); !ok || u.InputTokens != 3 {
		t.Errorf("deep usage %+v", u)
	}
	// Any depth is skipped without memory of its own.
	r = parseSplit(`{"a":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`,"usageMetadata":{"promptTokenCount":4}}`, 7)
	if r.lex.bad || !r.lex.done {
		t.Error("deep nesting refused")
	}
	if u, ok := r.Usage(); !ok || u.InputTokens != 4 {
		t.Errorf("usage after deep nesting %+v", u)
	}
}

func TestRequestParse(t *testing.T) {
	var q request
	q.parse([]byte(`{"contents":[{"parts":[{"text":"hi"}],"role":"user"}],"generationConfig":{"maxOutputTokens":256,"temperature":0.2},` +
		`"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT"}},{"name":"get_time"}]}]}`))
	if q.maxTokens != 256 || !q.hasTemp || q.temperature != 0.2 || q.lex.bad || !q.lex.done {
		t.Errorf("request %+v", q)
	}
}

func TestParseInt(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "42": 42, "99999999999999999999999": 1 << 62} {
		if n, ok := parseInt([]byte(in)); !ok || n != want {
			t.Errorf("%s: %d %v", in, n, ok)
		}
	}
	for _, in := range []string{"", "-1", "1.5", "1e3", "x"} {
		if _, ok := parseInt([]byte(in)); ok {
			t.Errorf("%q parsed", in)
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
	r.chunk([]byte(`{"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}`))
	if got := snap(r); !reflect.DeepEqual(got, snapshot{Done: true}) {
		t.Errorf("after clear: %+v", got)
	}
}
