package app

import (
	"slices"
	"testing"
)

func TestResultSucceeded(t *testing.T) {
	res := Result{Sent: []Sent{
		{TraceID: "a", Status: 200},
		{TraceID: "b", Status: 200, Fault: "slow"},
		{TraceID: "c", Status: 500},
		{TraceID: "d"}, // no response
		{TraceID: "e", Status: 200},
	}}
	var got []string
	for _, s := range res.Succeeded() {
		got = append(got, s.TraceID)
	}
	if want := []string{"a", "e"}; !slices.Equal(got, want) {
		t.Errorf("Succeeded: %v, want %v", got, want)
	}
}
