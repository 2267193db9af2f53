package export

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHandlerRateLimits(t *testing.T) {
	var got []error
	h := NewHandler(func(err error) { got = append(got, err) }, 30*time.Second, nil)
	now := time.Unix(0, 0)
	h.now = func() time.Time { return now }

	for range 5 {
		h.Handle(errors.New("boom"))
	}
	if len(got) != 1 {
		t.Fatalf("passed %d errors in one interval; want 1", len(got))
	}
	now = now.Add(31 * time.Second)
	h.Handle(errors.New("boom again"))
	if len(got) != 2 || !strings.Contains(got[1].Error(), "and 4 more error(s)") {
		t.Fatalf("second report = %v; want it to count the 4 held back", got)
	}
}

func TestHandlerSurvivesPanickingSink(t *testing.T) {
	h := NewHandler(func(error) { panic("user sink") }, time.Second, nil)
	h.Handle(errors.New("x")) // must not panic
	var nilH *Handler
	nilH.Handle(errors.New("x"))
}

func TestHandlerSetSinkKeepsTheRateLimit(t *testing.T) {
	var first, second []error
	h := NewHandler(func(err error) { first = append(first, err) }, 30*time.Second, nil)
	now := time.Unix(0, 0)
	h.now = func() time.Time { return now }
	h.Handle(errors.New("one"))
	h.SetSink(func(err error) { second = append(second, err) })
	h.Handle(errors.New("two")) // within the interval: counted, not passed
	now = now.Add(31 * time.Second)
	h.Handle(errors.New("three"))
	if len(first) != 1 || len(second) != 1 || !strings.Contains(second[0].Error(), "and 1 more error(s)") {
		t.Fatalf("first %v, second %v; want one each, the second counting the one held back", first, second)
	}
	h.SetSink(nil)
	now = now.Add(31 * time.Second)
	h.Handle(errors.New("dropped")) // must not panic
}
