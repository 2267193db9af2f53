//go:build !unix

package testutil

import "time"

// CPUTime is not measured on this platform: it returns 0, and ReportCPU
// then reports nothing.
func CPUTime() time.Duration { return 0 }
