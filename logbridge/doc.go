// Package logbridge sends log/slog records to OpenTelemetry logs and to the
// container's console at the same time, each line correlated with its trace.
//
//	logger, err := logbridge.New(tel, logbridge.WithSDKErrors()) // level from LOG_LEVEL, JSON on stderr
//	if err != nil {
//		return err // a *telemetry.ConfigError naming LOG_LEVEL
//	}
//	slog.SetDefault(logger) // optional: installing a global is your call
//
//	func (s *server) checkout(w http.ResponseWriter, r *http.Request) {
//		logger.InfoContext(r.Context(), "order placed", "order_id", id)
//		// or, where only the context travels:
//		logbridge.From(r.Context()).Info("order placed", "order_id", id)
//	}
//
// # One handler, two outputs
//
// The [Handler] does the shared work once (level check, redaction, trace
// lookup), forwards the record to contrib's otelslog bridge, built on the
// Telemetry's LoggerProvider, and writes it to a local writer (standard
// error by default) as one line in the format of slog's JSONHandler or
// TextHandler. The console encoder is the SDK's own, so that the trace ids
// go on the line without copying the record or allocating: a line with the
// ids costs less than JSONHandler given them as two more attributes.
// [WithHandlerOptions] takes slog's own *slog.HandlerOptions (Level,
// AddSource, ReplaceAttr), under which the line stays byte for byte what
// JSONHandler or TextHandler would write: a log backend that wants "ts",
// "severity" or "message" gets them with the ReplaceAttr it would give
// slog. LOG_LEVEL takes what slog.Level's UnmarshalText takes (debug,
// INFO+2, warn-1, ...).
//
// The OpenTelemetry side carries the resource, the labels environment,
// project and service (added by the SDK's log exporter), the severity
// (slog.LevelDebug is SeverityDebug, Info is Info, Warn is Warn, Error is
// Error, levels in between add their offset) and attributes and groups as
// nested maps. With a nil or disabled Telemetry only the console is
// written, unless [WithLoggerProvider] names a provider.
//
// # A logger provider of one's own
//
// [WithLoggerProvider] sends the OpenTelemetry side to another provider
// than the Telemetry's (contrib's otelslog.WithLoggerProvider, one level
// up), with or without a Telemetry. Level, redaction, trace correlation and
// the console work as before. What such a provider does not get: the labels
// environment, project and service, which the Telemetry's log exporter
// adds to every record at export time, the Telemetry's resource, bounded
// queue and drop counts; its background errors (failed exports) go where
// its owner sent them, for the OpenTelemetry SDK otel.Handle, not to the
// Telemetry's rate-limited handler.
//
// # Trace correlation, and the trap
//
// The trace and span ids come from the context passed to the log call: the
// OpenTelemetry record carries them natively, the console line as the
// top-level attributes "trace_id" and "span_id" at its end (outside any
// group, so that a log pipeline finds them in one place). slog.Info and
// Logger.Info pass context.Background(), so they carry no trace. Inside a
// request use the Context variants (InfoContext(r.Context(), ...)), or a
// logger from [From], which remembers the span of the context it was taken
// from and uses it for calls made without one. Middleware puts a logger in
// the request context with [Context].
//
// # Secrets
//
// By default an attribute whose key looks like a credential is written as
// "[REDACTED]" to both outputs, wherever it comes from: a log call, a group,
// Logger.With, or a [slog.LogValuer]. Keys are compared in lower case with
// '-', '_', '.' and spaces removed; a key matches when it contains
// authorization, apikey, passw (password, passwd), passphrase, secret,
// cookie, credential, privatekey or bearer, when it ends in token
// (access_token, x-auth-token; not input_tokens or token_type), or when it
// is exactly auth. An open group (Logger.WithGroup) whose name matches
// redacts everything logged inside it. [WithRedactKeys] adds keys,
// [WithoutRedaction] turns it off. Messages and the insides of values of
// kind Any (maps, structs) are not inspected: keep secrets out of them.
//
// # When the collector is down
//
// The OpenTelemetry side hands records to the Telemetry's bounded queue
// (OTEL_BLRP_MAX_QUEUE_SIZE, 2048 by default): when it is full the newest
// records are refused, not queued, and counted (Telemetry.Stats,
// telemetry_sdk_dropped_total), while those already queued are sent, or
// counted as failed when the collector does not take them. A log call never waits for the network, and the console
// keeps every line.
//
// The SDK's own errors about it (failed exports) go by default to
// standard error as slog text, between the service's JSON lines;
// [WithSDKErrors] makes them lines of the service's log instead, one at
// most every 30 seconds, in the console's format.
package logbridge
