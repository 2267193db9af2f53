package ailabels

import (
	"errors"
	"fmt"
	"strings"
)

// MaxLabelLength is the longest label value ValidateLabel accepts.
const MaxLabelLength = 64

// maxModelInput bounds the model ids NormalizeModel looks at; longer input
// is refused before any work.
const maxModelInput = 256

// ErrInvalidLabel is matched (errors.Is) by the errors of ValidateLabel and
// NormalizeModel.
var ErrInvalidLabel = errors.New("ailabels: invalid label value")

func labelError(v, reason string) error {
	if len(v) > MaxLabelLength {
		v = v[:MaxLabelLength] + "..."
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidLabel, v, reason)
}

// ValidateLabel returns v as a label value: surrounding white space
// trimmed, ASCII letters lower-cased, then 1 to MaxLabelLength characters
// of a-z 0-9 . _ - / :. Anything else is an error wrapping ErrInvalidLabel.
// It does not allocate when v is already valid.
func ValidateLabel(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", labelError(v, "empty")
	case len(v) > MaxLabelLength:
		return "", labelError(v, "longer than 64 characters")
	}
	upper := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '-', c == '/', c == ':':
		case 'A' <= c && c <= 'Z':
			upper = true
		default:
			return "", labelError(v, "allowed characters are a-z 0-9 . _ - / :")
		}
	}
	if upper {
		v = asciiLower(v)
	}
	return v, nil
}

// NormalizeModel turns a provider's model id into a bounded label value:
// lower case, without a path or vendor prefix (models/, openai/, Bedrock's
// us.anthropic.), and without the dated snapshot or version suffix
// (-2024-08-06, -20250514, -0613, -001, @20241022, -v1:0, -latest, the date
// after -preview or -exp). Fine-tuned OpenAI ids (ft:BASE:org:name:id) keep
// only their base: ft:BASE. The result passes ValidateLabel; NormalizeModel
// is idempotent.
//
//	gpt-4o-2024-08-06                       -> gpt-4o
//	claude-sonnet-4-20250514                -> claude-sonnet-4
//	us.anthropic.claude-3-5-haiku-20241022-v1:0 -> claude-3-5-haiku
//	models/gemini-2.5-flash-preview-05-20   -> gemini-2.5-flash-preview
//
// Pricing looks at the full id, so a snapshot keeps its own price while its
// label is the base name.
func NormalizeModel(model string) (string, error) {
	s := strings.TrimSpace(model)
	if len(s) > maxModelInput {
		return "", labelError(s, "longer than 256 characters")
	}
	// Each step only shortens s, so this ends; at the fixed point the
	// result is stable, which makes NormalizeModel idempotent.
	for {
		t := normalizeStep(s)
		if t == s {
			break
		}
		s = t
	}
	if s == "ft:" {
		return "", labelError(model, "fine-tuned model without a base model")
	}
	return ValidateLabel(s)
}

func normalizeStep(s string) string {
	s = asciiLower(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "ft:"); ok {
		base, _, _ := strings.Cut(rest, ":")
		return "ft:" + normalizeBase(base)
	}
	return normalizeBase(s)
}

// normalizeBase strips prefixes and suffixes until nothing changes.
func normalizeBase(s string) string {
	for {
		t := stripSuffixes(modelID(s))
		if i := strings.IndexByte(t, '@'); i > 0 && versionChars(t[i+1:]) {
			t = t[:i] // Vertex AI: claude-3-5-haiku@20241022
		}
		if t == s {
			return s
		}
		s = t
	}
}

// bedrockRegions and bedrockVendors make up Bedrock model ids such as
// us.anthropic.claude-3-5-haiku-20241022-v1:0.
var (
	bedrockRegions = [...]string{"us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au."}
	bedrockVendors = [...]string{"anthropic.", "amazon.", "meta.", "mistral.", "cohere.", "ai21.", "deepseek.", "openai.", "qwen.", "writer."}
)

// modelID removes what is not the model's own name: a path (models/x,
// openai/x, accounts/a/models/x keep x) and a Bedrock region, vendor and
// -vN:M version. s is lower case.
func modelID(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	rest := s
	for _, r := range bedrockRegions {
		if t, ok := strings.CutPrefix(rest, r); ok {
			rest = t
			break
		}
	}
	for _, v := range bedrockVendors {
		if t, ok := strings.CutPrefix(rest, v); ok && t != "" {
			return stripBedrockVersion(t)
		}
	}
	return s
}

// stripBedrockVersion removes -vN or -vN:M.
func stripBedrockVersion(s string) string {
	i := strings.LastIndex(s, "-v")
	if i <= 0 {
		return s
	}
	tail := s[i+2:]
	major, minor, hasMinor := strings.Cut(tail, ":")
	if !allDigits(major) || (hasMinor && !allDigits(minor)) {
		return s
	}
	return s[:i]
}

// stripSuffixes removes snapshot and version suffixes, one at a time, until
// none is left. It never returns an empty string for a non-empty s.
func stripSuffixes(s string) string {
	for {
		t := stripOneSuffix(s)
		if t == s || t == "" {
			return s
		}
		s = t
	}
}

func stripOneSuffix(s string) string {
	if t, ok := strings.CutSuffix(s, "-latest"); ok {
		return t
	}
	// -preview-05-20, -exp-0827, -preview-09-2025: drop the date, keep the
	// marker (a preview is a model of its own).
	for _, m := range [...]string{"-preview-", "-exp-"} {
		if i := strings.LastIndex(s, m); i > 0 {
			tail := s[i+len(m):]
			if tail != "" && digitsAndDashes(tail) {
				return s[:i+len(m)-1]
			}
		}
	}
	n := len(s)
	// -YYYY-MM-DD
	if n > 11 && s[n-11] == '-' && allDigits(s[n-10:n-6]) && s[n-6] == '-' && allDigits(s[n-5:n-3]) && s[n-3] == '-' && allDigits(s[n-2:]) {
		return s[:n-11]
	}
	// -YYYYMMDD, -MMDD or -YYMM, -NNN
	for _, d := range [...]int{8, 4, 3} {
		if n > d+1 && s[n-d-1] == '-' && allDigits(s[n-d:]) {
			return s[:n-d-1]
		}
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// versionChars reports whether s is a non-empty run of a-z 0-9 . _ -.
func versionChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func digitsAndDashes(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '-' {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only; it returns s itself when there
// is nothing to change.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'A' <= b[i] && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}
