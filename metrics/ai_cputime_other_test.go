//go:build !unix

package metrics_test

import "time"

// aiCPUTime is not measured here; benchmarks then report 0 cpu-ns/op.
func aiCPUTime() time.Duration { return 0 }
