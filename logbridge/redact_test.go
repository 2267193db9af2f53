package logbridge

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/starmates-ai-team/telemetry/telemetrytest"
)

func TestMatch(t *testing.T) {
	r := newRedactor(nil)
	secret := []string{
		"authorization", "Authorization", "Proxy-Authorization", "auth", "AUTH",
		"api_key", "apikey", "apiKey", "x-api-key", "X-API-KEY", "openai_api_key", "OPENAI_API_KEY", "api.key",
		"token", "access_token", "refresh_token", "id_token", "AccessToken", "x-auth-token", "csrf-token",
		"password", "Password", "db_passwd", "passphrase", "client_secret", "secret", "SecretKey",
		"cookie", "set-cookie", "Set-Cookie", "cookies", "credential", "credentials", "aws_credentials",
		"private_key", "privateKey", "private-key", "bearer_token", "bearer",
		strings.Repeat("x", 100) + "_password", // longer than the stack buffer
	}
	plain := []string{
		"", "user", "user_id", "author", "authority", "input_tokens", "output_tokens", "token_type",
		"tokens", "max_tokens", "token_count", "model", "status", "path", "key", "api", "trace_id",
		"private", "pass", "cook", "sec",
	}
	for _, k := range secret {
		if !r.match(k) {
			t.Errorf("match(%q) = false, want true", k)
		}
	}
	for _, k := range plain {
		if r.match(k) {
			t.Errorf("match(%q) = true, want false", k)
		}
	}

	extra := newRedactor([]string{"SSN", "", "-"})
	if !extra.match("user_ssn") || !extra.match("password") || extra.match("user") {
		t.Error("WithRedactKeys patterns do not match as documented")
	}
}

const canary = "sk-canary-XYZ"

// canaryValuer hides the canary behind a LogValuer, as a config struct
// would.
type canaryValuer struct{}

func (canaryValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("endpoint", "https://api.example"), slog.String("openai_api_key", canary))
}

type bareValuer struct{}

func (bareValuer) LogValue() slog.Value { return slog.StringValue(canary) }

// TestCanaryNeverLeaves passes a fake API key in every way slog allows and
// checks that neither output ever holds it.
func TestCanaryNeverLeaves(t *testing.T) {
	for _, format := range []Format{JSON, Text} {
		t.Run(string(format), func(t *testing.T) {
			h, kit, buf := newTest(t, WithFormat(format), WithLevel(slog.LevelDebug))
			l := slog.New(h)
			ctx := trace.ContextWithSpanContext(context.Background(), validSpanContext())

			l.Info("attr", "api_key", canary)
			l.InfoContext(ctx, "attr in span", "Authorization", "Bearer "+canary)
			l.Info("group", slog.Group("upstream", "x-api-key", canary, "host", "h"))
			l.Info("nested group", slog.Group("a", slog.Group("b", "access_token", canary)))
			l.Info("inline group", slog.Group("", "refresh_token", canary))
			l.With("set-cookie", canary).Info("with attrs")
			l.WithGroup("req").With("password", canary).InfoContext(ctx, "with attrs in group")
			l.Info("valuer", "config", canaryValuer{})
			l.With("cfg", canaryValuer{}).Info("valuer in with")
			l.Info("bare valuer", "token", bareValuer{})
			l.WithGroup("credentials").Info("group named like a secret", "user", canary)
			l.WithGroup("credentials").With("id", canary).Info("with in secret group")
			l.LogAttrs(ctx, slog.LevelWarn, "attrs", slog.String("PRIVATE_KEY", canary), slog.Any("client_secret", canary))
			l.Debug("many attrs", "a", 1, "b", 2, "c", 3, "d", 4, "e", 5, "f", 6, "g", 7, "h", 8, "i", 9, "db_password", canary)

			const calls = 14
			if strings.Contains(buf.String(), canary) {
				t.Errorf("console holds the canary:\n%s", buf.String())
			}
			if n := strings.Count(buf.String(), "\n"); n != calls {
				t.Errorf("console has %d lines, want %d", n, calls)
			}
			if !strings.Contains(buf.String(), Redacted) {
				t.Error("console shows no redaction marker")
			}
			recs := kit.Logs()
			if len(recs) != calls {
				t.Fatalf("got %d records, want %d", len(recs), calls)
			}
			for _, r := range recs {
				if s := r.Body().AsString() + " " + flatten(attrMap(r)); strings.Contains(s, canary) {
					t.Errorf("otel record %q holds the canary: %s", r.Body().AsString(), s)
				}
			}
			// What is not a secret survives.
			if !strings.Contains(buf.String(), "https://api.example") || !strings.Contains(buf.String(), "host") {
				t.Errorf("redaction removed too much:\n%s", buf.String())
			}
		})
	}
}

func flatten(m map[string]any) string {
	var b strings.Builder
	for k, v := range m {
		b.WriteString(k)
		b.WriteByte('=')
		if sub, ok := v.(map[string]any); ok {
			b.WriteString("{" + flatten(sub) + "}")
		} else {
			b.WriteString(strings.TrimSpace(strings.ReplaceAll(slog.AnyValue(v).String(), "\n", " ")))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

func TestTokenCountsAreNotRedacted(t *testing.T) {
	h, kit, buf := newTest(t)
	slog.New(h).Info("usage", "input_tokens", 12, "token_type", "output", "model", "gpt")
	if got := buf.lines(t)[0]; got["input_tokens"] != float64(12) || got["token_type"] != "output" {
		t.Errorf("console %v", got)
	}
	if m := attrMap(kit.Logs()[0]); m["input_tokens"] != int64(12) {
		t.Errorf("otel %v", m)
	}
}

func TestWithoutRedaction(t *testing.T) {
	h, kit, buf := newTest(t, WithoutRedaction())
	slog.New(h).Info("m", "api_key", canary)
	if !strings.Contains(buf.String(), canary) || !strings.Contains(flatten(attrMap(kit.Logs()[0])), canary) {
		t.Error("WithoutRedaction still redacted")
	}
}

func TestWithRedactKeys(t *testing.T) {
	h, kit, buf := newTest(t, WithRedactKeys("ssn"))
	slog.New(h).Info("m", "user_ssn", canary, "password", canary)
	if strings.Contains(buf.String(), canary) || strings.Contains(flatten(attrMap(kit.Logs()[0])), canary) {
		t.Error("extra key not redacted")
	}
}

func TestRedactionKeepsCallerAttrs(t *testing.T) {
	h, _, _ := newTest(t)
	attrs := []slog.Attr{slog.String("api_key", canary), slog.Int("n", 1)}
	h.WithAttrs(attrs)
	if attrs[0].Value.String() != canary {
		t.Error("WithAttrs rewrote the caller's slice")
	}
}

func newKit(t *testing.T) *telemetrytest.Kit { return telemetrytest.New(t) }
