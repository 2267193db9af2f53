package openaitel

import "testing"

// BenchmarkParseChatChunk is the parser's cost for a chunk that carries
// no usage, once the stream's id and model are known: it must not
// allocate.
func BenchmarkParseChatChunk(b *testing.B) {
	chunk := []byte(chatChunk(chatRespModel, "word "))
	var r result
	r.chatChunk(chunk)
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		r.chatChunk(chunk)
	}
}

// BenchmarkParseResponsesDelta is the same for a Responses text delta.
func BenchmarkParseResponsesDelta(b *testing.B) {
	event := []byte("response.output_text.delta")
	data := []byte(`{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"word ","logprobs":[]}`)
	var r result
	b.ReportAllocs()
	for b.Loop() {
		r.responsesEvent(event, data)
	}
}

// BenchmarkParseResponsesDeltaUnnamed is a delta without its SSE event
// name: the type field is read.
func BenchmarkParseResponsesDeltaUnnamed(b *testing.B) {
	data := []byte(`{"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"word ","logprobs":[]}`)
	var r result
	b.ReportAllocs()
	for b.Loop() {
		r.responsesEvent(nil, data)
	}
}

// BenchmarkParseChatUsageChunk is the final chunk, with usage.
func BenchmarkParseChatUsageChunk(b *testing.B) {
	_, datas := splitEvents(eventsText(chatStream(chatRespModel, 0, true)))
	chunk := []byte(datas[len(datas)-2])
	var r result
	r.chatChunk(chunk)
	b.ReportAllocs()
	for b.Loop() {
		r.chatChunk(chunk)
	}
}

// BenchmarkParseChatBody is a whole non-streaming completion.
func BenchmarkParseChatBody(b *testing.B) {
	body := []byte(chatCompletionJSON(chatRespModel))
	b.ReportAllocs()
	for b.Loop() {
		var r result
		r.parseBody(apiChat, body, 200)
	}
}
