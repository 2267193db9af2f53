package metrics_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// aiBaseline makes the same Adds as AI.Record (one request, one per
// non-zero token type, the cost) directly on the OpenTelemetry SDK, on
// instruments of the same kinds in the same pipeline.
type aiBaseline struct {
	requests, tokens metric.Int64Counter
	cost             metric.Float64Counter
	// Cached options: the best the SDK offers.
	reqOpts, costOpts []metric.AddOption
	tokenOpts         [5][]metric.AddOption
}

func newAIBaseline(b *testing.B, kit *telemetrytest.Kit) *aiBaseline {
	meter := kit.Telemetry.MeterProvider().Meter("bench")
	x := &aiBaseline{}
	var err error
	if x.requests, err = meter.Int64Counter("bench_requests_total"); err != nil {
		b.Fatal(err)
	}
	if x.tokens, err = meter.Int64Counter("bench_tokens_total"); err != nil {
		b.Fatal(err)
	}
	if x.cost, err = meter.Float64Counter("bench_cost_total"); err != nil {
		b.Fatal(err)
	}
	m := ailabels.ModelKey.String("gpt-4o")
	x.reqOpts = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m,
		ailabels.ProviderKey.String("openai"), ailabels.OutcomeKey.String("ok")))}
	x.costOpts = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m))}
	for i, t := range ailabels.TokenTypes() {
		x.tokenOpts[i] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(m, ailabels.TokenTypeKey.String(string(t))))}
	}
	return x
}

// cached: the attribute options prepared once.
func (x *aiBaseline) cached(ctx context.Context, u *ailabels.Usage, usd float64) {
	x.requests.Add(ctx, 1, x.reqOpts...)
	if u.InputTokens > 0 {
		x.tokens.Add(ctx, u.InputTokens, x.tokenOpts[0]...)
	}
	if u.OutputTokens > 0 {
		x.tokens.Add(ctx, u.OutputTokens, x.tokenOpts[1]...)
	}
	if u.CachedInputTokens > 0 {
		x.tokens.Add(ctx, u.CachedInputTokens, x.tokenOpts[2]...)
	}
	if u.CacheWriteInputTokens > 0 {
		x.tokens.Add(ctx, u.CacheWriteInputTokens, x.tokenOpts[3]...)
	}
	if u.ReasoningTokens > 0 {
		x.tokens.Add(ctx, u.ReasoningTokens, x.tokenOpts[4]...)
	}
	x.cost.Add(ctx, usd, x.costOpts...)
}

// attrSet: an attribute.Set built per Add.
func (x *aiBaseline) attrSet(ctx context.Context, u *ailabels.Usage, usd float64) {
	m := ailabels.ModelKey.String("gpt-4o")
	x.requests.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(m,
		ailabels.ProviderKey.String("openai"), ailabels.OutcomeKey.String("ok"))))
	for _, t := range ailabels.TokenTypes() {
		if n := u.Tokens(t); n > 0 {
			x.tokens.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(m, ailabels.TokenTypeKey.String(string(t)))))
		}
	}
	x.cost.Add(ctx, usd, metric.WithAttributeSet(attribute.NewSet(m)))
}

// withAttributes: metric.WithAttributes per Add (the common idiom).
func (x *aiBaseline) withAttributes(ctx context.Context, u *ailabels.Usage, usd float64) {
	m := ailabels.ModelKey.String("gpt-4o")
	x.requests.Add(ctx, 1, metric.WithAttributes(m, ailabels.ProviderKey.String("openai"), ailabels.OutcomeKey.String("ok")))
	for _, t := range ailabels.TokenTypes() {
		if n := u.Tokens(t); n > 0 {
			x.tokens.Add(ctx, n, metric.WithAttributes(m, ailabels.TokenTypeKey.String(string(t))))
		}
	}
	x.cost.Add(ctx, usd, metric.WithAttributes(m))
}

var benchUsages = []struct {
	name string
	u    ailabels.Usage
}{
	// 7 Adds: request, 5 token types, cost.
	{"full", ailabels.Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000,
		CacheWriteInputTokens: 100, OutputTokens: 300, ReasoningTokens: 100}},
	// 5 Adds: request, input, cache_read, output, cost (the example).
	{"cached", ailabels.Usage{Provider: "openai", Model: "gpt-4o-2024-08-06", InputTokens: 1200, CachedInputTokens: 1000, OutputTokens: 300}},
}

// BenchmarkAIRecord compares AI.Record with the same Adds made directly on
// the SDK. Sub-benchmarks run -count times in a row, so on a shared machine
// run the test binary once per sample instead (see docs/benchmarks.md) and
// compare the impl columns with
//
//	benchstat -col /impl -row /usage out.txt
func BenchmarkAIRecord(b *testing.B) {
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	noop, err := metrics.NewAI(nil)
	if err != nil {
		b.Fatal(err)
	}
	x := newAIBaseline(b, kit)
	ctx := context.Background()
	for _, bu := range benchUsages {
		u := bu.u
		usd := ailabels.DefaultPricing().Cost
		c, err := usd(u)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("usage="+bu.name+"/impl=sdk-cached", func(b *testing.B) {
			b.ReportAllocs()
			defer testutil.ReportCPU(b, testutil.CPUTime())
			for b.Loop() {
				x.cached(ctx, &u, c.USD)
			}
		})
		b.Run("usage="+bu.name+"/impl=record", func(b *testing.B) {
			b.ReportAllocs()
			defer testutil.ReportCPU(b, testutil.CPUTime())
			for b.Loop() {
				if _, err := ai.Record(ctx, u); err != nil {
					b.Fatal(err)
				}
			}
		})
		// Record on a disabled Telemetry: validation, the label cache and
		// the price, without the SDK's Adds: the SDK's own overhead.
		b.Run("usage="+bu.name+"/impl=record-noop", func(b *testing.B) {
			b.ReportAllocs()
			defer testutil.ReportCPU(b, testutil.CPUTime())
			for b.Loop() {
				if _, err := noop.Record(ctx, u); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("usage="+bu.name+"/impl=sdk-attrset", func(b *testing.B) {
			b.ReportAllocs()
			defer testutil.ReportCPU(b, testutil.CPUTime())
			for b.Loop() {
				x.attrSet(ctx, &u, c.USD)
			}
		})
		b.Run("usage="+bu.name+"/impl=sdk-withattrs", func(b *testing.B) {
			b.ReportAllocs()
			defer testutil.ReportCPU(b, testutil.CPUTime())
			for b.Loop() {
				x.withAttributes(ctx, &u, c.USD)
			}
		})
	}
}

// BenchmarkAIRecordParallel is BenchmarkAIRecord/usage=full from all
// GOMAXPROCS goroutines at once (the cache read is one atomic load).
func BenchmarkAIRecordParallel(b *testing.B) {
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	x := newAIBaseline(b, kit)
	ctx := context.Background()
	u := benchUsages[0].u
	c, _ := ailabels.DefaultPricing().Cost(u)
	b.Run("impl=sdk-cached", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b, testutil.CPUTime())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				x.cached(ctx, &u, c.USD)
			}
		})
	})
	b.Run("impl=record", func(b *testing.B) {
		b.ReportAllocs()
		defer testutil.ReportCPU(b, testutil.CPUTime())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = ai.Record(ctx, u)
			}
		})
	})
}

// BenchmarkBusinessSet measures one gauge update with labels seen before.
func BenchmarkBusinessSet(b *testing.B) {
	kit := telemetrytest.New(b)
	biz, err := metrics.NewBusiness(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	defer testutil.ReportCPU(b, testutil.CPUTime())
	for b.Loop() {
		if err := biz.SetRetention(ctx, "day_7", "free", 0.42); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAIStartEnd measures a whole AI span with its metrics (spans
// allocate; this is for scale, not a target).
func BenchmarkAIStartEnd(b *testing.B) {
	kit := telemetrytest.New(b)
	ai, err := metrics.NewAI(kit.Telemetry)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := ailabels.Request{Operation: ailabels.OperationChat, Provider: "openai", Model: "gpt-4o"}
	u := benchUsages[1].u
	b.ReportAllocs()
	defer testutil.ReportCPU(b, testutil.CPUTime())
	for b.Loop() {
		_, call := ai.Start(ctx, req)
		_, _ = call.End(u, nil)
	}
}
