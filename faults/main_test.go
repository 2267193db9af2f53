//go:build faults

package faults

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain prints the suite's table of figures (and writes it to the file
// named by FAULTS_REPORT, if set) and checks that no test left a goroutine
// behind (the SDK's exporters, the services, the
// blackhole and the load generator all stop).
func TestMain(m *testing.M) {
	code := m.Run()
	printReport(os.Stdout)
	// FAULTS_REPORT=file keeps the table (go test shows a passing
	// package's output only with -v).
	if path := os.Getenv("FAULTS_REPORT"); path != "" {
		if f, err := os.Create(path); err == nil {
			printReport(f)
			f.Close()
		}
	}
	if code == 0 {
		if err := goleak.Find(
			// gRPC's callback serializer outlives ClientConn.Close by a moment.
			goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
		); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
