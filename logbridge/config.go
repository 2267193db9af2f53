package logbridge

import (
	"io"
	"log/slog"
	"os"
	"strings"

	otellog "go.opentelemetry.io/otel/log"

	"github.com/starmates-ai-team/telemetry"
	"github.com/starmates-ai-team/telemetry/internal/provider"
)

// LevelEnv is the environment variable that sets the level when neither
// [WithLevel] nor [WithHandlerOptions] gives one. It takes what
// slog.Level's UnmarshalText takes: debug, info, warn or error in any
// case, optionally with an offset (INFO+2, warn-1, ERROR+8). Unset or
// empty means info.
const LevelEnv = "LOG_LEVEL"

// levelAllowed says what LevelEnv accepts, for error messages.
const levelAllowed = "debug, info, warn or error (any case), optionally with an offset such as INFO+2 or warn-1"

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
	providers  provider.Set // a nil Logger: the Telemetry's
	level      slog.Leveler
	console    slog.HandlerOptions // AddSource and ReplaceAttr; Level is in level
	writer     io.Writer
	format     Format
	noConsole  bool
	noRedact   bool
	redactKeys []string
	sdkErrors  bool
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
		c.providers = c.providers.WithLogger(lp)
		return c
	})
}

// WithLevel sets the minimum level of both outputs. A *slog.LevelVar can
// change it while the program runs. It overrides LOG_LEVEL.
func WithLevel(l slog.Leveler) Option {
	return optionFunc(func(c config) config { c.level = l; return c })
}

// WithHandlerOptions applies slog's handler options, with the meaning
// they have for slog.JSONHandler and slog.TextHandler: the console line is
// byte for byte what those handlers would write under the same options,
// with trace_id and span_id at its end.
//
//   - Level, when not nil, is the minimum level of both outputs, as with
//     [WithLevel] (a *slog.LevelVar changes it while the program runs); of
//     the two, the option given last wins. It overrides LOG_LEVEL.
//   - AddSource adds the "source" attribute to the console line, and the
//     code.* attributes (function, file, line) to the OpenTelemetry record.
//   - ReplaceAttr rewrites or drops the console's attributes, the built-in
//     time, level, msg and source included, and trace_id and span_id (seen
//     with no groups), for a log backend that wants other keys. It runs
//     after redaction, so it sees "[REDACTED]" where a secret was. The
//     OpenTelemetry record keeps its own data model and is not rewritten.
//
// A nil o changes nothing.
func WithHandlerOptions(o *slog.HandlerOptions) Option {
	return optionFunc(func(c config) config {
		if o == nil {
			return c
		}
		if o.Level != nil {
			c.level = o.Level
		}
		c.console.AddSource, c.console.ReplaceAttr = o.AddSource, o.ReplaceAttr
		return c
	})
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

// WithSDKErrors makes the handler the destination of the Telemetry's own
// errors (failed exports, and whatever else reaches its error handler; see
// telemetry.Telemetry.SetErrorHandler), instead of standard error or the
// function of telemetry.WithErrorHandler: each becomes one line of the
// service's log, in the console's format (JSON or text, ReplaceAttr
// applied) with the keys time, level (ERROR), msg ("telemetry") and error.
// The Telemetry's rate limit stays (one every 30 seconds, the next saying
// how many were held back) and header values stay redacted. With the
// console off the records go to the OpenTelemetry side. A record under
// the handler's level is not written. The handler built last with this
// option wins; with a nil or disabled Telemetry it does nothing.
func WithSDKErrors() Option {
	return optionFunc(func(c config) config { c.sdkErrors = true; return c })
}

// WithoutRedaction turns redaction off: attributes reach both outputs as
// they are. Meant for tests and local debugging.
func WithoutRedaction() Option {
	return optionFunc(func(c config) config { c.noRedact = true; return c })
}

// newConfig applies the options, then LOG_LEVEL and the defaults for what
// they left unset, and checks the result. lookup reads the environment.
func newConfig(lookup func(string) (string, bool), opts []Option) (config, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			c = o.apply(c)
		}
	}
	if c.level == nil {
		l, err := levelFromEnv(lookup)
		if err != nil {
			return c, err
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

// levelFromEnv reads LevelEnv as slog.Level's UnmarshalText does, after
// trimming spaces; info when it is unset or empty.
func levelFromEnv(lookup func(string) (string, bool)) (slog.Level, error) {
	raw, _ := lookup(LevelEnv)
	s := strings.TrimSpace(raw)
	if s == "" {
		return slog.LevelInfo, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, &telemetry.ConfigError{Field: LevelEnv, Value: raw, Allowed: levelAllowed}
	}
	return l, nil
}
