#!/usr/bin/env bash
# test.sh: every check the project has, in the order CI runs them.
#
#   bash scripts/test.sh          all: lint, unit (-race), stack checks, local stack, integration, end to end
#   SKIP_STACK=1 bash scripts/test.sh   only what needs no local stack
#
# It installs what it needs (staticcheck and benchstat with go install; Prometheus,
# Alertmanager and docker-compose with apt through the stack scripts) and caches the
# built binaries outside the repository (~/.cache/telemetry-stack). Each step runs even if
# an earlier one failed; the last line is "N passed, M failed" and the exit code is 1 on
# any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
export GOFLAGS=${GOFLAGS:-}
STATICCHECK_VERSION=v0.8.2
STACK=$ROOT/examples/stack/local/stack.sh

passed=0 failed=0 failures=()
step() {
  local name=$1; shift
  printf '\n=== %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf -- '--- ok   %s (%ds)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1)); failures+=("$name"); printf -- '--- FAIL %s (%ds)\n' "$name" $((SECONDS - start))
  fi
}

gofmt_clean() {
  local out; out=$(gofmt -l . 2>&1)
  [ -z "$out" ] || { echo "gofmt would change:"; echo "$out"; return 1; }
}
staticcheck_run() {
  command -v staticcheck >/dev/null && staticcheck -version 2>/dev/null | grep -q "${STATICCHECK_VERSION#v}" ||
    go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" || return 1
  staticcheck ./...
}
tools_module() { (cd examples/stack/tools && go mod tidy -diff && go vet ./... && go test -race -count=1 ./...); }
# examples_module: the example services, demo and e2e suite, their own module so that the
# core's go.mod does not get the LLM client libraries: tidy, vet, staticcheck, tests.
examples_module() { (cd examples && go mod tidy -diff && go vet ./... && staticcheck ./... && go test -race -count=1 ./...); }
# integration_modules: the modules of third-party integrations (instrumentation/*),
# each with its own go.mod so that the core's stays small: tidy, vet, staticcheck, tests.
integration_modules() {
  local rc=0 dir
  for dir in $(find instrumentation -name go.mod -exec dirname {} \; 2>/dev/null | LC_ALL=C sort); do
    printf -- '--- module %s\n' "$dir"
    (cd "$dir" && go mod tidy -diff && go vet ./... && staticcheck ./... && go test -race -count=1 ./...) || rc=1
  done
  return $rc
}
stack_up() { bash "$STACK" up; }
integration() { go test -race -count=1 -tags integration ./integration/...; }
e2e() { go -C examples run ./e2e; }
faults() { go test -race -count=1 -tags faults -timeout 20m ./faults/...; }

step "gofmt" gofmt_clean
step "go mod tidy (core)" go mod tidy -diff
step "go vet" go vet ./...
step "staticcheck" staticcheck_run
step "unit tests (-race)" go test -race -count=1 ./...
step "tools module" tools_module
step "examples module (vet, staticcheck, -race)" examples_module
step "integration modules (instrumentation/*: vet, staticcheck, -race)" integration_modules
if [ "${SKIP_STACK:-}" != 1 ]; then
  step "stack checks (collector config, compose, rules, dashboards, terraform)" bash examples/stack/check.sh
  if step "local stack up" stack_up; then
    step "integration (real collector, Prometheus, Jaeger)" integration
    step "end to end (examples on the local stack)" e2e
    step "fault suite (collector down, killed, slow; hostile input)" faults
  fi
  bash "$STACK" down >/dev/null 2>&1 || true
fi

printf '\n'
for f in "${failures[@]}"; do printf 'failed: %s\n' "$f"; done
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
