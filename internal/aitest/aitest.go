// Package aitest holds the test kits that the tests and benchmarks of the
// AI client integrations share: instrumentation/openaitel, anthropictel
// and genaitel, and internal/aihttp under them. It reads spans recorded by
// a telemetrytest.Kit (their attributes, the attempt events of a retried
// call), builds the SDK pipeline the benchmarks record on and runs their
// measured loops with the CPU time they report.
//
// It imports none of the client libraries, so that the core module does
// not depend on them: what needs a client's types stays in that module's
// own tests.
package aitest
