package logbridge

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/starmates-ai-team/telemetry"
)

// FuzzLevelFromEnv: LOG_LEVEL comes from outside. Whatever it holds, the
// reader answers without panicking, accepts exactly what
// slog.Level.UnmarshalText accepts (spaces around trimmed) with the same
// level, and refuses the rest with a ConfigError naming LOG_LEVEL.
func FuzzLevelFromEnv(f *testing.F) {
	for _, s := range []string{"debug", "INFO", " warn ", "error", "", "verbose", "info+2", "WARN-1", "error+", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := levelFromEnv(func(string) (string, bool) { return s, true })
		trimmed := strings.TrimSpace(s)
		var want slog.Level
		wantErr := want.UnmarshalText([]byte(trimmed))
		switch {
		case trimmed == "":
			if err != nil || got != slog.LevelInfo {
				t.Errorf("levelFromEnv(%q) = %v, %v; want info", s, got, err)
			}
		case wantErr == nil:
			if err != nil || got != want {
				t.Errorf("levelFromEnv(%q) = %v, %v; want %v", s, got, err, want)
			}
		default:
			var ce *telemetry.ConfigError
			if !errors.As(err, &ce) || ce.Field != LevelEnv {
				t.Errorf("levelFromEnv(%q) = %v, %v; want a ConfigError for %s", s, got, err, LevelEnv)
			}
		}
	})
}

// FuzzMatch: attribute keys come from anywhere. Matching never panics,
// ignores ASCII case and separators, and a key that matches still matches
// with more text around it (except the "token" suffix and "auth" rules).
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"api_key", "X-Api-Key", "input_tokens", "auth", "", "pässwörd", strings.Repeat("a", 70) + "secret"} {
		f.Add(s)
	}
	r := newRedactor([]string{"ssn"})
	f.Fuzz(func(t *testing.T, key string) {
		m := r.match(key)
		if slow := r.matchSlow(key); slow != m {
			t.Errorf("match(%q) = %v but matchSlow = %v: the pair filter rejected a match", key, m, slow)
		}
		if short := newRedactor([]string{"x"}); short.match(key) != short.matchSlow(key) {
			t.Errorf("one-byte pattern: match(%q) differs from matchSlow", key)
		}
		if up := strings.ToUpper(key); isASCII(key) && r.match(up) != m {
			t.Errorf("match(%q) = %v but match(%q) = %v", key, m, up, !m)
		}
		if sep := strings.ReplaceAll(key, "", "_"); r.match(sep) != m {
			t.Errorf("match(%q) = %v but match(%q) = %v", key, m, sep, !m)
		}
		if m && string(normalize(nil, key)) != defaultExact && !r.match("x"+key) {
			t.Errorf("match(%q) but not with a prefix", key)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
