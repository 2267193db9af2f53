package syncbuf

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestBuffer writes from several goroutines while reading, and checks that
// every write arrived whole.
func TestBuffer(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				fmt.Fprintf(&b, "%d-%d\n", i, j)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines, want 800", len(lines))
	}
	got := b.Bytes()
	if string(got) != b.String() {
		t.Error("Bytes and String differ")
	}
	got[0] = '!' // a copy: the buffer keeps its contents
	if b.String()[0] == '!' {
		t.Error("Bytes returned the buffer's own bytes")
	}
}
