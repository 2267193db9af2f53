package bounded

import (
	"strconv"
	"sync"
	"testing"
)

func TestLabelsAdmit(t *testing.T) {
	l := NewLabels(2)
	for _, tc := range []struct {
		in, want string
		over     bool
	}{
		{"a", "a", false}, {"b", "b", false}, {"a", "a", false},
		{"c", Overflow, true}, {"b", "b", false}, {"d", Overflow, true},
	} {
		if got, over := l.Admit(tc.in); got != tc.want || over != tc.over {
			t.Errorf("Admit(%q) = %q, %v; want %q, %v", tc.in, got, over, tc.want, tc.over)
		}
	}
	if got, over := NewLabels(0).Admit("x"); got != Overflow || !over {
		t.Errorf("a bound of 0 admitted %q", got)
	}
}

func TestCacheBuildsOncePerKeyAndStopsAtMax(t *testing.T) {
	c := NewCache[int, string](3)
	builds := 0
	build := func(k int) string { builds++; return strconv.Itoa(k) }
	for range 2 {
		for k := range 5 {
			if got := c.Get(k, build); got != strconv.Itoa(k) {
				t.Fatalf("Get(%d) = %q", k, got)
			}
		}
	}
	if c.Len() != 3 {
		t.Errorf("Len() = %d, want 3", c.Len())
	}
	// Keys 0..2 built once; 3 and 4 on every call past the bound.
	if builds != 3+2*2 {
		t.Errorf("built %d times, want 7", builds)
	}
	if v, ok := c.Load(1); !ok || v != "1" {
		t.Errorf("Load(1) = %q, %v", v, ok)
	}
	if _, ok := c.Load(4); ok {
		t.Error("a key past the bound was stored")
	}
}

// TestCacheNestedGet: build may ask the cache for another key.
func TestCacheNestedGet(t *testing.T) {
	c := NewCache[string, string](10)
	got := c.Get("k", func(string) string { return c.Get("other", func(string) string { return "shared" }) })
	if got != "shared" || c.Len() != 2 {
		t.Errorf("Get = %q with %d entries", got, c.Len())
	}
}

// TestCacheConcurrent: every caller of one key gets the same stored value.
func TestCacheConcurrent(t *testing.T) {
	c := NewCache[int, *int](100)
	var wg sync.WaitGroup
	got := make([]*int, 8)
	for i := range got {
		wg.Go(func() { got[i] = c.Get(1, func(k int) *int { return &k }) })
	}
	wg.Wait()
	for _, p := range got {
		if p != got[0] {
			t.Fatal("callers got different values for one key")
		}
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := NewCache[string, int](10)
	c.Get("k", func(string) int { return 1 })
	b.ReportAllocs()
	for b.Loop() {
		c.Get("k", nil)
	}
}
