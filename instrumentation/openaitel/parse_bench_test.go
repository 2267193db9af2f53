package openaitel

import (
	"testing"

	"github.com/starmates-ai-team/telemetry/internal/aihttp"
)

// BenchmarkParseChatChunk is the parser's cost for a chunk that carries
// no usage, once the stream's id and model are known: it must not
// allocate.
func BenchmarkParseChatChunk(b *testing.B) {
	chunk := []byte(chatChunk(chatRespModel, "word "))
	var r aihttp.Response
	chatEvent(chunk, &r)
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		chatEvent(chunk, &r)
	}
}

// BenchmarkParseResponsesDelta is the same for a Responses text delta.
func BenchmarkParseResponsesDelta(b *testing.B) {
	event := []byte("response.output_text.delta")
	data := []byte(`{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"word ","logprobs":[]}`)
	var r aihttp.Response
	b.ReportAllocs()
	for b.Loop() {
		responsesEvent(event, data, &r)
	}
}

// BenchmarkParseResponsesDeltaUnnamed is a delta without its SSE event
// name: the type field is read.
func BenchmarkParseResponsesDeltaUnnamed(b *testing.B) {
	data := []byte(`{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"word ","logprobs":[]}`)
	var r aihttp.Response
	b.ReportAllocs()
	for b.Loop() {
		responsesEvent(nil, data, &r)
	}
}

// BenchmarkParseChatUsageChunk is the final chunk, with usage.
func BenchmarkParseChatUsageChunk(b *testing.B) {
	_, datas := splitEvents(eventsText(chatStream(chatRespModel, 0, true)))
	chunk := []byte(datas[len(datas)-2])
	var r aihttp.Response
	chatEvent(chunk, &r)
	b.ReportAllocs()
	for b.Loop() {
		chatEvent(chunk, &r)
	}
}

// BenchmarkParseChatBody is a whole non-streaming completion.
func BenchmarkParseChatBody(b *testing.B) {
	body := []byte(chatCompletionJSON(chatRespModel))
	b.ReportAllocs()
	for b.Loop() {
		var r aihttp.Response
		parseBody(apiChat, body, &r)
	}
}
