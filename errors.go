package telemetry

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is matched (errors.Is) by every configuration error that
// Init returns, a single *ConfigError or several joined.
var ErrInvalidConfig = errors.New("telemetry: invalid configuration")

// ConfigError describes one bad setting: the field or environment variable
// it came from, the value (omitted for secrets), and what is allowed.
type ConfigError struct {
	Field   string // option name or environment variable
	Value   string // the rejected value; empty for headers
	Allowed string // what the field accepts
	Err     error  // the underlying parse error, if any
}

// Error implements error.
func (e *ConfigError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("telemetry: invalid %s: %v", e.Field, e.Err)
	case e.Value == "":
		return fmt.Sprintf("telemetry: %s is required: %s", e.Field, e.Allowed)
	default:
		return fmt.Sprintf("telemetry: invalid %s %q: allowed: %s", e.Field, e.Value, e.Allowed)
	}
}

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Unwrap returns the underlying parse error.
func (e *ConfigError) Unwrap() error { return e.Err }

// validator collects every configuration error so that a user sees them all
// at once, each field once (a generic OTEL_EXPORTER_OTLP_* variable feeds
// three signals but is one mistake).
type validator struct {
	errs   []error
	fields map[string]bool
}

func (v *validator) add(field, value, allowed string) {
	v.push(&ConfigError{Field: field, Value: value, Allowed: allowed})
}

func (v *validator) addErr(field string, err error) {
	v.push(&ConfigError{Field: field, Err: err})
}

func (v *validator) push(e *ConfigError) {
	if v.fields[e.Field] {
		return
	}
	if v.fields == nil {
		v.fields = make(map[string]bool)
	}
	v.fields[e.Field] = true
	v.errs = append(v.errs, e)
}

// err returns nil, the one *ConfigError, or the errors.Join of several:
// a single bad setting can be read with a type assertion as well as with
// errors.As.
func (v *validator) err() error {
	if len(v.errs) == 1 {
		return v.errs[0]
	}
	return errors.Join(v.errs...)
}
