package aihttp

import "bytes"

// eventSink receives the events a Splitter finds. The slices are the
// splitter's buffers: valid only during the call.
type eventSink interface {
	event(name, data, id []byte, oversize bool)
}

// DefaultMaxEventBytes bounds one SSE event's data (Config.MaxEventBytes):
// an event above it is passed through to the caller untouched but not
// parsed (its bytes are dropped from the splitter, not buffered).
const DefaultMaxEventBytes = 1 << 20

// maxNameBytes bounds an event's name and id; longer ones are cut.
const maxNameBytes = 256

// Splitter splits a Server-Sent Events stream into events incrementally,
// as the WHATWG HTML standard defines the format: lines end with CR LF, LF
// or CR; "data" lines of one event are joined with LF; "event" names it;
// "id" gives its id; lines starting with ':' are comments; a blank line
// dispatches the event (one without data is not dispatched); a leading
// byte order mark is skipped. At the end of the stream (Close) an event
// still pending is dispatched too, as the clients' own line readers do.
//
// Memory is bounded: the splitter keeps one partial line and one event's
// data, each at most the event bound; an event larger than that is
// dispatched with oversize set and no data, its bytes dropped. Write never
// fails and never panics, whatever the input. The zero value is not
// usable: build it with newSplitter.
type Splitter struct {
	sink     eventSink
	maxEvent int

	line     []byte // the current line, when it spans writes
	data     []byte // the current event's data
	name     []byte
	id       []byte
	hasData  bool // a data field was seen (data may be empty)
	oversize bool // the current event or line went past maxEvent
	lineOver bool // the current line went past maxEvent: drop until its end
	lastCR   bool // the previous write ended with CR: skip a leading LF
	started  bool // past the byte order mark check
	bomSeen  int  // bytes of a leading BOM seen so far
}

// newSplitter returns a Splitter that calls sink for every event, with
// events bounded to maxEvent bytes (DefaultMaxEventBytes when <= 0).
func newSplitter(sink eventSink, maxEvent int) *Splitter {
	if maxEvent <= 0 {
		maxEvent = DefaultMaxEventBytes
	}
	return &Splitter{sink: sink, maxEvent: maxEvent}
}

var bom = [3]byte{0xEF, 0xBB, 0xBF}

// Write feeds p, the next bytes of the stream. It keeps no reference to p.
func (s *Splitter) Write(p []byte) {
	if !s.started {
		for len(p) > 0 && s.bomSeen < 3 {
			if p[0] != bom[s.bomSeen] {
				// Not a BOM: feed back the part of it we swallowed.
				seen := s.bomSeen
				s.bomSeen = 3
				s.started = true
				s.feed(bom[:seen])
				break
			}
			s.bomSeen++
			p = p[1:]
		}
		if s.bomSeen < 3 {
			return
		}
		s.started = true
	}
	s.feed(p)
}

func (s *Splitter) feed(p []byte) {
	if s.lastCR && len(p) > 0 {
		s.lastCR = false
		if p[0] == '\n' {
			p = p[1:]
		}
	}
	for len(p) > 0 {
		i := indexEOL(p)
		if i < 0 {
			s.appendLine(p)
			return
		}
		if len(s.line) == 0 && !s.lineOver {
			if i > s.maxEvent {
				s.oversize = true // as if it had come in pieces
			} else {
				s.processLine(p[:i])
			}
		} else {
			s.appendLine(p[:i])
			if !s.lineOver {
				s.processLine(s.line)
			}
			s.line = s.line[:0]
		}
		s.lineOver = false
		if p[i] == '\r' {
			if i+1 == len(p) {
				s.lastCR = true
				return
			}
			if p[i+1] == '\n' {
				i++
			}
		}
		p = p[i+1:]
	}
}

// indexEOL returns the index of the first CR or LF in p, or -1 (two
// vectorised scans, not a loop over the bytes).
func indexEOL(p []byte) int {
	i := bytes.IndexByte(p, '\n')
	head := p
	if i >= 0 {
		head = p[:i]
	}
	if j := bytes.IndexByte(head, '\r'); j >= 0 {
		return j
	}
	return i
}

// appendLine keeps part of a line that spans writes, within the bound.
func (s *Splitter) appendLine(p []byte) {
	if s.lineOver {
		return
	}
	if len(s.line)+len(p) > s.maxEvent {
		s.lineOver = true
		s.oversize = true
		s.line = s.line[:0]
		return
	}
	s.line = append(s.line, p...)
}

func (s *Splitter) processLine(line []byte) {
	if len(line) == 0 {
		s.dispatch()
		return
	}
	if line[0] == ':' {
		return // comment
	}
	field, value := line, line[len(line):]
	for i, c := range line {
		if c == ':' {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
			break
		}
	}
	switch string(field) { // no allocation: the compiler compares in place
	case "data":
		if s.oversize {
			s.hasData = true
			return
		}
		extra := len(value)
		if s.hasData {
			extra++
		}
		if len(s.data)+extra > s.maxEvent {
			s.oversize = true
			s.hasData = true
			s.data = s.data[:0]
			return
		}
		if s.hasData {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, value...)
		s.hasData = true
	case "event":
		s.name = appendBounded(s.name[:0], value)
	case "id":
		s.id = appendBounded(s.id[:0], value)
	}
}

func appendBounded(dst, v []byte) []byte {
	if len(v) > maxNameBytes {
		v = v[:maxNameBytes]
	}
	return append(dst, v...)
}

// dispatch ends the current event.
func (s *Splitter) dispatch() {
	if s.hasData || s.oversize {
		data := s.data
		if s.oversize {
			data = nil
		}
		s.sink.event(s.name, data, s.id, s.oversize)
	}
	s.data = s.data[:0]
	s.name = s.name[:0]
	s.hasData = false
	s.oversize = false
	// The id persists across events (last event id), as in the standard.
}

// Close ends the stream: a pending line is processed and a pending event
// dispatched.
func (s *Splitter) Close() {
	if len(s.line) > 0 && !s.lineOver {
		s.processLine(s.line)
	}
	s.line = s.line[:0]
	s.lineOver = false
	s.dispatch()
}

// Drop ends the stream as the SSE standard does: an event that is not
// complete (no blank line after it) is discarded, not dispatched.
func (s *Splitter) Drop() {
	s.line = s.line[:0]
	s.lineOver = false
	s.data = s.data[:0]
	s.name = s.name[:0]
	s.hasData = false
	s.oversize = false
}
