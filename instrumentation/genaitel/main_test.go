package genaitel_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func goleakMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		serveBench() // the benchmarks' server process
		return
	}
	goleak.VerifyTestMain(m)
}
