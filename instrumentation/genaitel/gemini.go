package genaitel

import (
	"bytes"
	"strconv"

	"github.com/starmates-ai-team/telemetry/ailabels"
)

// fieldKey names the JSON keys the parsers look for; every other key is
// keyOther, whose values are skipped without being copied.
type fieldKey uint8

const (
	keyOther fieldKey = iota
	keyCandidates
	keyContent
	keyParts
	keyFunctionCall
	keyName
	keyID
	keyFinishReason
	keyUsageMetadata
	keyPromptTokenCount
	keyCachedContentTokenCount
	keyCandidatesTokenCount
	keyThoughtsTokenCount
	keyToolUsePromptTokenCount
	keyModelVersion
	keyResponseID
	keyError
	keyCode
	keyStatus
	keyMessage
	keyGenerationConfig
	keyMaxOutputTokens
	keyTemperature
	keyPredictions
	keyEmbeddings
	keyStatistics
	keyTokenCount
)

// lookupKey interns a key; full is false when the key was longer than the
// lexer keeps (then it is none of ours).
func lookupKey(k []byte, full bool) fieldKey {
	if !full {
		return keyOther
	}
	switch string(k) {
	case "candidates":
		return keyCandidates
	case "content":
		return keyContent
	case "parts":
		return keyParts
	case "functionCall":
		return keyFunctionCall
	case "name":
		return keyName
	case "id":
		return keyID
	case "finishReason":
		return keyFinishReason
	case "usageMetadata":
		return keyUsageMetadata
	case "promptTokenCount":
		return keyPromptTokenCount
	case "cachedContentTokenCount":
		return keyCachedContentTokenCount
	case "candidatesTokenCount":
		return keyCandidatesTokenCount
	case "thoughtsTokenCount":
		return keyThoughtsTokenCount
	case "toolUsePromptTokenCount":
		return keyToolUsePromptTokenCount
	case "modelVersion":
		return keyModelVersion
	case "responseId":
		return keyResponseID
	case "error":
		return keyError
	case "code":
		return keyCode
	case "status":
		return keyStatus
	case "message":
		return keyMessage
	case "generationConfig":
		return keyGenerationConfig
	case "maxOutputTokens":
		return keyMaxOutputTokens
	case "temperature":
		return keyTemperature
	case "predictions":
		return keyPredictions
	case "embeddings":
		return keyEmbeddings
	case "statistics":
		return keyStatistics
	case "token_count":
		return keyTokenCount
	}
	return keyOther
}

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
	lex lexer

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
	r.lex.reset()
	r.chunks, r.usage, r.usageSeen, r.usageInChunk = 0, usageFields{}, false, false
	r.responseID, r.modelVersion = r.responseID[:0], r.modelVersion[:0]
	for i := range r.nFinish {
		r.finish[i] = r.finish[i][:0]
	}
	r.nFinish, r.nTools, r.moreTool = 0, 0, false
	r.errCode, r.errStatus, r.errMessage, r.errSeen = 0, r.errStatus[:0], r.errMessage[:0], false
	r.predictTokens, r.predictSeen = 0, false
}

// beginChunk starts a new document (one stream event, or a whole body).
func (r *response) beginChunk() {
	r.lex.reset()
	r.usageInChunk = false
	r.chunks++
}

// feed parses the next bytes of the current document.
func (r *response) feed(p []byte) { r.lex.feed(p, r.scalar) }

// chunk parses one complete document, such as the data of one SSE event.
func (r *response) chunk(p []byte) {
	r.beginChunk()
	r.lex.feed(p, r.scalar)
	r.lex.end(r.scalar)
}

// endChunk says the document fed so far is complete.
func (r *response) endChunk() { r.lex.end(r.scalar) }

func (r *response) scalar(l *lexer, str bool) {
	path := l.path()
	if len(path) == 0 || path[0].arr {
		return
	}
	v := l.value()
	switch path[0].key {
	case keyUsageMetadata:
		if len(path) != 2 || str {
			return
		}
		n, ok := parseInt(v)
		if !ok {
			return
		}
		if !r.usageInChunk {
			// A new block replaces the previous running total.
			r.usage, r.usageInChunk, r.usageSeen = usageFields{}, true, true
		}
		switch path[1].key {
		case keyPromptTokenCount:
			r.usage.prompt = n
		case keyCachedContentTokenCount:
			r.usage.cached = n
		case keyCandidatesTokenCount:
			r.usage.candidates = n
		case keyThoughtsTokenCount:
			r.usage.thoughts = n
		case keyToolUsePromptTokenCount:
			r.usage.toolUse = n
		}
	case keyResponseID:
		if len(path) == 1 && str {
			r.responseID = keep(r.responseID, v, l.trunc)
		}
	case keyModelVersion:
		if len(path) == 1 && str {
			r.modelVersion = keep(r.modelVersion, v, l.trunc)
		}
	case keyCandidates:
		r.candidateScalar(path, v, str, l.trunc)
	case keyPredictions:
		if len(path) == 5 && path[1].arr && path[2].key == keyEmbeddings && path[3].key == keyStatistics &&
			path[4].key == keyTokenCount && !str {
			if n, ok := parseInt(v); ok {
				r.predictTokens = min(r.predictTokens+n, 1<<62)
				r.predictSeen = true
			}
		}
	case keyError:
		if len(path) != 2 {
			return
		}
		r.errSeen = true
		switch path[1].key {
		case keyCode:
			if n, ok := parseInt(v); ok && !str {
				r.errCode = n
			}
		case keyStatus:
			if str {
				r.errStatus = keep(r.errStatus, v, l.trunc)
			}
		case keyMessage:
			if str {
				r.errMessage = keep(r.errMessage, v, true)
			}
		}
	}
}

func (r *response) candidateScalar(path []frame, v []byte, str, trunc bool) {
	if len(path) < 3 || !path[1].arr || path[2].arr {
		return
	}
	cand := path[1].idx
	switch {
	case len(path) == 3 && path[2].key == keyFinishReason && str:
		if cand >= maxCandidates {
			return
		}
		r.finish[cand] = keep(r.finish[cand], v, trunc)
		r.nFinish = max(r.nFinish, int(cand)+1)
	case len(path) == 7 && path[2].key == keyContent && path[3].key == keyParts &&
		path[4].arr && path[5].key == keyFunctionCall && str:
		k := path[6].key
		if k != keyName && k != keyID {
			return
		}
		t := r.toolAt(cand, path[4].idx)
		if t == nil {
			return
		}
		if k == keyName {
			t.name = keep(t.name, v, trunc)
		} else {
			t.id = keep(t.id, v, trunc)
		}
	}
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

// keep copies v into dst's storage when it differs from it, so that a
// value repeated in every chunk (the response id) is copied once.
// A truncated value is kept as far as it goes.
func keep(dst, v []byte, _ bool) []byte {
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

// finishReasons appends the finish reasons of the candidates, in their order.
func (r *response) finishReasons(dst []string) []string {
	for i := range r.nFinish {
		if len(r.finish[i]) > 0 {
			dst = append(dst, finishReasonString(r.finish[i]))
		}
	}
	return dst
}

// finishReasonString interns the values of Gemini's FinishReason enum.
func finishReasonString(b []byte) string {
	switch string(b) {
	case "STOP":
		return "STOP"
	case "MAX_TOKENS":
		return "MAX_TOKENS"
	case "SAFETY":
		return "SAFETY"
	case "RECITATION":
		return "RECITATION"
	case "LANGUAGE":
		return "LANGUAGE"
	case "OTHER":
		return "OTHER"
	case "BLOCKLIST":
		return "BLOCKLIST"
	case "PROHIBITED_CONTENT":
		return "PROHIBITED_CONTENT"
	case "SPII":
		return "SPII"
	case "MALFORMED_FUNCTION_CALL":
		return "MALFORMED_FUNCTION_CALL"
	case "IMAGE_SAFETY":
		return "IMAGE_SAFETY"
	case "UNEXPECTED_TOOL_CALL":
		return "UNEXPECTED_TOOL_CALL"
	case "FINISH_REASON_UNSPECIFIED":
		return "FINISH_REASON_UNSPECIFIED"
	}
	return string(b)
}

// request is what the parser keeps of a request body: the generation
// parameters (generationConfig). The rest (contents, tools, safety
// settings) is skipped unread.
type request struct {
	lex         lexer
	maxTokens   int64
	temperature float64
	hasTemp     bool
}

func (q *request) parse(body []byte) {
	q.lex.reset()
	q.lex.feed(body, q.scalar)
	q.lex.end(q.scalar)
}

func (q *request) scalar(l *lexer, str bool) {
	path := l.path()
	if len(path) < 2 || path[0].arr {
		return
	}
	v := l.value()
	switch path[0].key {
	case keyGenerationConfig:
		if len(path) != 2 || str {
			return
		}
		switch path[1].key {
		case keyMaxOutputTokens:
			if n, ok := parseInt(v); ok {
				q.maxTokens = n
			}
		case keyTemperature:
			if f, ok := parseFloat(v); ok {
				q.temperature, q.hasTemp = f, true
			}
		}
	}
}

// parseFloat reads a JSON number.
func parseFloat(b []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	return f, err == nil
}
