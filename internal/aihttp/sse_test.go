package aihttp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

type recorded struct {
	name, data, id string
	oversize       bool
}

type recSink struct{ events []recorded }

func (s *recSink) event(name, data, id []byte, oversize bool) {
	s.events = append(s.events, recorded{string(name), string(data), string(id), oversize})
}

func split(input string, max int, chunk int) []recorded {
	sink := &recSink{}
	s := newSplitter(sink, max)
	b := []byte(input)
	for len(b) > 0 {
		n := chunk
		if n <= 0 || n > len(b) {
			n = len(b)
		}
		s.Write(b[:n])
		b = b[n:]
	}
	s.Close()
	return sink.events
}

func TestSplitter(t *testing.T) {
	cases := []struct {
		name  string
		input string
		want  []recorded
	}{
		{"lf", "data: a\n\ndata: b\n\n", []recorded{{"", "a", "", false}, {"", "b", "", false}}},
		{"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", []recorded{{"", "a", "", false}, {"", "b", "", false}}},
		{"cr", "data: a\r\rdata: b\r\r", []recorded{{"", "a", "", false}, {"", "b", "", false}}},
		{"named", "event: message_start\ndata: {}\n\n", []recorded{{"message_start", "{}", "", false}}},
		{"multi-line data", "data: a\ndata: b\ndata\n\n", []recorded{{"", "a\nb\n", "", false}}},
		{"no space", "data:a\n\n", []recorded{{"", "a", "", false}}},
		{"two spaces", "data:  a\n\n", []recorded{{"", " a", "", false}}},
		{"comment", ": keep-alive\n\ndata: x\n\n", []recorded{{"", "x", "", false}}},
		{"no data", "event: ping\n\n", nil},
		{"empty data", "data:\n\n", []recorded{{"", "", "", false}}},
		{"id persists", "id: 7\ndata: a\n\ndata: b\n\n", []recorded{{"", "a", "7", false}, {"", "b", "7", false}}},
		{"bom", "\xEF\xBB\xBFdata: a\n\n", []recorded{{"", "a", "", false}}},
		{"not a bom", "\xEFdata: a\n\n", nil},
		{"unknown field", "retry: 10\nfoo: bar\ndata: a\n\n", []recorded{{"", "a", "", false}}},
		{"pending at end", "data: last", []recorded{{"", "last", "", false}}},
		{"name reset", "event: a\ndata: 1\n\ndata: 2\n\n", []recorded{{"a", "1", "", false}, {"", "2", "", false}}},
	}
	for _, c := range cases {
		for _, chunk := range []int{0, 1, 2, 3, 7} {
			got := split(c.input, 1024, chunk)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s (chunks of %d): got %+v, want %+v", c.name, chunk, got, c.want)
			}
		}
	}
}

func TestSplitterOversize(t *testing.T) {
	big := strings.Repeat("x", 100)
	input := "data: " + big + "\n\ndata: ok\n\ndata: 1234\ndata: " + big + "\n\ndata: ok2\n\n"
	for _, chunk := range []int{0, 1, 5, 64} {
		got := split(input, 50, chunk)
		want := []recorded{{"", "", "", true}, {"", "ok", "", false}, {"", "", "", true}, {"", "ok2", "", false}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("chunks of %d: %+v", chunk, got)
		}
	}
}

// The splitter's buffers stay within the bound whatever comes in.
func TestSplitterBounded(t *testing.T) {
	sink := &recSink{}
	s := newSplitter(sink, 1000)
	line := bytes.Repeat([]byte("a"), 4096)
	for i := 0; i < 1000; i++ {
		s.Write(line) // one endless line
	}
	if cap(s.line) > 2000 || cap(s.data) > 2000 {
		t.Errorf("buffers grew to %d, %d", cap(s.line), cap(s.data))
	}
	s.Write([]byte("\n\ndata: x\n\n"))
	// The long line's event is flagged oversize (its field is unknown: it
	// was dropped), then the stream goes on.
	if len(sink.events) != 2 || !sink.events[0].oversize || sink.events[1].data != "x" {
		t.Errorf("after an oversize line: %+v", sink.events)
	}
}

// FuzzSplitter: no panic, the same events however the input is cut, and
// buffers within the bound.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("data: a\r\n\r\nevent: x\ndata: b\rdata: c\r\r: c\n\xEF\xBB\xBFdata"), uint8(3))
	f.Add([]byte("data: {\"usage\":1}\n\ndata: [DONE]\n\n"), uint8(1))
	f.Add([]byte("\r\n\r\r\n\n:\ndata\nid\nevent\n"), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		const max = 64
		whole := split(string(in), max, 0)
		pieces := split(string(in), max, int(cut)%17+1)
		if fmt.Sprint(whole) != fmt.Sprint(pieces) {
			t.Fatalf("whole %+v, in pieces of %d %+v", whole, int(cut)%17+1, pieces)
		}
		for _, e := range whole {
			if len(e.data) > max {
				t.Fatalf("event of %d bytes past the bound", len(e.data))
			}
		}
	})
}

type countSink struct{ n int }

func (s *countSink) event(name, data, id []byte, oversize bool) { s.n++ }

// BenchmarkSplitterEvent: one OpenAI-sized chunk per write; 0 allocs/op.
func BenchmarkSplitterEvent(b *testing.B) {
	ev := []byte(`data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_4d","choices":[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}]}` + "\n\n")
	sink := &countSink{}
	s := newSplitter(sink, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(ev)))
	for b.Loop() {
		s.Write(ev)
	}
	if sink.n == 0 {
		b.Fatal("no events")
	}
}

// TestSplitterDropsTheIncompleteLastEvent: Drop ends a stream as the SSE
// standard and the Stainless clients do, without the event that the end
// cut short; Close (Handler.PartialLastEvent) dispatches it.
func TestSplitterDropsTheIncompleteLastEvent(t *testing.T) {
	for _, in := range []string{"data: a\n\ndata: cut", "data: a\n\ndata: cut\n", "data: a\n\nevent: x\ndata: cut\n"} {
		sink := &recSink{}
		s := newSplitter(sink, 1024)
		s.Write([]byte(in))
		s.Drop()
		if len(sink.events) != 1 || sink.events[0].data != "a" {
			t.Errorf("%q: Drop dispatched %+v, want only a", in, sink.events)
		}
		s.Write([]byte("data: next\n\n"))
		if len(sink.events) != 2 || sink.events[1] != (recorded{"", "next", "", false}) {
			t.Errorf("%q: after Drop, %+v", in, sink.events)
		}
	}
}
