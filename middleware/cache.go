package middleware

import (
	"strconv"

	"github.com/starmates-ai-team/telemetry/internal/bounded"
	"github.com/starmates-ai-team/telemetry/internal/catalog"
	"github.com/starmates-ai-team/telemetry/internal/httpmetrics"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// maxEntries bounds the series cache; past it, series are built per
// request (correct, but allocating). The endpoint label has its own bound
// (the catalogue's MaxEndpoints): later endpoints are reported as
// metrics.HTTPOther, so that a router misconfigured to hand out raw paths
// cannot create unbounded series.
const maxEntries = 1 << 14

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
	labels   httpmetrics.Labels
}

// seriesCache maps label combinations to series (bounded.Cache: lock-free
// reads, a miss copies the map). The set of keys is bounded (methods x
// endpoints x status codes of the service), so the copying stops after
// warm-up.
type seriesCache struct {
	h         *httpmetrics.Instruments
	series    *bounded.Cache[seriesKey, *series]
	endpoints *bounded.Labels
}

func newSeriesCache(h *httpmetrics.Instruments) *seriesCache {
	return &seriesCache{
		h:         h,
		series:    bounded.NewCache[seriesKey, *series](maxEntries),
		endpoints: bounded.NewLabels(catalog.MaxEndpoints),
	}
}

// get returns the series of a request whose endpoint comes from src (a
// ServeMux pattern when isPattern).
func (c *seriesCache) get(method, src string, isPattern bool, status int) *series {
	if status < 100 || status > 599 {
		status = 0
	}
	return c.series.Get(seriesKey{method: method, src: src, isPattern: isPattern, status: status}, c.miss)
}

// endpointLabel makes the endpoint label from where it came from: valid
// UTF-8, and the path part of a ServeMux pattern.
func endpointLabel(src string, isPattern bool) string {
	if isPattern {
		src = patternRoute(src)
	}
	return validUTF8(src)
}

// miss builds the series of k; an endpoint over the budget shares the
// series of metrics.HTTPOther.
func (c *seriesCache) miss(k seriesKey) *series {
	endpoint := endpointLabel(k.src, k.isPattern)
	if endpoint != metrics.HTTPUnmatched && endpoint != metrics.HTTPNoRoute && endpoint != metrics.HTTPOther {
		endpoint, _ = c.endpoints.Admit(endpoint)
	}
	if endpoint == metrics.HTTPOther && k.src != metrics.HTTPOther {
		return c.series.Get(seriesKey{method: k.method, src: metrics.HTTPOther, status: k.status}, c.miss)
	}
	return c.build(k.method, endpoint, k.status)
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
