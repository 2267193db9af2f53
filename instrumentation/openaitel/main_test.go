package openaitel

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		// The benchmarks' fake server, in a process of its own so that
		// its CPU time is not counted as the client's.
		os.Exit(serveBench())
	}
	goleak.VerifyTestMain(m)
}
