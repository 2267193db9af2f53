package export

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	otellog "go.opentelemetry.io/otel/log"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestSanitizeSpans(t *testing.T) {
	good := tracetest.SpanStub{Name: "ok", Attributes: []attribute.KeyValue{attribute.String("k", "v")}}.Snapshot()
	bad := tracetest.SpanStub{Name: "bad \xff", Attributes: []attribute.KeyValue{
		attribute.String("k", "v\xfe"), attribute.StringSlice("s", []string{"a", "\xff"}), attribute.Int("n", 1),
	},
		Status: sdktrace.Status{Code: codes.Error, Description: "panic: \xff"},
		Events: []sdktrace.Event{{Name: "exception", Attributes: []attribute.KeyValue{attribute.String("exception.message", "\xfe")}}},
	}.Snapshot()
	in := []sdktrace.ReadOnlySpan{good, bad}
	out := sanitizeSpans(in)
	if _, wrapped := out[0].(utf8Span); wrapped {
		t.Error("a valid span was replaced")
	}
	if _, wrapped := in[1].(utf8Span); wrapped || !strings.Contains(in[1].Name(), "\xff") {
		t.Error("the SDK's batch was written to")
	}
	if !utf8.ValidString(out[1].Name()) {
		t.Errorf("name %q", out[1].Name())
	}
	for _, kv := range out[1].Attributes() {
		if !validKV(kv) {
			t.Errorf("attribute %v still invalid", kv)
		}
	}
	if d := out[1].Status().Description; !utf8.ValidString(d) || out[1].Status().Code != codes.Error {
		t.Errorf("status %+v", out[1].Status())
	}
	if ev := out[1].Events(); len(ev) != 1 || !validKV(ev[0].Attributes[0]) || !strings.Contains(bad.Events()[0].Attributes[0].Value.AsString(), "\xfe") {
		t.Errorf("events %+v (the original must keep its bytes)", ev)
	}
	if len(out[1].Attributes()) != 3 || out[1].Attributes()[2].Value.AsInt64() != 1 {
		t.Errorf("attributes %v", out[1].Attributes())
	}
	valid := []sdktrace.ReadOnlySpan{good}
	if got := sanitizeSpans(valid); &got[0] != &valid[0] {
		t.Error("a valid batch was copied")
	}
}

func TestSanitizeRecord(t *testing.T) {
	c := &capture{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(c))
	var in otellog.Record
	in.SetBody(attribute.StringValue("body \xff"))
	in.AddAttributes(attribute.String("a", "fine"), attribute.String("b", "bad \xc3"))
	lp.Logger("t").Emit(context.Background(), in)
	r := c.r
	sanitizeRecord(&r)
	if !utf8.ValidString(r.Body().AsString()) {
		t.Errorf("body %q", r.Body().AsString())
	}
	n := 0
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		n++
		if !validKV(kv) {
			t.Errorf("attribute %v", kv)
		}
		return true
	})
	if n != 2 {
		t.Errorf("%d attributes; want 2", n)
	}
}

func TestRedactor(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("123456:glc_secret-token"))
	r := NewRedactor(map[string]string{"Authorization": "Basic " + b64}, nil)
	for _, leak := range []string{
		"401: bad credentials Basic " + b64,
		"echo: " + b64,
		"user 123456:glc_secret-token rejected",
		"token glc_secret-token expired",
	} {
		got := r.Redact(errors.New(leak)).Error()
		if strings.Contains(got, "glc_secret-token") || strings.Contains(got, b64) {
			t.Errorf("Redact(%q) = %q", leak, got)
		}
	}
	plain := errors.New("connection refused")
	if r.Redact(plain) != plain {
		t.Error("an error without secrets was replaced")
	}
	var none *Redactor
	if none.Redact(plain) != plain {
		t.Error("nil Redactor")
	}
}

type capture struct{ r sdklog.Record }

func (c *capture) OnEmit(_ context.Context, r *sdklog.Record) error       { c.r = r.Clone(); return nil }
func (c *capture) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (c *capture) Shutdown(context.Context) error                         { return nil }
func (c *capture) ForceFlush(context.Context) error                       { return nil }
