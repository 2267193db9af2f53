package ailabels

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeModel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"gpt-4o", "gpt-4o"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		{"GPT-4o-2024-11-20", "gpt-4o"},
		{"  gpt-4o-mini-2024-07-18\n", "gpt-4o-mini"},
		{"gpt-4.1-2025-04-14", "gpt-4.1"},
		{"o3-2025-04-16", "o3"},
		{"o4-mini-2025-04-16", "o4-mini"},
		{"gpt-4-0613", "gpt-4"},
		{"gpt-3.5-turbo-0125", "gpt-3.5-turbo"},
		{"chatgpt-4o-latest", "chatgpt-4o"},
		{"claude-sonnet-4-20250514", "claude-sonnet-4"},
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"claude-3-5-haiku-20241022", "claude-3-5-haiku"},
		{"claude-3-5-haiku-latest", "claude-3-5-haiku"},
		{"claude-3-5-haiku@20241022", "claude-3-5-haiku"},
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku"},
		{"us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"},
		{"gemini-2.5-pro", "gemini-2.5-pro"},
		{"models/gemini-2.5-flash", "gemini-2.5-flash"},
		{"gemini-1.5-pro-002", "gemini-1.5-pro"},
		{"gemini-2.0-flash-001", "gemini-2.0-flash"},
		{"gemini-2.5-flash-preview-05-20", "gemini-2.5-flash-preview"},
		{"gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash-preview"},
		{"gemini-2.0-flash-exp", "gemini-2.0-flash-exp"},
		{"openai/gpt-4o", "gpt-4o"},
		{"accounts/fireworks/models/llama-v3p1-70b-instruct", "llama-v3p1-70b-instruct"},
		{"mistral-large-2411", "mistral-large"},
		{"deepseek-v3", "deepseek-v3"},
		{"llama3.1:8b", "llama3.1:8b"},
		{"text-embedding-3-small", "text-embedding-3-small"},
		{"ft:gpt-4o-mini-2024-07-18:my-org:custom:abc123", "ft:gpt-4o-mini"},
		{"-2024", "-2024"}, // nothing left to strip down to
	}
	for _, tt := range tests {
		got, err := NormalizeModel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeModel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeModelErrors(t *testing.T) {
	for _, in := range []string{"", "   ", "gpt 4o", "gpt-4o\x00", "modèle", "ft:", "openai/", strings.Repeat("a", 65), strings.Repeat("a", 300), "a@b!"} {
		got, err := NormalizeModel(in)
		if !errors.Is(err, ErrInvalidLabel) {
			t.Errorf("NormalizeModel(%q) = %q, %v; want ErrInvalidLabel", in, got, err)
		}
	}
}

func TestValidateLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"openai", "openai"},
		{"OpenAI", "openai"},
		{" gcp.vertex_ai ", "gcp.vertex_ai"},
		{"day_7", "day_7"},
		{"a/b:c-d", "a/b:c-d"},
		{strings.Repeat("x", 64), strings.Repeat("x", 64)},
	}
	for _, tt := range tests {
		got, err := ValidateLabel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ValidateLabel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", " ", strings.Repeat("x", 65), "a b", "a\tb", "é", "a,b", "a=b", `a"b`, "a{b}", "a\nb"} {
		if got, err := ValidateLabel(in); !errors.Is(err, ErrInvalidLabel) {
			t.Errorf("ValidateLabel(%q) = %q, %v; want ErrInvalidLabel", in, got, err)
		}
	}
}

func TestValidateLabelDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() { _, _ = ValidateLabel("gpt-4o-mini") })
	if n != 0 {
		t.Errorf("ValidateLabel allocates %v times per call on a valid value, want 0", n)
	}
}

func inCharset(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("._-/:", c) >= 0) {
			return false
		}
	}
	return true
}

func FuzzValidateLabel(f *testing.F) {
	for _, s := range []string{"openai", "OpenAI", " day_7 ", "", "a b", "é", strings.Repeat("x", 64), strings.Repeat("x", 65), "a/b:c", "\x00", "\u00a0x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := ValidateLabel(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidLabel) {
				t.Fatalf("error %v does not wrap ErrInvalidLabel", err)
			}
			return
		}
		if out == "" || len(out) > MaxLabelLength || !inCharset(out) {
			t.Fatalf("ValidateLabel(%q) = %q: not a valid label", in, out)
		}
		if again, err := ValidateLabel(out); err != nil || again != out {
			t.Fatalf("ValidateLabel not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
		if !strings.EqualFold(strings.TrimSpace(in), out) {
			t.Fatalf("ValidateLabel(%q) = %q changed more than case and spaces", in, out)
		}
	})
}

func FuzzNormalizeModel(f *testing.F) {
	for _, s := range []string{
		"gpt-4o-2024-08-06", "claude-sonnet-4-20250514", "us.anthropic.claude-3-5-haiku-20241022-v1:0",
		"models/gemini-2.5-flash-preview-05-20", "claude-3-5-haiku@20241022", "ft:gpt-4o-mini-2024-07-18:org::id",
		"openai/ft:gpt-4o:org", "a/ ft:x:y", "anthropic.anthropic.x", "-2024", "ft:", "x-latest-latest",
		"GPT-4O", "gemini-1.5-pro-002", "", "é", "a@b", "x-preview-01-02-03",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if k := priceKey(in); priceKey(k) != k {
			t.Fatalf("priceKey not idempotent: %q -> %q -> %q", in, k, priceKey(k))
		}
		out, err := NormalizeModel(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidLabel) {
				t.Fatalf("error %v does not wrap ErrInvalidLabel", err)
			}
			return
		}
		if v, err := ValidateLabel(out); err != nil || v != out {
			t.Fatalf("NormalizeModel(%q) = %q, which ValidateLabel turns into %q, %v", in, out, v, err)
		}
		if again, err := NormalizeModel(out); err != nil || again != out {
			t.Fatalf("NormalizeModel not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
	})
}

func TestPriceKeyIdempotent(t *testing.T) {
	for _, in := range []string{"anthropic.us.anthropic.x", "a/b@c-latest", "x-latest-latest", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "openai/ ft:x", "GPT-4o"} {
		k := priceKey(in)
		if again := priceKey(k); again != k {
			t.Errorf("priceKey(%q) = %q, then %q", in, k, again)
		}
	}
}
