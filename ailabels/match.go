package ailabels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// matcher is a model-id rule in the form genai-prices uses: one of
// equals, starts_with, ends_with, contains, regex, or a list under or /
// and. Literals are compared with the lower-cased id (price keys are lower
// case).
type matcher struct {
	kind string
	s    string
	re   *regexp.Regexp
	subs []*matcher
}

// maxMatchDepth bounds the nesting of or/and, so that a hostile file
// cannot exhaust the stack.
const maxMatchDepth = 16

func parseMatch(raw json.RawMessage) (*matcher, error) { return parseMatchDepth(raw, 0) }

func parseMatchDepth(raw json.RawMessage, depth int) (*matcher, error) {
	if depth > maxMatchDepth {
		return nil, fmt.Errorf("match nested deeper than %d", maxMatchDepth)
	}
	var clause map[string]json.RawMessage
	if err := json.Unmarshal(raw, &clause); err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	if len(clause) != 1 {
		return nil, fmt.Errorf("match %s: want exactly one of equals, starts_with, ends_with, contains, regex, or, and", compact(raw))
	}
	for kind, v := range clause {
		switch kind {
		case "equals", "starts_with", "ends_with", "contains", "regex":
			var s string
			if err := json.Unmarshal(v, &s); err != nil || s == "" {
				return nil, fmt.Errorf("match %s: %s wants a non-empty string", compact(raw), kind)
			}
			m := &matcher{kind: kind, s: strings.ToLower(s)}
			if kind == "regex" {
				re, err := regexp.Compile(s)
				if err != nil {
					return nil, fmt.Errorf("match %s: %w", compact(raw), err)
				}
				m.re, m.s = re, s
			}
			return m, nil
		case "or", "and":
			var list []json.RawMessage
			if err := json.Unmarshal(v, &list); err != nil || len(list) == 0 {
				return nil, fmt.Errorf("match %s: %s wants a non-empty list", compact(raw), kind)
			}
			m := &matcher{kind: kind, subs: make([]*matcher, len(list))}
			for i, sub := range list {
				sm, err := parseMatchDepth(sub, depth+1)
				if err != nil {
					return nil, err
				}
				m.subs[i] = sm
			}
			return m, nil
		default:
			return nil, fmt.Errorf("match %s: unknown clause %q", compact(raw), kind)
		}
	}
	panic("unreachable")
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	if b.Len() > 120 {
		return b.String()[:120] + "..."
	}
	return b.String()
}

func (m *matcher) match(key string) bool {
	switch m.kind {
	case "equals":
		return key == m.s
	case "starts_with":
		return strings.HasPrefix(key, m.s)
	case "ends_with":
		return strings.HasSuffix(key, m.s)
	case "contains":
		return strings.Contains(key, m.s)
	case "regex":
		return m.re.MatchString(key)
	case "or":
		for _, s := range m.subs {
			if s.match(key) {
				return true
			}
		}
		return false
	case "and":
		for _, s := range m.subs {
			if !s.match(key) {
				return false
			}
		}
		return true
	}
	return false
}
