// Package anthropictel records the Messages calls of the official Anthropic Go
// client (github.com/anthropics/anthropic-sdk-go/v2): one option when the
// client is built, and every client.Messages.New and NewStreaming call gets a
// GenAI span and the ai_requests_total, ai_tokens_total and ai_cost_total
// series, priced for the platform the call went to.
package anthropictel
