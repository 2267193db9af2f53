package metrics

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// What a call costs the caller's process is mostly the OpenTelemetry SDK's
// own work (the span, its attribute arrays, the batch processor); the
// helpers here keep the rest of it (span names, attribute buffers, start
// options) from allocating per call.

// clientKind is the start option of every AI span, made once.
var clientKind = trace.WithSpanKind(trace.SpanKindClient)

// attrPool recycles the attribute slices handed to the tracer, which
// copies them: trace.NewSpanStartConfig appends the start attributes to a
// slice of its own, the SDK span's SetAttributes appends them to its own
// array.
var attrPool = sync.Pool{New: func() any { s := make([]attribute.KeyValue, 0, 32); return &s }}

// maxPooledAttrs is the largest attribute buffer returned to the pool.
const maxPooledAttrs = 256

func getAttrs() *[]attribute.KeyValue { return attrPool.Get().(*[]attribute.KeyValue) }

func putAttrs(s *[]attribute.KeyValue) {
	if cap(*s) > maxPooledAttrs {
		return
	}
	clear(*s) // no strings kept alive by the pool
	*s = (*s)[:0]
	attrPool.Put(s)
}

// maxSpanNames bounds the span names kept per AI; past it names are built
// per call.
const maxSpanNames = 1024

type spanNameKey struct{ op, model string }

// spanNames caches the "{operation} {model}" span names.
type spanNames struct {
	mu sync.RWMutex
	m  map[spanNameKey]string
}

// spanName returns the span name of an operation on a model (both valid
// UTF-8), built once per pair.
func (a *AI) spanName(op, model string) string {
	if model == "" {
		return op
	}
	k := spanNameKey{op, model}
	c := &a.names
	c.mu.RLock()
	name, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return name
	}
	name = op + " " + model
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[spanNameKey]string)
	}
	if len(c.m) < maxSpanNames {
		c.m[k] = name
	}
	c.mu.Unlock()
	return name
}

// copiesAttributes reports whether span is known to copy the attributes
// given to SetAttributes (the SDK's spans do), so that their buffer can be
// reused; other implementations keep their own.
func copiesAttributes(span trace.Span) bool {
	_, ok := span.(sdktrace.ReadOnlySpan)
	return ok
}
