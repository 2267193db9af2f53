package export

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// OTLP is protobuf, whose strings must be valid UTF-8: one invalid string
// fails the marshalling of its whole batch, and for a cumulative metric
// series every later export too. The wrappers replace invalid bytes with
// U+FFFD before export; valid data (the rule) costs one scan.

// validKV reports whether every string in kv is valid UTF-8.
func validKV(kv attribute.KeyValue) bool {
	if !utf8.ValidString(string(kv.Key)) {
		return false
	}
	switch kv.Value.Type() {
	case attribute.STRING:
		return utf8.ValidString(kv.Value.AsString())
	case attribute.STRINGSLICE:
		for _, s := range kv.Value.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}

func fixKV(kv attribute.KeyValue) attribute.KeyValue {
	key := attribute.Key(strings.ToValidUTF8(string(kv.Key), "\uFFFD"))
	switch kv.Value.Type() {
	case attribute.STRING:
		return key.String(strings.ToValidUTF8(kv.Value.AsString(), "\uFFFD"))
	case attribute.STRINGSLICE:
		ss := slices.Clone(kv.Value.AsStringSlice())
		for i, s := range ss {
			ss[i] = strings.ToValidUTF8(s, "\uFFFD")
		}
		return key.StringSlice(ss)
	}
	return attribute.KeyValue{Key: key, Value: kv.Value}
}

// validUTF8 returns kvs, or a fixed copy if any string in it is invalid.
func validUTF8(kvs []attribute.KeyValue) ([]attribute.KeyValue, bool) {
	bad := slices.IndexFunc(kvs, func(kv attribute.KeyValue) bool { return !validKV(kv) })
	if bad < 0 {
		return kvs, false
	}
	out := slices.Clone(kvs)
	for i := bad; i < len(out); i++ {
		if !validKV(out[i]) {
			out[i] = fixKV(out[i])
		}
	}
	return out, true
}

// utf8Span overrides what a span may carry in strings. Events and links
// keep theirs: the SDK's own instrumentation puts none from user input.
type utf8Span struct {
	sdktrace.ReadOnlySpan
	name  string
	attrs []attribute.KeyValue
}

func (s utf8Span) Name() string                     { return s.name }
func (s utf8Span) Attributes() []attribute.KeyValue { return s.attrs }

func sanitizeSpans(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for i, s := range spans {
		attrs, fixed := validUTF8(s.Attributes())
		name := s.Name()
		if !utf8.ValidString(name) {
			name, fixed = strings.ToValidUTF8(name, "\uFFFD"), true
		}
		if !fixed {
			continue
		}
		if out == nil {
			out = slices.Clone(spans) // never write into the SDK's batch
		}
		out[i] = utf8Span{ReadOnlySpan: s, name: name, attrs: attrs}
	}
	if out == nil {
		return spans
	}
	return out
}

func sanitizeRecord(r *sdklog.Record) {
	if b := r.Body(); b.Type() == attribute.STRING && !utf8.ValidString(b.AsString()) {
		r.SetBody(attribute.StringValue(strings.ToValidUTF8(b.AsString(), "\uFFFD")))
	}
	bad := false
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		bad = !validKV(kv)
		return !bad
	})
	if !bad {
		return
	}
	kvs := make([]attribute.KeyValue, 0, r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		kvs = append(kvs, kv)
		return true
	})
	kvs, _ = validUTF8(kvs)
	r.SetAttributes(kvs...)
}

// Redactor removes credentials (the configured header values) from error
// text before it is logged or returned: an endpoint may echo them.
type Redactor struct{ secrets []string }

// NewRedactor returns a Redactor for the values of headers: each value,
// each of its words (the base64 of "Basic b64"), and for basic auth the
// decoded "user:token" and the token.
func NewRedactor(headers ...map[string]string) *Redactor {
	r := &Redactor{}
	add := func(s string) {
		if len(s) >= 6 && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	for _, h := range headers {
		for _, v := range h {
			add(v)
			for _, w := range strings.Fields(v) {
				add(w)
				if dec, err := base64.StdEncoding.DecodeString(w); err == nil && utf8.Valid(dec) {
					add(string(dec))
					if _, tok, ok := strings.Cut(string(dec), ":"); ok {
						add(tok)
					}
				}
			}
		}
	}
	// Longest first, so a value is replaced whole before its parts.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	return r
}

// Redact returns err with every secret replaced by [REDACTED], or err
// itself when there is nothing to hide.
func (r *Redactor) Redact(err error) error {
	if r == nil || err == nil || len(r.secrets) == 0 {
		return err
	}
	msg := err.Error()
	out := msg
	for _, s := range r.secrets {
		out = strings.ReplaceAll(out, s, "[REDACTED]")
	}
	if out == msg {
		return err
	}
	return errors.New(out)
}
