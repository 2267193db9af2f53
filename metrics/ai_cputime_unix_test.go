//go:build unix

package metrics_test

import (
	"syscall"
	"time"
)

// aiCPUTime is the CPU time the process has used, all threads. The AI
// benchmarks report it per operation as cpu-ns/op: on a machine shared with
// other builds it moves much less than wall time, which also counts the
// time the benchmark waited for a core.
func aiCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
