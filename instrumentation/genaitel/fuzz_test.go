package genaitel

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

// snapshot is what a parse found, to compare two parses.
type snapshot struct {
	Usage     usageFields
	UsageSeen bool
	ID, Model string
	Finish    []string
	Tools     []string
	ErrCode   int64
	ErrStatus string
	OK        bool // the document was well formed
}

// snap returns what r found in a chunk that chunk judged ok.
func snap(r *response, ok bool) snapshot {
	s := snapshot{Usage: r.usage, UsageSeen: r.usageSeen, ID: string(r.responseID), Model: string(r.modelVersion),
		Finish: finishReasons(r), ErrCode: r.errCode, ErrStatus: string(r.errStatus), OK: ok}
	for _, t := range r.tools[:r.nTools] {
		s.Tools = append(s.Tools, string(t.name)+"/"+string(t.id))
	}
	return s
}

// FuzzResponseParser: any bytes never panic, give the same result to a
// fresh parser, to a reused one and with white space around them, and a
// valid JSON document (up to jsonscan.MaxDepth deep) is well formed.
func FuzzResponseParser(f *testing.F) {
	for _, s := range []string{chunkUsage, chunkText, chunkTool, `{"error":{"code":500,"status":"INTERNAL"}}`, `[]`, `{}`, `"x"`, `{"a":"\\\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		fresh := new(response)
		ok := fresh.chunk(doc)
		want := snap(fresh, ok)
		reused := new(response)
		reused.chunk([]byte(chunkTool))
		reused.clear()
		if got := snap(reused, reused.chunk(doc)); !reflect.DeepEqual(got, want) {
			t.Fatalf("reused %+v\nfresh %+v", got, want)
		}
		spaced := new(response)
		if got := snap(spaced, spaced.chunk(append(append([]byte(" \n\t"), doc...), " \r\n"...))); !reflect.DeepEqual(got, want) {
			t.Fatalf("spaced %+v\nfresh %+v", got, want)
		}
		valid := json.Valid(doc) && depth(doc) <= jsonscan.MaxDepth
		if valid && !ok {
			t.Fatal("valid JSON rejected")
		}
		fresh.Usage()
		var q request
		if !q.parse(doc) && valid {
			t.Fatal("valid JSON request rejected")
		}
	})
}

// depth returns the deepest nesting of objects and arrays in doc, valid
// JSON.
func depth(doc []byte) int {
	d, deepest, str := 0, 0, false
	for i := 0; i < len(doc); i++ {
		switch c := doc[i]; {
		case str && c == '\\':
			i++
		case c == '"':
			str = !str
		case str:
		case c == '{' || c == '[':
			d++
			deepest = max(deepest, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return deepest
}

// FuzzResponseFields builds a response with encoding/json from the fuzzed
// values and checks that the parser finds exactly them.
func FuzzResponseFields(f *testing.F) {
	f.Add(int64(1200), int64(1000), int64(300), int64(50), "resp-1", "gemini-2.5-flash", "STOP", "get_weather", "some \"text\" {")
	f.Add(int64(1)<<62, int64(1)<<62+1, int64(-1)<<63, int64(0), "", "", "", "", "")
	f.Fuzz(func(t *testing.T, prompt, cached, cand, thoughts int64, id, model, finish, tool, text string) {
		type fc struct {
			Name string         `json:"name"`
			Args map[string]any `json:"args"`
		}
		type part struct {
			Text         string `json:"text,omitempty"`
			FunctionCall *fc    `json:"functionCall,omitempty"`
		}
		doc, err := json.Marshal(map[string]any{
			"candidates": []any{map[string]any{
				"content":      map[string]any{"parts": []part{{Text: text}, {FunctionCall: &fc{Name: tool, Args: map[string]any{"q": text}}}}, "role": "model"},
				"finishReason": finish,
			}},
			"usageMetadata": map[string]any{"promptTokenCount": abs(prompt), "cachedContentTokenCount": abs(cached),
				"candidatesTokenCount": abs(cand), "thoughtsTokenCount": abs(thoughts)},
			"modelVersion": model,
			"responseId":   id,
		})
		if err != nil {
			t.Skip()
		}
		r := new(response)
		if !r.chunk(doc) {
			t.Fatalf("rejected %s", doc)
		}
		var want usageFields
		var seen [4]bool
		want.prompt, seen[0] = count(abs(prompt))
		want.cached, seen[1] = count(abs(cached))
		want.candidates, seen[2] = count(abs(cand))
		want.thoughts, seen[3] = count(abs(thoughts))
		if wantSeen := seen != [4]bool{}; r.usageSeen != wantSeen || r.usage != want {
			t.Errorf("usage %+v seen=%v, want %+v seen=%v", r.usage, r.usageSeen, want, wantSeen)
		}
		if got, w := string(r.responseID), enc(id); got != w {
			t.Errorf("id %q, want %q", got, w)
		}
		if got, w := string(r.modelVersion), enc(model); got != w {
			t.Errorf("model %q, want %q", got, w)
		}
		if got := finishReasons(r); enc(finish) != "" && (len(got) != 1 || got[0] != enc(finish)) {
			t.Errorf("finish %q, want %q", got, enc(finish))
		}
		if r.nTools != 1 || string(r.tools[0].name) != enc(tool) {
			t.Errorf("tools %d %q, want %q", r.nTools, r.tools[0].name, enc(tool))
		}
	})
}

func abs(n int64) int64 {
	if n < 0 {
		if n == -n {
			return 0
		}
		return -n
	}
	return n
}

// count is what the parser reads of n written as a count: n, unless it is
// too large for jsonscan's Int (then the count is not read, and is 0).
func count(n int64) (int64, bool) {
	return jsonscan.ParseInt(strconv.AppendInt(nil, n, 10))
}

// enc is s as the parser keeps it: JSON-escaped, without quotes, cut at
// maxIDLen bytes.
func enc(s string) string { return encN(s, maxIDLen) }

func encN(s string, n int) string {
	b, _ := json.Marshal(s)
	b = b[1 : len(b)-1]
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// FuzzRequestParser: request bodies never panic and their fields are found
// in any layout encoding/json produces.
func FuzzRequestParser(f *testing.F) {
	f.Add(int64(256), 0.7, "get_weather", "hello")
	f.Fuzz(func(t *testing.T, maxTok int64, temp float64, tool, text string) {
		doc, err := json.Marshal(map[string]any{
			"contents":         []any{map[string]any{"parts": []any{map[string]any{"text": text}}, "role": "user"}},
			"generationConfig": map[string]any{"maxOutputTokens": abs(maxTok), "temperature": temp},
			"tools":            []any{map[string]any{"functionDeclarations": []any{map[string]any{"name": tool}}}},
		})
		if err != nil {
			t.Skip()
		}
		var q request
		ok := q.parse(doc)
		if n, _ := count(abs(maxTok)); q.maxTokens != n || !q.hasTemp || q.temperature != temp || !ok {
			t.Errorf("%s: %+v", doc, q)
		}
	})
}
