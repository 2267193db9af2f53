package metrics_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/internal/testutil"
	"github.com/starmates-ai-team/telemetry/metrics"
	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

// TestGenAISpanStartAttributes checks that a sampler of the caller's sees
// the AI span's start attributes, and that with Init's own sampler, which
// reads none (they then go at the span's end with the others), the span
// is the same, SetProvider included.
func TestGenAISpanStartAttributes(t *testing.T) {
	spanOf := func(t *testing.T, opts ...telemetry.Option) map[attribute.Key]attribute.Value {
		kit := telemetrytest.New(t, opts...)
		ai, err := metrics.NewAI(kit.Telemetry, metrics.WithPricing(ailabels.DefaultPricing()))
		if err != nil {
			t.Fatal(err)
		}
		_, call := ai.StartCallParams(context.Background(), ailabels.Request{Provider: ailabels.ProviderOpenAI, Model: "gpt-4o", MaxTokens: 64},
			metrics.CallParams{ServerAddress: "api.example.com", ServerPort: 443, Attributes: []attribute.KeyValue{attribute.String("app.tenant", "t1")}})
		call.SetProvider(ailabels.ProviderAzureOpenAI)
		if _, err := call.Finish(metrics.Result{Usage: ailabels.Usage{InputTokens: 10, OutputTokens: 5}, ResponseID: "r1"}); err != nil {
			t.Fatal(err)
		}
		return genaiAttrs(oneSpan(t, kit))
	}
	want := map[attribute.Key]string{
		ailabels.GenAIOperationNameKey:    ailabels.OperationChat,
		ailabels.GenAIProviderNameKey:     ailabels.ProviderAzureOpenAI,
		ailabels.GenAIRequestModelKey:     "gpt-4o",
		ailabels.GenAIRequestMaxTokensKey: "64",
		ailabels.ServerAddressKey:         "api.example.com",
		ailabels.ServerPortKey:            "443",
		"app.tenant":                      "t1",
		ailabels.GenAIResponseIDKey:       "r1",
		ailabels.GenAIUsageInputTokensKey: "10",
	}
	sampler := &testutil.StartSampler{}
	late, early := spanOf(t), spanOf(t, telemetry.WithSampler(sampler))
	for k, w := range want {
		if v := late[k]; v.String() != w {
			t.Errorf("default sampler: %s = %q, want %q", k, v.String(), w)
		}
		if v := early[k]; v.String() != w {
			t.Errorf("WithSampler: %s = %q, want %q", k, v.String(), w)
		}
	}
	if len(late) != len(early) {
		t.Errorf("default sampler: %d attributes, WithSampler: %d", len(late), len(early))
	}
	if n := len(sampler.Seen()); n != 1 {
		t.Fatalf("the sampler was asked %d times", n)
	}
	seen := map[attribute.Key]string{}
	for k, v := range sampler.Last(t) {
		seen[k] = v.String()
	}
	for _, k := range []attribute.Key{ailabels.GenAIOperationNameKey, ailabels.GenAIRequestModelKey, ailabels.ServerAddressKey, "app.tenant"} {
		if seen[k] != want[k] {
			t.Errorf("sampler saw %s = %q, want %q", k, seen[k], want[k])
		}
	}
	if seen[ailabels.GenAIProviderNameKey] != ailabels.ProviderOpenAI {
		t.Errorf("sampler saw provider %q, want the one at the start", seen[ailabels.GenAIProviderNameKey])
	}
	if _, ok := seen[ailabels.GenAIResponseIDKey]; ok {
		t.Error("sampler saw an end attribute")
	}
}
