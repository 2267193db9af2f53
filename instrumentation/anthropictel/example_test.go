package anthropictel_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sort"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/starmates-ai-team/telemetry/instrumentation/anthropictel"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// One option when the client is built, and every Messages call is recorded.
// A service passes its *telemetry.Telemetry to metrics.NewAI; here a manual
// reader shows what was recorded, and a fake server stands in for the API.
func ExampleWithTelemetry() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",`+
			`"content":[{"type":"text","text":"Bonjour !"}],"stop_reason":"end_turn",`+
			`"usage":{"input_tokens":12,"cache_read_input_tokens":1000,"output_tokens":5}}`)
	}))
	defer api.Close()

	reader := sdkmetric.NewManualReader()
	ai, err := metrics.NewAI(nil, metrics.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	if err != nil {
		log.Fatal(err)
	}

	client := anthropic.NewClient(
		option.WithAPIKey("my-key"),
		option.WithBaseURL(api.URL),
		option.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
		anthropictel.WithTelemetry(ai), // the one line
	)
	msg, err := client.Messages.New(context.Background(), anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 256,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello in French."))},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.Content[0].Text)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					fmt.Printf("%s{%s} %d\n", m.Name, labels(p.Attributes), p.Value)
				}
			case metricdata.Sum[float64]:
				for _, p := range data.DataPoints {
					fmt.Printf("%s{%s} %.6f\n", m.Name, labels(p.Attributes), p.Value)
				}
			}
		}
	}
	// Unordered output:
	// Bonjour !
	// ai_requests_total{model=claude-sonnet-4-5,outcome=ok,provider=anthropic} 1
	// ai_tokens_total{model=claude-sonnet-4-5,token_type=input} 1012
	// ai_tokens_total{model=claude-sonnet-4-5,token_type=cache_read} 1000
	// ai_tokens_total{model=claude-sonnet-4-5,token_type=output} 5
	// ai_cost_total{model=claude-sonnet-4-5} 0.000411
}

func labels(s attribute.Set) string {
	var out []string
	for _, kv := range s.ToSlice() {
		out = append(out, string(kv.Key)+"="+kv.Value.String())
	}
	sort.Strings(out)
	var line string
	for i, l := range out {
		if i > 0 {
			line += ","
		}
		line += l
	}
	return line
}
