//go:build unix

package middleware_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) the process used so far:
// every goroutine, the client's, the server's, the span processor's and
// the garbage collector's. Per request it is the cost that a shared
// machine's load does not inflate the way it inflates wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
