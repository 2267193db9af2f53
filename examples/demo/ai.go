package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/stackquery"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// modelStat is what the demo prints per model: calls and cost from the
// ai_* series, time to first token of the streamed calls.
type modelStat struct {
	provider string
	calls    float64
	cost     float64
	streams  float64
	p50, p95 float64 // seconds; NaN when no stream
	exact    bool    // p50/p95 from each call's span, not from histogram buckets
}

// label is the model label of the ai_* series for a requested model
// (gpt-4o-2024-08-06 is gpt-4o).
func label(model string) string {
	if m, err := ailabels.NormalizeModel(model); err == nil {
		return m
	}
	return model
}

func (r *report) stat(model string) *modelStat {
	if r.models == nil {
		r.models = map[string]*modelStat{}
	}
	s := r.models[model]
	if s == nil {
		s = &modelStat{p50: math.NaN(), p95: math.NaN()}
		r.models[model] = s
	}
	return s
}

// localAI reads the per-model figures from workflow-agent's in-process
// pipeline: calls and cost from ai_requests_total and ai_cost_total, time
// to first token from each streamed call's span
// (gen_ai.response.time_to_first_chunk).
func (r *report) localAI(k *telemetrytest.Kit) {
	for _, m := range r.metrics {
		switch m.name {
		case metrics.AIRequestsName:
			s := r.stat(m.labels["model"])
			s.calls += m.value
			s.provider = m.labels["provider"]
		case metrics.AICostName:
			r.stat(m.labels["model"]).cost += m.value
		}
	}
	ttft := map[string][]float64{}
	for _, sp := range k.Spans() {
		var model string
		var first float64
		for _, kv := range sp.Attributes {
			switch kv.Key {
			case ailabels.GenAIRequestModelKey:
				model = label(kv.Value.AsString())
			case ailabels.GenAIResponseTimeToFirstChunkKey:
				first = kv.Value.AsFloat64()
			}
		}
		if model != "" && first > 0 {
			ttft[model] = append(ttft[model], first)
		}
	}
	for model, v := range ttft {
		sort.Float64s(v)
		s := r.stat(model)
		s.streams, s.exact = float64(len(v)), true
		s.p50, s.p95 = quantile(v, 0.5), quantile(v, 0.95)
	}
}

// quantile of sorted v, nearest rank.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(v)))) - 1
	return v[max(0, min(i, len(v)-1))]
}

// stackAI reads the per-model figures from Prometheus: calls and cost from
// the ai_* series, time to first token from the
// gen_ai.client.operation.time_to_first_chunk histogram (quantiles
// interpolated in its buckets, as histogram_quantile does).
func (r *report) stackAI(ctx context.Context, st stackquery.Stack, sel string) error {
	reqs, err := st.Query(ctx, fmt.Sprintf(`sum by (model, provider) (%s{%s})`, metrics.AIRequestsName, sel))
	if err != nil {
		return err
	}
	for _, s := range reqs {
		m := r.stat(s.Labels["model"])
		m.calls += s.Value
		m.provider = s.Labels["provider"]
	}
	costs, err := st.Query(ctx, fmt.Sprintf(`sum by (model) (%s{%s})`, metrics.AICostName, sel))
	if err != nil {
		return err
	}
	for _, s := range costs {
		r.stat(s.Labels["model"]).cost = s.Value
	}
	hist := strings.ReplaceAll(metrics.GenAITimeToFirstChunkName, ".", "_") + "_seconds"
	// The histogram is keyed by the model as requested; fold the dated
	// names into the label of the ai_* series.
	buckets := map[string]map[string]float64{} // model -> le -> count
	bs, err := st.Query(ctx, fmt.Sprintf(`sum by (le, gen_ai_request_model) (%s_bucket{%s})`, hist, sel))
	if err != nil {
		return err
	}
	for _, s := range bs {
		m := label(s.Labels["gen_ai_request_model"])
		if buckets[m] == nil {
			buckets[m] = map[string]float64{}
		}
		buckets[m][s.Labels["le"]] += s.Value
	}
	for model, b := range buckets {
		s := r.stat(model)
		s.streams = b["+Inf"]
		s.p50, s.p95 = bucketQuantile(b, 0.5), bucketQuantile(b, 0.95)
	}
	return nil
}

// bucketQuantile is histogram_quantile over cumulative bucket counts keyed
// by their upper bound.
func bucketQuantile(b map[string]float64, q float64) float64 {
	type bucket struct{ le, n float64 }
	var bs []bucket
	for le, n := range b {
		var v float64
		if le == "+Inf" {
			v = math.Inf(1)
		} else if _, err := fmt.Sscan(le, &v); err != nil {
			continue
		}
		bs = append(bs, bucket{v, n})
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		return math.NaN()
	}
	rank := q * bs[len(bs)-1].n
	lo, below := 0.0, 0.0
	for _, x := range bs {
		if x.n >= rank {
			if math.IsInf(x.le, 1) {
				return lo // as Prometheus: the highest finite bound
			}
			if x.n == below {
				return x.le
			}
			return lo + (x.le-lo)*(rank-below)/(x.n-below)
		}
		lo, below = x.le, x.n
	}
	return lo
}

func (r report) printAI(w io.Writer) {
	exact := false
	for _, s := range r.models {
		exact = exact || s.exact
	}
	src := "the time-to-first-chunk histogram's buckets"
	if exact {
		src = "each stream's span"
	}
	fmt.Fprintf(w, "\n== AI calls by model: time to first token of the streamed calls (%s) and cost (ai_cost_total)\n", src)
	fmt.Fprintf(w, "    %-24s %-10s %6s %8s %10s %10s %11s %11s\n", "model", "provider", "calls", "streams", "TTFT p50", "TTFT p95", "cost USD", "USD/call")
	var calls, cost float64
	for _, model := range slices.Sorted(maps.Keys(r.models)) {
		s := r.models[model]
		perCall := math.NaN()
		if s.calls > 0 {
			perCall = s.cost / s.calls
		}
		fmt.Fprintf(w, "    %-24s %-10s %6.0f %8.0f %10s %10s %11.4f %11.6f\n", model, s.provider, s.calls, s.streams, ms(s.p50), ms(s.p95), s.cost, perCall)
		calls += s.calls
		cost += s.cost
	}
	fmt.Fprintf(w, "    %-24s %-10s %6.0f %8s %10s %10s %11.4f\n", "total", "", calls, "", "", "", cost)
}

func ms(sec float64) string {
	if math.IsNaN(sec) {
		return "-"
	}
	return fmt.Sprintf("%.0f ms", sec*1000)
}
