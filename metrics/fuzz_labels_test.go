package metrics_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// fuzzCheckPoints checks every point of every metric in kit: label values
// valid UTF-8 (OTLP refuses anything else, and loses the whole batch),
// values finite and, for counters, not negative; and it returns the number
// of points of each metric.
func fuzzCheckPoints(t *testing.T, kit *telemetrytest.Kit) map[string]int {
	t.Helper()
	n := map[string]int{}
	rm := kit.Metrics()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			check := func(set attribute.Set, v float64, counter bool) {
				n[m.Name]++
				for _, kv := range set.ToSlice() {
					if kv.Value.Type() == attribute.STRING && !utf8.ValidString(kv.Value.AsString()) {
						t.Errorf("%s: label %s=%q is not valid UTF-8", m.Name, kv.Key, kv.Value.AsString())
					}
				}
				if math.IsNaN(v) || math.IsInf(v, 0) || (counter && v < 0) {
					t.Errorf("%s%v = %v", m.Name, set.ToSlice(), v)
				}
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, float64(p.Value), true)
				}
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, p.Value, true)
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, p.Value, false)
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, p.Sum, false)
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					check(p.Attributes, float64(p.Sum), false)
				}
			}
		}
	}
	return n
}

// FuzzAIRecord records usages with arbitrary provider and model strings,
// token counts (one-hour cache writes included), service tiers and call
// times. Record must not panic, must return ErrInvalidLabel or
// ErrInvalidUsage for what it refuses, must return a finite, non-negative
// cost (0 when unpriced, with the reason), and the series must stay within
// the label bounds (small bounds here, so that the fuzzer reaches them).
func FuzzAIRecord(f *testing.F) {
	f.Add("openai", "gpt-4o-2024-08-06", int64(1200), int64(1000), int64(0), int64(0), int64(300), int64(0), "", int64(0))
	f.Add("anthropic", "claude-sonnet-4-20250514", int64(10), int64(2), int64(3), int64(1), int64(9), int64(4), "standard", int64(1785000000))
	f.Add("anthropic", "claude-sonnet-5", int64(300000), int64(2), int64(3), int64(3), int64(9), int64(4), "batch", int64(1788000000))
	f.Add("aws.bedrock", "us-gov-west-1/anthropic.claude-3-7-sonnet-20250219-v1:0", int64(10), int64(0), int64(0), int64(0), int64(1), int64(0), "", int64(-1))
	f.Add("openai", "gpt-5.4", int64(300000), int64(1000), int64(0), int64(0), int64(9), int64(0), "Priority", int64(math.MaxInt64))
	f.Add("", "", int64(-1), int64(0), int64(0), int64(0), int64(0), int64(0), "scale", int64(0))
	f.Add("OpenAI", "GPT-4O", int64(math.MaxInt64), int64(0), int64(0), int64(0), int64(math.MaxInt64), int64(math.MaxInt64), "", int64(math.MinInt64))
	f.Add("x\xff", "m\x00", int64(1), int64(1), int64(1), int64(1), int64(1), int64(1), "flex\xff", int64(1))
	f.Add("a b", "ft:gpt-4o-mini-2024-07-18:org::id", int64(5), int64(0), int64(0), int64(0), int64(0), int64(0), "", int64(0))

	const maxModels, maxProviders = 5, 3
	kit := telemetrytest.New(f)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithMaxModels(maxModels), metrics.WithMaxProviders(maxProviders), metrics.WithSemconvHistograms())
	if err != nil {
		f.Fatal(err)
	}
	const tokenTypes = 5 // input, output, cache_read, cache_write, reasoning
	f.Fuzz(func(t *testing.T, provider, model string, in, cached, cacheWrite, cacheWrite1h, out, reasoning int64, tier string, unix int64) {
		// Any count is tried: Usage.Validate rejects those above
		// ailabels.MaxTokens, so the cumulative int64 ai_tokens_total cannot
		// wrap (it would take 9e9 calls at the bound).
		u := ailabels.Usage{Provider: provider, Model: model, InputTokens: in, CachedInputTokens: cached,
			CacheWriteInputTokens: cacheWrite, CacheWrite1hInputTokens: cacheWrite1h, OutputTokens: out, ReasoningTokens: reasoning,
			ServiceTier: ailabels.ServiceTier(tier), Time: time.Unix(unix, 0)}
		cost, err := ai.Record(context.Background(), u)
		if err != nil {
			if !errors.Is(err, ailabels.ErrInvalidLabel) && !errors.Is(err, ailabels.ErrInvalidUsage) {
				t.Fatalf("Record(%+v) error %v wraps neither ErrInvalidLabel nor ErrInvalidUsage", u, err)
			}
		} else if math.IsNaN(cost.USD) || math.IsInf(cost.USD, 0) || cost.USD < 0 || (!cost.Priced && (cost.USD != 0 || cost.Unpriced == "")) {
			t.Fatalf("Record(%+v) cost %+v", u, cost)
		}
		n := fuzzCheckPoints(t, kit)
		// (models + other) x (providers + other) x 2 outcomes.
		if got, max := n[metrics.AIRequestsName], (maxModels+1)*(maxProviders+1)*2; got > max {
			t.Fatalf("%d series of %s, want at most %d", got, metrics.AIRequestsName, max)
		}
		if got, max := n[metrics.AITokensName], (maxModels+1)*tokenTypes; got > max {
			t.Fatalf("%d series of %s, want at most %d", got, metrics.AITokensName, max)
		}
		if got, max := n[metrics.AICostName], maxModels+1; got > max {
			t.Fatalf("%d series of %s, want at most %d", got, metrics.AICostName, max)
		}
	})
}

// FuzzAIStartEnd drives the GenAI span helper with arbitrary operation,
// provider and model strings (Start does not validate them: they go on the
// span as given). The span's name and attributes must stay valid UTF-8, or
// the OTLP export of the span batch fails.
func FuzzAIStartEnd(f *testing.F) {
	f.Add("chat", "openai", "gpt-4o", "gpt-4o-2024-08-06", "resp-1", "stop")
	f.Add("", "", "", "", "", "")
	f.Add("chat\xff", "openai\xff", "gpt\xff", "\xfe", "\xff", "\xff")
	kit := telemetrytest.New(f)
	ai, err := metrics.NewAI(kit.Telemetry, metrics.WithMaxModels(5), metrics.WithMaxProviders(3))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op, provider, model, respModel, respID, finish string) {
		kit.Reset()
		_, call := ai.Start(context.Background(), ailabels.Request{Operation: op, Provider: provider, Model: model})
		call.SetResponse(respID, finish)
		_, _ = call.End(ailabels.Usage{Model: respModel, InputTokens: 3, OutputTokens: 2}, nil)
		for _, s := range kit.Spans() {
			if !utf8.ValidString(s.Name) {
				t.Errorf("span name %q is not valid UTF-8", s.Name)
			}
			for _, kv := range s.Attributes {
				bad := kv.Value.Type() == attribute.STRING && !utf8.ValidString(kv.Value.AsString())
				for _, v := range kv.Value.AsStringSlice() {
					bad = bad || !utf8.ValidString(v)
				}
				if bad {
					t.Errorf("span attribute %s=%q is not valid UTF-8", kv.Key, kv.Value.String())
				}
			}
		}
		fuzzCheckPoints(t, kit)
	})
}

// FuzzBusinessSet sets the business gauges with arbitrary label values and
// numbers. Invalid labels return ErrInvalidLabel, values outside 0..1
// ErrOutOfRange, and the series stay within the bounds.
func FuzzBusinessSet(f *testing.F) {
	f.Add("day_7", "free", "search", "sean_ellis", 0.42)
	f.Add("", "", "", "", math.NaN())
	f.Add("DAY_7", " Free ", "a b", "x\xff", 1.5)
	f.Add("p", "s", "f", "m", math.Inf(-1))
	const maxFeatures, maxSegments, maxPeriods, maxMethods = 4, 3, 2, 2
	kit := telemetrytest.New(f)
	biz, err := metrics.NewBusiness(kit.Telemetry, metrics.WithMaxFeatures(maxFeatures), metrics.WithMaxSegments(maxSegments),
		metrics.WithMaxRetentionPeriods(maxPeriods), metrics.WithMaxPMFMethods(maxMethods))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, period, segment, feature, method string, v float64) {
		ctx := context.Background()
		for _, err := range []error{
			biz.SetRetention(ctx, period, segment, v),
			biz.SetFeatureAdoption(ctx, feature, v),
			biz.SetPMFScore(ctx, method, v),
		} {
			if err != nil && !errors.Is(err, ailabels.ErrInvalidLabel) && !errors.Is(err, metrics.ErrOutOfRange) {
				t.Fatalf("error %v wraps neither ErrInvalidLabel nor ErrOutOfRange", err)
			}
		}
		n := fuzzCheckPoints(t, kit)
		for name, max := range map[string]int{
			metrics.UserRetentionRateName:   (maxPeriods + 1) * (maxSegments + 1),
			metrics.FeatureAdoptionRateName: maxFeatures + 1,
			metrics.PMFScoreName:            maxMethods + 1,
		} {
			if n[name] > max {
				t.Fatalf("%d series of %s, want at most %d", n[name], name, max)
			}
		}
	})
}
