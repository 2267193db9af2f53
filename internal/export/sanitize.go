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

// utf8Span overrides the strings of a span that carry user input: its
// name, attributes, status description and events (a panic's exception
// event quotes the panic value). Links keep theirs.
type utf8Span struct {
	sdktrace.ReadOnlySpan
	name   string
	attrs  []attribute.KeyValue
	status sdktrace.Status
	events []sdktrace.Event
}

func (s utf8Span) Name() string                     { return s.name }
func (s utf8Span) Attributes() []attribute.KeyValue { return s.attrs }
func (s utf8Span) Status() sdktrace.Status          { return s.status }
func (s utf8Span) Events() []sdktrace.Event         { return s.events }

func validString(s string) (string, bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	return strings.ToValidUTF8(s, "\uFFFD"), true
}

func sanitizeSpans(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for i, s := range spans {
		u := utf8Span{ReadOnlySpan: s, status: s.Status(), events: s.Events()}
		var f1, f2, f3, f4 bool
		u.name, f1 = validString(s.Name())
		u.attrs, f2 = validUTF8(s.Attributes())
		u.status.Description, f3 = validString(u.status.Description)
		for j, e := range u.events {
			name, fn := validString(e.Name)
			attrs, fa := validUTF8(e.Attributes)
			if fn || fa {
				if !f4 {
					u.events = slices.Clone(u.events)
					f4 = true
				}
				u.events[j].Name, u.events[j].Attributes = name, attrs
			}
		}
		if !f1 && !f2 && !f3 && !f4 {
			continue
		}
		if out == nil {
			out = slices.Clone(spans) // never write into the SDK's batch
		}
		out[i] = u
	}
	if out == nil {
		return spans
	}
	return out
}

func sanitizeRecord(r *sdklog.Record) {
	if b := r.Body(); b.Type() == attribute.STRING {
		if v, fixed := validString(b.AsString()); fixed {
			r.SetBody(attribute.StringValue(v))
		}
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
