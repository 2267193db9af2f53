package telemetry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// env reads environment variables for newConfig with one policy for every
// variable: a value is trimmed, an empty value is unset, and a value that
// does not parse is a *ConfigError naming the variable (reported once,
// however many signals read it), after which the default applies so that
// the remaining variables are still checked.
type env struct {
	lookup func(string) (string, bool)
	v      *validator
}

// get returns the trimmed value of key and whether it is set and non-empty.
func (e env) get(key string) (string, bool) {
	s, ok := e.lookup(key)
	s = strings.TrimSpace(s)
	return s, ok && s != ""
}

// first returns the value of the first of keys that is set, and its key.
func (e env) first(keys ...string) (value, key string, ok bool) {
	for _, k := range keys {
		if s, ok := e.get(k); ok {
			return s, k, true
		}
	}
	return "", "", false
}

// bool reads a boolean: "true" or "false" in any case, as the
// OpenTelemetry specification defines them.
func (e env) bool(key string) (value, set bool) {
	s, ok := e.get(key)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	e.v.add(key, s, "true or false")
	return false, false
}

// int reads a whole number of at least min; def when unset or bad.
func (e env) int(def, min int, keys ...string) int {
	s, key, ok := e.first(keys...)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		e.v.add(key, s, fmt.Sprintf("a whole number, at least %d", min))
		return def
	}
	return n
}

// millis reads a duration in milliseconds, at least min; def when unset or
// bad.
func (e env) millis(def, min time.Duration, keys ...string) time.Duration {
	s, key, ok := e.first(keys...)
	if !ok {
		return def
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || time.Duration(ms)*time.Millisecond < min || ms > int64(24*time.Hour/time.Millisecond) {
		if min > 0 {
			e.v.add(key, s, "a positive whole number of milliseconds")
		} else {
			e.v.add(key, s, "a whole number of milliseconds, 0 or more")
		}
		return def
	}
	return time.Duration(ms) * time.Millisecond
}

// enum reads one of allowed, compared in lower case; def when unset or bad.
func (e env) enum(key, def string, allowed ...string) string {
	s, ok := e.get(key)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a
		}
	}
	e.v.add(key, s, allowedText(s, allowed))
	return def
}

// unsupported are values the OpenTelemetry specification names that this
// SDK does not implement: an error says so rather than "unknown".
var unsupported = map[string]bool{
	"jaeger_remote": true, "parentbased_jaeger_remote": true, "xray": true, "ottrace": true,
	"zipkin": true, "http/json": true,
}

func allowedText(value string, allowed []string) string {
	s := "one of " + strings.Join(allowed, ", ")
	if unsupported[strings.ToLower(value)] {
		s = value + " is not supported; " + s
	}
	return s
}

// list reads a comma-separated list of values from allowed (lower case,
// duplicates removed, order kept); nil when unset. Unknown values are
// reported and left out.
func (e env) list(key string, allowed ...string) []string {
	s, ok := e.get(key)
	if !ok {
		return nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		p := strings.ToLower(strings.TrimSpace(part))
		if p == "" {
			continue
		}
		known := false
		for _, a := range allowed {
			known = known || p == a
		}
		if !known {
			msg := "a comma-separated list of " + strings.Join(allowed, ", ")
			if unsupported[p] {
				msg = p + " is not supported; " + msg
			}
			e.v.add(key, s, msg)
			return out
		}
		dup := false
		for _, o := range out {
			dup = dup || o == p
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}
