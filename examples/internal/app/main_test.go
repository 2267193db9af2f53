package app

import (
	"testing"

	"go.uber.org/goleak"
)

// The services, their background jobs, the fake provider and the model
// clients' connections all stop with Chain.Close.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
