#!/usr/bin/env bash
# check.sh: static checks of the stack's assets, one line per check.
#
#   examples/stack/check.sh
#
# Non-interactive; exits 1 if any check fails. Installs the Debian packages it needs
# (prometheus, prometheus-alertmanager, docker-compose) when run as root, builds the
# collector through local/stack.sh (cached; minutes only the first time) and installs
# hclfmt into the stack's cache. A check whose tool cannot be had is reported as SKIP.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK=$HERE/local/stack.sh
CACHE=${TELEMETRY_CACHE:-$HOME/.cache/telemetry-stack}
HCLFMT_VERSION=v2.25.0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$HERE"

failed=0 passed=0 skipped=0

# check NAME CMD...: runs CMD quietly; prints PASS or FAIL (with its output) for NAME.
check() {
  local name=$1; shift
  if "$@" >"$WORK/out" 2>&1; then
    printf 'PASS  %s\n' "$name"; passed=$((passed + 1))
  else
    printf 'FAIL  %s\n' "$name"; sed 's/^/      /' "$WORK/out" | tail -n 40; failed=$((failed + 1))
  fi
}
skip() { printf 'SKIP  %s (%s)\n' "$1" "$2"; skipped=$((skipped + 1)); }

# need_apt CMD PACKAGE: makes CMD available from Debian if it is missing and we are root.
need_apt() {
  command -v "$1" >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || return 1
  if [ -z "${apt_updated:-}" ]; then apt-get update -qq >/dev/null 2>&1; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1
  command -v "$1" >/dev/null
}

# Placeholder credentials: validation needs values, never real ones.
placeholder_env() {
  env ENVIRONMENT=dev \
    GRAFANA_CLOUD_API_KEY=glc_placeholder \
    GRAFANA_CLOUD_PROMETHEUS_URL=https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push \
    GRAFANA_CLOUD_PROMETHEUS_USER=123456 \
    GRAFANA_CLOUD_OTLP_ENDPOINT=https://otlp-gateway-prod-eu-west-0.grafana.net/otlp \
    GRAFANA_CLOUD_INSTANCE_ID=654321 \
    "$@"
}
# The environment local/stack.sh runs the collectors with.
local_env() { env $("$STACK" env | grep -v -e '^STACK_DIR=' -e '^TELEMETRY_CACHE=' -e '_API_KEY=') CLOUD_DIR="$WORK" "$@"; }

# --- collector configs ---------------------------------------------------------------------
if otelcol=$("$STACK" bin otelcol 2>"$WORK/build.log"); then
  check "otelcol validate monitoring/otel-collector-config.yml (placeholder cloud env)" \
    placeholder_env "$otelcol" validate --config monitoring/otel-collector-config.yml
  check "otelcol validate monitoring/otel-collector-config.yml (local stack env)" \
    local_env "$otelcol" validate --config monitoring/otel-collector-config.yml
  check "otelcol validate rejects the config without cloud env" \
    sh -c '! env -u GRAFANA_CLOUD_OTLP_ENDPOINT -u GRAFANA_CLOUD_PROMETHEUS_URL "$0" validate --config monitoring/otel-collector-config.yml' "$otelcol"
else
  printf 'FAIL  build the collector for otelcol validate\n'; tail -n 20 "$WORK/build.log" | sed 's/^/      /'
  failed=$((failed + 1))
fi
if jaeger=$("$STACK" bin jaeger 2>"$WORK/build.log"); then
  check "jaeger validate monitoring/jaeger.yml" "$jaeger" validate --config monitoring/jaeger.yml
else
  printf 'FAIL  build Jaeger for jaeger validate\n'; tail -n 20 "$WORK/build.log" | sed 's/^/      /'
  failed=$((failed + 1))
fi

if vlogs=$("$STACK" bin victorialogs 2>"$WORK/build.log"); then
  check "victoria-logs takes the flags local/stack.sh gives it" sh -c '
    h=$("$0" -help 2>&1); for f in httpListenAddr storageDataPath retentionPeriod httpAuth.username httpAuth.password loggerLevel; do
      printf "%s" "$h" | grep -q -- "-$f\b" || { echo "no flag -$f"; exit 1; }; done' "$vlogs"
else
  printf 'FAIL  build VictoriaLogs\n'; tail -n 20 "$WORK/build.log" | sed 's/^/      /'
  failed=$((failed + 1))
fi

# --- docker-compose ------------------------------------------------------------------------
if need_apt docker-compose docker-compose; then
  check "docker-compose config docker-compose.monitoring.yml" \
    docker-compose --env-file .env.monitoring.example -f docker-compose.monitoring.yml config -q
else
  skip "docker-compose config" "docker-compose not installed and not root"
fi
check ".env.monitoring.example holds placeholders only" \
  sh -c '! grep -E "^GRAFANA_CLOUD_API_KEY=glc_[A-Za-z0-9+/=]{20,}" .env.monitoring.example'
check ".env.monitoring is git-ignored" git check-ignore -q .env.monitoring

# --- Prometheus and Alertmanager -----------------------------------------------------------
if need_apt promtool prometheus; then
  check "promtool check config monitoring/prometheus.yml" promtool check config monitoring/prometheus.yml
  check "promtool check rules monitoring/rules/*.yml" promtool check rules monitoring/rules/*.yml
  check "promtool test rules monitoring/rules/tests/*.yml" promtool test rules monitoring/rules/tests/*.yml
  if "$STACK" render "$WORK/rendered" >"$WORK/render.log" 2>&1; then
    check "promtool check config (local stack's rendering)" promtool check config "$WORK/rendered/prometheus.yml"
    check "promtool check web-config (cloud Prometheus basic auth)" promtool check web-config "$WORK/rendered/cloud-prometheus-web.yml"
    check "promtool check config local/cloud-prometheus.yml" promtool check config local/cloud-prometheus.yml
  else
    printf 'FAIL  stack.sh render\n'; sed 's/^/      /' "$WORK/render.log"; failed=$((failed + 1))
  fi
else
  skip "promtool checks" "promtool not installed and not root"
fi
if need_apt amtool prometheus-alertmanager; then
  check "amtool check-config monitoring/alertmanager.yml" amtool check-config monitoring/alertmanager.yml
  [ -f "$WORK/rendered/alertmanager.yml" ] &&
    check "amtool check-config (local stack's rendering)" amtool check-config "$WORK/rendered/alertmanager.yml"
else
  skip "amtool check-config" "amtool not installed and not root"
fi

# --- Go tools: dashboards, alert sink, sender ----------------------------------------------
check "go vet (tools module)" sh -c 'cd tools && go vet ./...'
check "go test (tools module: dashboards drift, PromQL, metric names)" sh -c 'cd tools && go test -count=1 ./...'
check "go vet -tags e2e (the end-to-end tests compile)" sh -c 'cd tools && go vet -tags e2e ./e2e/'
check "gofmt (tools module)" sh -c 'cd tools && test -z "$(gofmt -l .)"'

# --- Terraform -----------------------------------------------------------------------------
hclfmt=$CACHE/bin/hclfmt-$HCLFMT_VERSION
if [ ! -x "$hclfmt" ]; then
  mkdir -p "$CACHE/bin" && GOBIN=$WORK/gobin go install "github.com/hashicorp/hcl/v2/cmd/hclfmt@$HCLFMT_VERSION" >"$WORK/out" 2>&1 &&
    mv "$WORK/gobin/hclfmt" "$hclfmt"
fi
if [ -x "$hclfmt" ]; then
  check "hclfmt -require-no-change infra/*.tf" "$hclfmt" -require-no-change infra/monitoring.tf infra/ecs.tf
else
  skip "hclfmt" "go install hclfmt@$HCLFMT_VERSION failed"
fi
if command -v terraform >/dev/null; then
  check "terraform fmt -check infra" terraform fmt -check -diff infra
  skip "terraform validate" "needs the aws provider, and no provider registry is reachable here"
else
  skip "terraform fmt/validate" "no terraform binary"
fi

# --- scripts -------------------------------------------------------------------------------
check "bash -n local/stack.sh check.sh" sh -c 'bash -n local/stack.sh && bash -n check.sh'

printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
