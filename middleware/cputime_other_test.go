//go:build !unix

package middleware_test

import "time"

// cpuTime is not measured on this platform; the benchmarks then report no
// cpu-ns/op.
func cpuTime() time.Duration { return 0 }
