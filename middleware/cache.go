package middleware

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/starmates-ai-team/telemetry/metrics"
)

// Bounds of the series cache. A middleware remembers at most maxEndpoints
// distinct endpoints; later ones are reported as metrics.HTTPOther, so that
// a router misconfigured to hand out raw paths cannot create unbounded
// series. maxEntries bounds the cache itself; past it, series are built per
// request (correct, but allocating).
const (
	maxEndpoints = 1000
	maxEntries   = 1 << 14
)

// seriesKey is one combination of labels, with the endpoint as it came
// (see handler.endpoint): the cache makes the label from it once. method is
// already normalised; status is 0 for codes outside 100..599.
type seriesKey struct {
	method    string
	src       string // the route, or a ServeMux pattern when isPattern
	isPattern bool
	status    int
}

// series is what a request needs once its labels are known, built once per
// combination: the span name and the prepared metric options.
type series struct {
	endpoint string // the endpoint label: the route, HTTPUnmatched, HTTPNoRoute or HTTPOther
	spanName string
	status   string // the status code in decimal, for error.type
	hasRoute bool   // endpoint is a real route template (for the http.route attribute)
	labels   metrics.HTTPLabels
}

// seriesCache maps label combinations to series. Reads are lock-free on an
// immutable map; a miss copies the map under a mutex. The set of keys is
// bounded (methods x endpoints x status codes of the service), so the
// copying stops after warm-up.
type seriesCache struct {
	h *metrics.HTTP
	m atomic.Pointer[map[seriesKey]*series]

	mu        sync.Mutex
	endpoints map[string]struct{}
}

func newSeriesCache(h *metrics.HTTP) *seriesCache {
	c := &seriesCache{h: h, endpoints: make(map[string]struct{})}
	m := make(map[seriesKey]*series)
	c.m.Store(&m)
	return c
}

// get returns the series of a request whose endpoint comes from src (a
// ServeMux pattern when isPattern).
func (c *seriesCache) get(method, src string, isPattern bool, status int) *series {
	if status < 100 || status > 599 {
		status = 0
	}
	k := seriesKey{method: method, src: src, isPattern: isPattern, status: status}
	if s, ok := (*c.m.Load())[k]; ok {
		return s
	}
	return c.miss(k)
}

// endpointLabel makes the endpoint label from where it came from: valid
// UTF-8, and the path part of a ServeMux pattern.
func endpointLabel(src string, isPattern bool) string {
	if isPattern {
		src = patternRoute(src)
	}
	return validUTF8(src)
}

func (c *seriesCache) miss(k seriesKey) *series {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.m.Load()
	if s, ok := old[k]; ok {
		return s
	}
	endpoint := endpointLabel(k.src, k.isPattern)
	if _, known := c.endpoints[endpoint]; !known && endpoint != metrics.HTTPUnmatched && endpoint != metrics.HTTPNoRoute {
		if len(c.endpoints) < maxEndpoints {
			c.endpoints[endpoint] = struct{}{}
		} else {
			endpoint = metrics.HTTPOther
		}
	}
	other := seriesKey{method: k.method, src: metrics.HTTPOther, status: k.status}
	var s *series
	if endpoint == metrics.HTTPOther {
		// Over the endpoint budget: share the HTTPOther series.
		s = old[other]
	}
	if s == nil {
		s = c.build(k.method, endpoint, k.status)
	}
	if len(old) >= maxEntries {
		return s
	}
	m := make(map[seriesKey]*series, len(old)+2)
	for kk, v := range old {
		m[kk] = v
	}
	m[k] = s
	if endpoint == metrics.HTTPOther {
		m[other] = s
	}
	c.m.Store(&m)
	return s
}

func (c *seriesCache) build(method, endpoint string, status int) *series {
	s := &series{endpoint: endpoint, spanName: spanMethod(method), status: strconv.Itoa(status)}
	if endpoint != metrics.HTTPUnmatched && endpoint != metrics.HTTPNoRoute && endpoint != metrics.HTTPOther {
		s.hasRoute = true
		s.spanName += " " + endpoint
	}
	s.labels = c.h.Labels(method, endpoint, status)
	return s
}

// spanMethod is the method part of a span name: "HTTP" for a method outside
// the known set, as the semantic conventions say.
func spanMethod(method string) string {
	if method == metrics.HTTPOther {
		return "HTTP"
	}
	return method
}
