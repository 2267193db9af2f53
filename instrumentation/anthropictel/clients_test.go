package anthropictel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/bedrock"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/anthropics/anthropic-sdk-go/v2/vertex"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// The real anthropic-sdk-go clients of the tests, pointed at the fake server.
// backend chooses the first-party API or the SDK's Bedrock or Vertex AI
// adaptation; instr is the instrumentation's option, or nil for a bare client.

type backend int

const (
	firstParty backend = iota
	onBedrock
	onVertex
)

const (
	bedrockModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
	vertexModel  = "claude-sonnet-4-5@20250929"
)

func (b backend) model() anthropic.Model {
	switch b {
	case onBedrock:
		return bedrockModel
	case onVertex:
		return vertexModel
	}
	return fakeModel
}

func newClient(tb testing.TB, f *fakeServer, b backend, instr option.RequestOption, extra ...option.RequestOption) anthropic.Client {
	tb.Helper()
	// The fake's client first: vertex.WithCredentials wraps it with its
	// token source.
	opts := []option.RequestOption{option.WithHTTPClient(f.client)}
	if instr != nil {
		// Before the platform's option, as the SDK asks of middlewares, so
		// that the instrumentation sees first-party requests and SSE.
		opts = append(opts, instr)
	}
	switch b {
	case onBedrock:
		tb.Setenv("AWS_BEARER_TOKEN_BEDROCK", "")
		opts = append(opts, bedrock.WithConfig(aws.Config{
			Region:      "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", ""),
		}))
	case onVertex:
		creds := &google.Credentials{ProjectID: "proj", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})}
		opts = append(opts, vertex.WithCredentials(context.Background(), "us-east5", "proj", creds))
	default:
		opts = append(opts, option.WithAPIKey("test-key"))
	}
	return anthropic.NewClient(append(opts, extra...)...)
}

func params(b backend) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     b.model(),
		MaxTokens: 1024,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("What's the weather in Paris?"))},
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        fakeToolNam,
			InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}},
		}}},
	}
}

// outcome is what the caller of a call sees: the decoded message or the raw
// events of the stream, and the error, as text.
type outcome struct {
	Message string   // the message's raw JSON
	Events  []string // the raw JSON of each event the SDK's stream decoded
	Err     string
	Status  int // the status of an *anthropic.Error
	ErrType string
}

func errOutcome(o *outcome, err error) {
	if err == nil {
		return
	}
	o.Err = err.Error()
	var apiErr *anthropic.Error
	if errors.As(err, &apiErr) {
		o.Status = apiErr.StatusCode
		o.ErrType = string(apiErr.Type())
	}
}

func callNew(ctx context.Context, c anthropic.Client, b backend, scenario string) outcome {
	var o outcome
	m, err := c.Messages.New(ctx, params(b), option.WithHeader("X-Fake", scenario))
	if m != nil {
		o.Message = m.RawJSON()
	}
	errOutcome(&o, err)
	return o
}

// callStream reads the stream to its end, or cancels ctx after stopAfter
// events when stopAfter > 0.
func callStream(ctx context.Context, c anthropic.Client, b backend, scenario string, stopAfter int) outcome {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var o outcome
	s := c.Messages.NewStreaming(ctx, params(b), option.WithHeader("X-Fake", scenario))
	for s.Next() {
		o.Events = append(o.Events, s.Current().RawJSON())
		if stopAfter > 0 && len(o.Events) == stopAfter {
			cancel()
		}
	}
	errOutcome(&o, s.Err())
	if err := s.Close(); err != nil && o.Err == "" {
		o.Err = "close: " + err.Error()
	}
	return o
}

func (o outcome) String() string {
	return fmt.Sprintf("message %.60q events %d err %q status %d type %q", o.Message, len(o.Events), o.Err, o.Status, o.ErrType)
}

// sameOutcome compares the instrumented and the bare client's outcomes; the
// text of an error names the fake's URL, the same for both.
func sameOutcome(t *testing.T, got, bare outcome) {
	t.Helper()
	if got.Message != bare.Message || got.Err != bare.Err || got.Status != bare.Status || got.ErrType != bare.ErrType ||
		strings.Join(got.Events, "\n") != strings.Join(bare.Events, "\n") {
		t.Errorf("the caller's outcome differs from the bare client's:\n got  %v\n bare %v", got, bare)
	}
}

func TestBareClients(t *testing.T) {
	f := newFake(t)
	for _, b := range []backend{firstParty, onBedrock, onVertex} {
		c := newClient(t, f, b, nil)
		o := callNew(context.Background(), c, b, scenarioOK)
		if o.Err != "" || !strings.Contains(o.Message, fakeMsgID) {
			t.Errorf("backend %d New: %v", b, o)
		}
		s := callStream(context.Background(), c, b, scenarioOK, 0)
		if s.Err != "" || len(s.Events) != 11 {
			t.Errorf("backend %d stream: %v %v", b, s, s.Events)
		}
		t.Logf("backend %d path %s", b, *f.lastPath.Load())
	}
}
