package metrics_test

import (
	"context"
	"fmt"

	"github.com/starmates-ai-team/telemetry/ailabels"
	"github.com/starmates-ai-team/telemetry/metrics"
)

// A client integration starts a call per request with StartCallParams
// (no option to allocate), learns the platform from the response URL
// (SetProvider), and finishes with what the response said: the deployment
// name it answered with is not in the price table, so the call is priced
// as the requested model.
func ExampleAI_StartCallParams() {
	ctx := context.Background()
	kit, ai := newExampleAI(ctx)
	defer kit.Telemetry.Shutdown(ctx)

	_, call := ai.StartCallParams(ctx, ailabels.Request{Operation: ailabels.OperationChat,
		Provider: ailabels.ProviderOpenAI, Model: "gpt-4o"},
		metrics.CallParams{ServerAddress: "contoso.openai.azure.com", ServerPort: 443})
	call.SetProvider(ailabels.ProviderAzureOpenAI)
	cost, err := call.Finish(metrics.Result{
		Usage:      ailabels.Usage{Model: "contoso-gpt4o-prod", InputTokens: 1000, OutputTokens: 100},
		ResponseID: "chatcmpl-1", FinishReasons: []string{"stop"},
	})
	fmt.Println(cost.Priced, err)

	kit.Flush()
	for _, kv := range kit.Spans()[0].Attributes {
		switch kv.Key {
		case ailabels.GenAIProviderNameKey, ailabels.GenAIResponseModelKey, ailabels.ServerAddressKey:
			fmt.Println(kv.Key, kv.Value.String())
		}
	}
	// Unordered output:
	// true <nil>
	// gen_ai.provider.name azure.ai.openai
	// server.address contoso.openai.azure.com
	// gen_ai.response.model contoso-gpt4o-prod
}
