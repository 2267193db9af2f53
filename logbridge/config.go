package logbridge

import (
	"io"
	"log/slog"
	"os"
	"strings"

	otellog "go.opentelemetry.io/otel/log"

	"github.com/starmates-ai-team/telemetry"
)

// LevelEnv is the environment variable that sets the level when no
// [WithLevel] option is given: debug, info, warn or error (any case).
// Unset or empty means info.
const LevelEnv = "LOG_LEVEL"

// levelAllowed lists what LevelEnv accepts, for error messages.
const levelAllowed = "one of debug, info, warn, error"

// Format is the encoding of the console output.
type Format string

// The console formats.
const (
	JSON Format = "json" // one JSON object per line, in slog.JSONHandler's format; the default
	Text Format = "text" // key=value pairs, in slog.TextHandler's format
)

// Option configures [New] and [NewHandler].
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

type config struct {
	provider   otellog.LoggerProvider // nil: the Telemetry's
	level      slog.Leveler
	writer     io.Writer
	format     Format
	noConsole  bool
	noRedact   bool
	redactKeys []string
}

// WithLoggerProvider sends the OpenTelemetry side of the records to lp
// instead of the Telemetry's LoggerProvider, as otelslog.WithLoggerProvider
// does. With it, a nil or disabled Telemetry still emits OpenTelemetry
// records, on lp. A nil lp leaves the default.
//
// The Telemetry's pipeline is what adds the labels environment, project and
// service to every record (at export time), bounds the queue and counts
// what was dropped: records on a provider of one's own get none of that,
// and its export errors go where its owner sent them (for the
// OpenTelemetry SDK, otel.Handle). Level, redaction, trace ids and the
// console are the same.
func WithLoggerProvider(lp otellog.LoggerProvider) Option {
	return optionFunc(func(c config) config {
		if lp != nil {
			c.provider = lp
		}
		return c
	})
}

// WithLevel sets the minimum level of both outputs. A *slog.LevelVar can
// change it while the program runs. It overrides LOG_LEVEL.
func WithLevel(l slog.Leveler) Option {
	return optionFunc(func(c config) config { c.level = l; return c })
}

// WithWriter sets where the console output goes. Default os.Stderr.
// The writer must be safe for concurrent use if other code writes to it;
// the handler serialises its own writes.
func WithWriter(w io.Writer) Option {
	return optionFunc(func(c config) config { c.writer = w; return c })
}

// WithFormat sets the console encoding: [JSON] (default) or [Text].
func WithFormat(f Format) Option {
	return optionFunc(func(c config) config { c.format = f; return c })
}

// WithConsole turns the console output on (the default) or off. With the
// console off and a disabled Telemetry the logger discards everything.
func WithConsole(on bool) Option {
	return optionFunc(func(c config) config { c.noConsole = !on; return c })
}

// WithRedactKeys adds keys to redact, besides the default ones. They match
// the way the defaults do: in lower case, with '-', '_', '.' and spaces
// removed, anywhere in the key ("ssn" redacts "user_ssn").
func WithRedactKeys(keys ...string) Option {
	return optionFunc(func(c config) config {
		c.redactKeys = append(append([]string(nil), c.redactKeys...), keys...)
		return c
	})
}

// WithoutRedaction turns redaction off: attributes reach both outputs as
// they are. Meant for tests and local debugging.
func WithoutRedaction() Option {
	return optionFunc(func(c config) config { c.noRedact = true; return c })
}

// newConfig applies defaults, then the environment, then the options, and
// validates the result. lookup reads the environment.
func newConfig(lookup func(string) (string, bool), opts []Option) (config, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	if c.level == nil {
		l := slog.LevelInfo
		if s, ok := lookup(LevelEnv); ok && strings.TrimSpace(s) != "" {
			var err error
			if l, err = parseLevel(s); err != nil {
				return c, &telemetry.ConfigError{Field: LevelEnv, Value: s, Allowed: levelAllowed}
			}
		}
		c.level = l
	}
	if c.writer == nil {
		c.writer = os.Stderr
	}
	switch c.format {
	case "":
		c.format = JSON
	case JSON, Text:
	default:
		return c, &telemetry.ConfigError{Field: "logbridge format", Value: string(c.format), Allowed: "json or text"}
	}
	return c, nil
}

// parseLevel reads the level names that LevelEnv accepts.
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, telemetry.ErrInvalidConfig
}
