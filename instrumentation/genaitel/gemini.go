package genaitel

import (
	"bytes"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/jsonscan"
)

const (
	maxCandidates = 8  // finish reasons kept, by candidate position
	maxToolCalls  = 16 // tool calls kept per call
	maxIDLen      = 128
)

// toolCall is a functionCall part the model answered with.
type toolCall struct {
	name, id []byte
	cand     int32 // position of the candidate and of the part, to pair
	part     int32 // a name and an id read apart
	chunk    int32
}

// usageFields are the counts of one usageMetadata block; in a stream each
// block is a running total, so the last one wins.
type usageFields struct {
	prompt, cached, candidates, thoughts, toolUse int64
}

// response is what the parser keeps of a generateContent or embedContent
// response, a whole JSON body or the chunks of a stream: ids, finish
// reasons, tool calls, usage and an error the body reports. It is reused
// across chunks; parsing a chunk that carries none of these allocates
// nothing.
type response struct {
	scan jsonscan.Scanner

	chunks       int32 // documents parsed (stream chunks)
	usage        usageFields
	usageSeen    bool // a usageMetadata block was read
	usageInChunk bool // ... in the current chunk

	responseID   []byte
	modelVersion []byte

	finish   [maxCandidates][]byte // by candidate position
	nFinish  int                   // positions used
	tools    [maxToolCalls]toolCall
	nTools   int
	moreTool bool // tool calls past maxToolCalls were dropped

	errCode    int64
	errStatus  []byte
	errMessage []byte
	errSeen    bool

	// predictTokens sums Vertex's predictions[].embeddings.statistics.
	// token_count, the usage of embedding models called through :predict.
	predictTokens int64
	predictSeen   bool
}

// clear empties r for another response, keeping its buffers. It resets
// field by field: assigning a whole new response would copy (and, during a
// collection, write-barrier) every byte of it.
func (r *response) clear() {
	r.chunks, r.usage, r.usageSeen, r.usageInChunk = 0, usageFields{}, false, false
	r.responseID, r.modelVersion = r.responseID[:0], r.modelVersion[:0]
	for i := range r.nFinish {
		r.finish[i] = r.finish[i][:0]
	}
	r.nFinish, r.nTools, r.moreTool = 0, 0, false
	r.errCode, r.errStatus, r.errMessage, r.errSeen = 0, r.errStatus[:0], r.errMessage[:0], false
	r.predictTokens, r.predictSeen = 0, false
}

// chunk reads one complete document, a whole body or the data of one
// stream event, and reports whether it is well formed. The fields of a
// top-level object are read where they are met; any other value is only
// checked.
func (r *response) chunk(p []byte) bool {
	r.usageInChunk = false
	r.chunks++
	return readObject(&r.scan, p, r.field)
}

// readObject reads the document p with s, calling fn for each field when
// p holds an object, and reports whether p is well formed: one value with
// only white space around it (a second value or garbage after an object
// makes it malformed). A value other than an object is only checked. s
// keeps no reference to p after, so that a pooled parser does not keep a
// body alive.
func readObject(s *jsonscan.Scanner, p []byte, fn func(key []byte, v jsonscan.Value) bool) bool {
	v := s.Parse(p)
	ok := false
	if v.Kind() != '{' {
		ok = jsonscan.Valid(p)
	} else if v.Fields(fn) {
		raw, read := v.Raw() // the object's end is known: it is not scanned again
		ok = read && jsonscan.SkipSpace(p, jsonscan.SkipSpace(p, 0)+len(raw)) == len(p)
	}
	*s = jsonscan.Scanner{}
	return ok
}

// field reads one field of the top-level object.
func (r *response) field(k []byte, v jsonscan.Value) bool {
	switch string(k) {
	case "usageMetadata":
		v.Fields(r.usageField)
	case "responseId":
		r.responseID = keepString(r.responseID, v)
	case "modelVersion":
		r.modelVersion = keepString(r.modelVersion, v)
	case "candidates":
		cand := int32(0)
		v.Elems(func(c jsonscan.Value) bool {
			r.candidate(cand, c)
			cand++
			return true
		})
	case "predictions":
		v.Elems(r.prediction)
	case "error":
		v.Fields(r.errorField)
	}
	return true
}

// usageField reads one count of a usageMetadata block.
func (r *response) usageField(k []byte, v jsonscan.Value) bool {
	n, ok := v.Int()
	if !ok {
		return true
	}
	if !r.usageInChunk {
		// A new block replaces the previous running total.
		r.usage, r.usageInChunk, r.usageSeen = usageFields{}, true, true
	}
	switch string(k) {
	case "promptTokenCount":
		r.usage.prompt = n
	case "cachedContentTokenCount":
		r.usage.cached = n
	case "candidatesTokenCount":
		r.usage.candidates = n
	case "thoughtsTokenCount":
		r.usage.thoughts = n
	case "toolUsePromptTokenCount":
		r.usage.toolUse = n
	}
	return true
}

// candidate reads candidates[cand]: its finishReason and the function
// calls of its content.parts.
func (r *response) candidate(cand int32, c jsonscan.Value) {
	c.Fields(func(k []byte, v jsonscan.Value) bool {
		switch string(k) {
		case "finishReason":
			if s, ok := v.Str(); ok && cand < maxCandidates {
				r.finish[cand] = keep(r.finish[cand], s)
				r.nFinish = max(r.nFinish, int(cand)+1)
			}
		case "content":
			fieldOf(v, "parts", func(parts jsonscan.Value) { r.parts(cand, parts) })
		}
		return true
	})
}

// parts reads the function calls of candidates[cand].content.parts.
func (r *response) parts(cand int32, parts jsonscan.Value) {
	part := int32(0)
	parts.Elems(func(p jsonscan.Value) bool {
		fieldOf(p, "functionCall", func(fc jsonscan.Value) { r.functionCall(cand, part, fc) })
		part++
		return true
	})
}

// functionCall reads the name and id of the functionCall of
// candidates[cand].content.parts[part].
func (r *response) functionCall(cand, part int32, fc jsonscan.Value) {
	fc.Fields(func(k []byte, v jsonscan.Value) bool {
		name := string(k) == "name"
		if !name && string(k) != "id" {
			return true
		}
		s, ok := v.Str()
		if !ok {
			return true
		}
		t := r.toolAt(cand, part)
		if t == nil {
			return true
		}
		if name {
			t.name = keep(t.name, s)
		} else {
			t.id = keep(t.id, s)
		}
		return true
	})
}

// prediction adds the token_count of one of Vertex's predictions[]
// (embeddings.statistics.token_count).
func (r *response) prediction(p jsonscan.Value) bool {
	fieldOf(p, "embeddings", func(e jsonscan.Value) {
		fieldOf(e, "statistics", func(s jsonscan.Value) {
			fieldOf(s, "token_count", func(tc jsonscan.Value) {
				if n, ok := tc.Int(); ok {
					// A sum past 2^62 saturates rather than wraps
					// (Usage.Validate refuses it either way).
					if n >= 1<<62-r.predictTokens {
						r.predictTokens = 1 << 62
					} else {
						r.predictTokens += n
					}
					r.predictSeen = true
				}
			})
		})
	})
	return true
}

// fieldOf calls fn with the value of key in the object v, read where it is
// met: unlike Value.Field, the rest of v is read on, in the same pass, so
// that a caller going on past v does not scan it again.
func fieldOf(v jsonscan.Value, key string, fn func(jsonscan.Value)) {
	v.Fields(func(k []byte, f jsonscan.Value) bool {
		if string(k) == key {
			fn(f)
		}
		return true
	})
}

// errorField reads one field of the error object a body reports: any
// scalar field marks the body an error.
func (r *response) errorField(k []byte, v jsonscan.Value) bool {
	switch v.Kind() {
	case '{', '[', 0:
		return true
	}
	r.errSeen = true
	switch string(k) {
	case "code":
		if n, ok := v.Int(); ok {
			r.errCode = n
		}
	case "status":
		r.errStatus = keepString(r.errStatus, v)
	case "message":
		r.errMessage = keepString(r.errMessage, v)
	}
	return true
}

// toolAt returns the tool call of this chunk's candidate and part, adding
// one if it is new; nil when maxToolCalls are already kept.
func (r *response) toolAt(cand, part int32) *toolCall {
	if r.nTools > 0 {
		t := &r.tools[r.nTools-1]
		if t.chunk == r.chunks && t.cand == cand && t.part == part {
			return t
		}
	}
	if r.nTools == maxToolCalls {
		r.moreTool = true
		return nil
	}
	t := &r.tools[r.nTools]
	r.nTools++
	t.name, t.id = t.name[:0], t.id[:0]
	t.cand, t.part, t.chunk = cand, part, r.chunks
	return t
}

// keepString keeps the contents of the string v in dst's storage, as
// keep does; dst is returned unchanged when v is not a string.
func keepString(dst []byte, v jsonscan.Value) []byte {
	if s, ok := v.Str(); ok {
		return keep(dst, s)
	}
	return dst
}

// keep copies v, the raw contents of a JSON string, into dst's storage
// when it differs from it, so that a value repeated in every chunk (the
// response id) is copied once; it is cut at maxIDLen bytes.
func keep(dst, v []byte) []byte {
	if len(v) > maxIDLen {
		v = v[:maxIDLen]
	}
	if bytes.Equal(dst, v) && dst != nil {
		return dst
	}
	return append(dst[:0], v...)
}

// Usage converts the last usage block into ailabels' counts: Gemini counts
// thinking apart from the candidates and tool-use prompts apart from the
// prompt, while ailabels' input and output include them. known is false
// when no block was read (embeddings on the Gemini API, a stream cut
// before its last chunk).
func (r *response) Usage() (u ailabels.Usage, known bool) {
	if r.usageSeen {
		u.InputTokens = r.usage.prompt + r.usage.toolUse
		u.CachedInputTokens = min(r.usage.cached, u.InputTokens)
		u.OutputTokens = r.usage.candidates + r.usage.thoughts
		u.ReasoningTokens = r.usage.thoughts
		return u, true
	}
	if r.predictSeen {
		u.InputTokens = r.predictTokens
		return u, true
	}
	return u, false
}

// request is what the parser keeps of a request body: the generation
// parameters (generationConfig). The rest (contents, tools, safety
// settings) is skipped unread.
type request struct {
	scan        jsonscan.Scanner
	maxTokens   int64
	temperature float64
	hasTemp     bool
}

// parse reads generationConfig's maxOutputTokens and temperature from a
// request body, and reports whether the body is well formed.
func (q *request) parse(body []byte) bool {
	return readObject(&q.scan, body, q.field)
}

// field reads one field of the request body.
func (q *request) field(k []byte, v jsonscan.Value) bool {
	if string(k) == "generationConfig" {
		v.Fields(q.configField)
	}
	return true
}

// configField reads one field of generationConfig.
func (q *request) configField(k []byte, v jsonscan.Value) bool {
	switch string(k) {
	case "maxOutputTokens":
		if n, ok := v.Int(); ok {
			q.maxTokens = n
		}
	case "temperature":
		if f, ok := v.Float(); ok {
			q.temperature, q.hasTemp = f, true
		}
	}
	return true
}
