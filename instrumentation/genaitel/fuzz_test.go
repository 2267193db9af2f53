package genaitel

import (
	"encoding/json"
	"reflect"
	"testing"
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
	Bad, Done bool
}

func snap(r *response) snapshot {
	s := snapshot{Usage: r.usage, UsageSeen: r.usageSeen, ID: string(r.responseID), Model: string(r.modelVersion),
		Finish: r.finishReasons(nil), ErrCode: r.errCode, ErrStatus: string(r.errStatus), Bad: r.lex.bad, Done: r.lex.done}
	for _, t := range r.tools[:r.nTools] {
		s.Tools = append(s.Tools, string(t.name)+"/"+string(t.id))
	}
	return s
}

// FuzzResponseParser: any bytes, in any pieces, give the same result as in
// one piece, never panic, and a valid JSON document is read to its end.
func FuzzResponseParser(f *testing.F) {
	for _, s := range []string{chunkUsage, chunkText, chunkTool, `{"error":{"code":500,"status":"INTERNAL"}}`, `[]`, `{}`, `"x"`, `{"a":"\\\"`} {
		f.Add([]byte(s), uint16(1), uint16(3))
	}
	f.Fuzz(func(t *testing.T, doc []byte, a, b uint16) {
		whole := new(response)
		whole.chunk(doc)
		split := new(response)
		split.beginChunk()
		for i, n := 0, 0; i < len(doc); n++ {
			step := int(a)
			if n%2 == 1 {
				step = int(b)
			}
			step = max(1, step%64)
			split.feed(doc[i:min(i+step, len(doc))])
			i += step
		}
		split.endChunk()
		if w, s := snap(whole), snap(split); !reflect.DeepEqual(w, s) {
			t.Fatalf("whole %+v\nsplit %+v", w, s)
		}
		if json.Valid(doc) && (whole.lex.bad || !whole.lex.done) {
			t.Fatalf("valid JSON rejected: bad=%v done=%v", whole.lex.bad, whole.lex.done)
		}
		whole.Usage()
		var q request
		q.parse(doc)
	})
}

// FuzzResponseFields builds a response with encoding/json from the fuzzed
// values and checks that the parser finds exactly them.
func FuzzResponseFields(f *testing.F) {
	f.Add(int64(1200), int64(1000), int64(300), int64(50), "resp-1", "gemini-2.5-flash", "STOP", "get_weather", "some \"text\" {", uint8(3))
	f.Fuzz(func(t *testing.T, prompt, cached, cand, thoughts int64, id, model, finish, tool, text string, step uint8) {
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
		r.beginChunk()
		n := max(1, int(step))
		for i := 0; i < len(doc); i += n {
			r.feed(doc[i:min(i+n, len(doc))])
		}
		if r.lex.bad || !r.lex.done {
			t.Fatalf("rejected %s", doc)
		}
		want := usageFields{prompt: sat(abs(prompt)), cached: sat(abs(cached)), candidates: sat(abs(cand)), thoughts: sat(abs(thoughts))}
		if !r.usageSeen || r.usage != want {
			t.Errorf("usage %+v, want %+v", r.usage, want)
		}
		if got, w := string(r.responseID), enc(id); got != w {
			t.Errorf("id %q, want %q", got, w)
		}
		if got, w := string(r.modelVersion), enc(model); got != w {
			t.Errorf("model %q, want %q", got, w)
		}
		if got := r.finishReasons(nil); enc(finish) != "" && (len(got) != 1 || got[0] != enc(finish)) {
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

// sat is parseInt's saturation of large counts.
func sat(n int64) int64 {
	v, _ := parseInt([]byte(jsonNumber(n)))
	return v
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

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
		q.parse(doc)
		if q.maxTokens != sat(abs(maxTok)) || !q.hasTemp || q.temperature != temp || q.lex.bad {
			t.Errorf("%s: %+v", doc, q)
		}
	})
}
