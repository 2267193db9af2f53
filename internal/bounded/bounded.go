// Package bounded keeps the label values and prepared series of the SDK's
// instruments within a budget, so that no caller input can create unbounded
// series: Labels admits the first N distinct values of a label and turns
// later ones into Overflow, and Cache holds what the request path needs per
// label combination behind lock-free reads.
package bounded

import (
	"sync"
	"sync/atomic"

	"github.com/starmates-ai-team/telemetry/internal/catalog"
)

// Overflow is the value recorded for every label value past its bound, for
// every label the SDK bounds (HTTP endpoints and methods, AI models and
// providers, business segments). It follows the HTTP semantic conventions'
// "_OTHER" for methods, and cannot collide with a caller's value: label
// values are lower-cased, methods are upper-case tokens without '_'.
const Overflow = catalog.Overflow

// Labels admits the first max distinct values of one label; later values
// are Overflow. It is safe for concurrent use.
type Labels struct {
	mu   sync.Mutex
	max  int
	seen map[string]struct{}
}

// NewLabels returns a bound of max distinct values (at least 0).
func NewLabels(max int) *Labels {
	return &Labels{max: max, seen: make(map[string]struct{})}
}

// Admit returns the value to record for v: v itself when it is known or
// the bound has room, else Overflow with overflowed true.
func (l *Labels) Admit(v string) (value string, overflowed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[v]; ok {
		return v, false
	}
	if len(l.seen) >= l.max {
		return Overflow, true
	}
	l.seen[v] = struct{}{}
	return v, false
}

// Cache maps keys (label combinations) to values built once per key, for
// the request path: reads are lock-free on an immutable map, and a miss
// copies the map under a mutex. The keys of a service are bounded (its
// routes, models, status codes), so the copying stops after warm-up; past
// max entries, values are built per call and not stored (correct, but
// allocating). The zero Cache is not usable: build it with NewCache.
type Cache[K comparable, V any] struct {
	m   atomic.Pointer[map[K]V]
	mu  sync.Mutex
	max int
}

// NewCache returns an empty cache of at most max entries.
func NewCache[K comparable, V any](max int) *Cache[K, V] {
	c := &Cache[K, V]{max: max}
	m := make(map[K]V)
	c.m.Store(&m)
	return c
}

// Get returns the value of k, building it with build on a miss. build runs
// without the cache's lock, so it may call Get for another key; when two
// calls miss the same key at once, both build and the first value stored
// is returned to both (build must not have effects that matter twice).
func (c *Cache[K, V]) Get(k K, build func(K) V) V {
	if v, ok := (*c.m.Load())[k]; ok {
		return v
	}
	return c.store(k, build(k))
}

// Load returns the value of k, if it is stored.
func (c *Cache[K, V]) Load(k K) (V, bool) {
	v, ok := (*c.m.Load())[k]
	return v, ok
}

func (c *Cache[K, V]) store(k K, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.m.Load()
	if w, ok := old[k]; ok {
		return w
	}
	if len(old) >= c.max {
		return v
	}
	m := make(map[K]V, len(old)+1)
	for kk, vv := range old {
		m[kk] = vv
	}
	m[k] = v
	c.m.Store(&m)
	return v
}

// Len returns the number of stored entries.
func (c *Cache[K, V]) Len() int { return len(*c.m.Load()) }
