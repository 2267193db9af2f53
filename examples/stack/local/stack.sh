#!/usr/bin/env bash
# stack.sh: the monitoring stack as plain processes on 127.0.0.1, without Docker.
#
#   stack.sh build    build or reuse the cached binaries (collector, Jaeger, VictoriaLogs, tools)
#                     and install Prometheus/Alertmanager from apt if missing
#   stack.sh up       build, then start everything and wait until it is healthy
#   stack.sh down     stop everything this script started (SIGTERM, then wait)
#   stack.sh status   show what runs and whether it answers its health check
#   stack.sh env      print the environment the collector runs with
#   stack.sh bin otelcol|jaeger|victorialogs|tools   build one (if not cached) and print its path
#   stack.sh render DIR                 write the configs stack.sh derives, for checking
#
# State lives in STACK_DIR (default /tmp/telemetry-stack): logs/, run/ (pid files and
# rendered configs), data/. Binaries are cached in TELEMETRY_CACHE
# (default ~/.cache/telemetry-stack)/bin under names keyed by version and manifest hash, so
# a changed manifest or go.mod rebuilds and an unchanged one starts in seconds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_ROOT=$(cd "$HERE/.." && pwd)
TOOLS=$STACK_ROOT/tools
MONITORING=$STACK_ROOT/monitoring

STACK_DIR=${STACK_DIR:-/tmp/telemetry-stack}
LOG_DIR=$STACK_DIR/logs
RUN_DIR=$STACK_DIR/run
DATA_DIR=$STACK_DIR/data
CACHE=${TELEMETRY_CACHE:-$HOME/.cache/telemetry-stack}
BIN=$CACHE/bin
OCB_VERSION=0.155.0
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-60}

# Credentials of the local "Grafana Cloud" stand-ins. The collector reads them through the
# same environment variables as in production; these defaults are for 127.0.0.1 only.
export ENVIRONMENT=${ENVIRONMENT:-dev}
export GRAFANA_CLOUD_PROMETHEUS_URL=${GRAFANA_CLOUD_PROMETHEUS_URL:-http://127.0.0.1:19090/api/v1/write}
export GRAFANA_CLOUD_PROMETHEUS_USER=${GRAFANA_CLOUD_PROMETHEUS_USER:-100001}
# The cloud's logs land in VictoriaLogs (the stand-in for Grafana Cloud Logs): the collector's
# OTLP/HTTP exporter appends /v1/logs to this endpoint, as it does for the real OTLP gateway.
export GRAFANA_CLOUD_OTLP_ENDPOINT=${GRAFANA_CLOUD_OTLP_ENDPOINT:-http://127.0.0.1:19428/insert/opentelemetry}
export GRAFANA_CLOUD_INSTANCE_ID=${GRAFANA_CLOUD_INSTANCE_ID:-200002}
export GRAFANA_CLOUD_API_KEY=${GRAFANA_CLOUD_API_KEY:-local-stack-token}
export JAEGER_OTLP_ENDPOINT=${JAEGER_OTLP_ENDPOINT:-127.0.0.1:14317}
export OTELCOL_LISTEN_HOST=127.0.0.1
export ONCALL_WEBHOOK_URL=${ONCALL_WEBHOOK_URL:-http://127.0.0.1:19095/alerts}

log() { printf '[stack] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

goversion() { go env GOVERSION; }

# ---------------------------------------------------------------------------------------
# build

# alertmanager_cmd prints Alertmanager's command: Debian calls it prometheus-alertmanager.
alertmanager_cmd() { command -v alertmanager || command -v prometheus-alertmanager; }

# ensure_apt installs Debian's Prometheus and Alertmanager when they are missing.
ensure_apt() {
  local missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  alertmanager_cmd >/dev/null || missing+=(prometheus-alertmanager)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "install ${missing[*]} (apt) or run as root"
  log "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

otelcol_bin() { echo "$BIN/otelcol-$OCB_VERSION-$(printf '%s\n%s' "$(goversion)" "$(cat "$HERE/otelcol-builder.yaml")" | sha256sum | cut -c1-12)"; }
# module_bin FILE DIR MODULE prints the cached path of the binary FILE built from MODULE, a
# module that the Go module in $TOOLS/DIR requires: keyed by MODULE's version and a hash of
# the Go version and of DIR's go.mod and go.sum.
module_bin() {
  local file=$1 dir=$TOOLS/$2 module=$3 v
  v=$(awk -v m="$module" '$1==m{print $2; exit}' "$dir/go.mod")
  echo "$BIN/$file-$v-$(printf '%s\n' "$(goversion)" | cat - "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-12)"
}
jaeger_bin() { module_bin jaeger jaeger github.com/jaegertracing/jaeger; }
victorialogs_bin() { module_bin victoria-logs victorialogs github.com/VictoriaMetrics/VictoriaLogs; }
tools_dir() {
  echo "$BIN/tools-$( (goversion; cd "$TOOLS" && cat go.mod go.sum &&
    find . \( -path ./jaeger -o -path ./victorialogs \) -prune -o -name '*.go' -print | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-12)"
}

build_otelcol() {
  local out work ocb t0=$SECONDS
  out=$(otelcol_bin)
  if [ -x "$out" ]; then log "collector: cached $out"; return 0; fi
  ocb=$BIN/builder-v$OCB_VERSION
  if [ ! -x "$ocb" ]; then
    log "installing builder v$OCB_VERSION"
    GOBIN=$CACHE/gobin go install "go.opentelemetry.io/collector/cmd/builder@v$OCB_VERSION"
    mv "$CACHE/gobin/builder" "$ocb"
  fi
  work=$CACHE/work/otelcol
  rm -rf "$work" && mkdir -p "$work"
  cp "$HERE/otelcol-builder.yaml" "$work/manifest.yaml"
  log "collector: generating sources"
  # The builder's own `go mod tidy` fails on test-only imports of fileexporter and
  # transformprocessor that the proxy does not serve: it exits 1 after writing the sources
  # and go.mod, so its exit code is not the test; tidy with -e and compile ourselves.
  (cd "$work" && "$ocb" --config manifest.yaml --skip-compilation >builder.log 2>&1) || true
  [ -f "$work/build/go.mod" ] && [ -f "$work/build/components.go" ] ||
    { tail -n 20 "$work/builder.log" >&2; die "builder wrote no sources"; }
  log "collector: compiling (about 3-4 minutes cold)"
  (cd "$work/build" && go mod tidy -e >../tidy.log 2>&1) || { tail -n 20 "$work/tidy.log" >&2; die "go mod tidy failed"; }
  (cd "$work/build" && go build -trimpath -ldflags='-s -w' -o "$out.tmp" .)
  mv "$out.tmp" "$out"
  log "collector: built $out in $((SECONDS - t0))s"
}

# build_module_bin NAME OUT DIR PACKAGE COLD [VAR=VALUE...] builds PACKAGE, of a module that
# the Go module in $TOOLS/DIR requires, into OUT with the environment VAR=VALUE..., unless
# OUT is cached; COLD says how long an uncached build takes.
build_module_bin() {
  local name=$1 out=$2 dir=$TOOLS/$3 pkg=$4 cold=$5 t0=$SECONDS
  shift 5
  if [ -x "$out" ]; then log "$name: cached $out"; return 0; fi
  log "$name: compiling ($cold)"
  (cd "$dir" && env "$@" go build -trimpath -ldflags='-s -w' -o "$out.tmp" "$pkg")
  mv "$out.tmp" "$out"
  log "$name: built $out in $((SECONDS - t0))s"
}

build_jaeger() {
  build_module_bin jaeger "$(jaeger_bin)" jaeger github.com/jaegertracing/jaeger/cmd/jaeger "about 5 minutes cold"
}

# build_victorialogs: VictoriaLogs (Apache-2.0) from its Go module, pure Go (CGO_ENABLED=0:
# no C compiler needed; zstd then comes from klauspost/compress). About 35 s cold.
build_victorialogs() {
  build_module_bin victorialogs "$(victorialogs_bin)" victorialogs github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs \
    "under a minute cold" CGO_ENABLED=0
}

build_tools() {
  local out t0=$SECONDS
  out=$(tools_dir)
  if [ -x "$out/alertsink" ] && [ -x "$out/bcrypt" ] && [ -x "$out/otlpsend" ]; then
    log "tools: cached $out"; return 0
  fi
  mkdir -p "$out.tmp"
  (cd "$TOOLS" && go build -trimpath -o "$out.tmp/" ./alertsink ./bcrypt ./otlpsend)
  rm -rf "$out" && mv "$out.tmp" "$out"
  log "tools: built $out in $((SECONDS - t0))s"
}

cmd_build() {
  command -v go >/dev/null || die "go is not on PATH"
  mkdir -p "$BIN"
  ensure_apt
  build_tools
  build_otelcol
  build_jaeger
  build_victorialogs
}

# ---------------------------------------------------------------------------------------
# run

pidfile() { echo "$RUN_DIR/$1.pid"; }
# alive PID: the process exists and is not a zombie. Our processes outlive the shell that
# started them, so their parent is whatever reaps orphans here, which may take seconds.
alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
running() { local p; p=$(cat "$(pidfile "$1")" 2>/dev/null) && alive "$p"; }

# ports_of NAME: the 127.0.0.1 ports a process listens on.
ports_of() {
  case "$1" in
    alertsink) echo 19095 ;;
    jaeger) echo 16686 16685 14317 14318 13135 14269 ;;
    cloud-prometheus) echo 19090 ;;
    cloud-logs) echo 19428 ;;
    alertmanager) echo 9093 ;;
    prometheus) echo 9090 ;;
    collector) echo 4317 4318 8888 8889 13133 ;;
  esac
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start NAME CMD...: runs CMD in the background with its output in LOG_DIR/NAME.log. A port
# already taken by another process is an error: its health endpoint would answer for ours.
start() {
  local name=$1 port; shift
  if running "$name"; then log "$name: already running (pid $(cat "$(pidfile "$name")"))"; return 0; fi
  for port in $(ports_of "$name"); do
    port_busy "$port" && die "$name: port 127.0.0.1:$port is taken by another process (see: ss -ltnp | grep :$port)"
  done
  log "$name: starting"
  nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

# health_url NAME: the URL that answers 2xx once NAME is ready.
health_url() {
  case "$1" in
    alertsink) echo http://127.0.0.1:19095/alerts ;;
    jaeger) echo http://127.0.0.1:16686/api/services ;;
    cloud-prometheus) echo http://127.0.0.1:19090/-/ready ;;
    cloud-logs) echo http://127.0.0.1:19428/health ;;
    alertmanager) echo http://127.0.0.1:9093/-/ready ;;
    prometheus) echo http://127.0.0.1:9090/-/ready ;;
    collector) echo http://127.0.0.1:13133/ ;;
  esac
}

# healthy NAME: NAME's health URL answers 2xx. The cloud Prometheus wants basic auth; the
# credentials go to curl on standard input, not on its command line.
healthy() {
  printf 'user = "%s:%s"\n' "$GRAFANA_CLOUD_PROMETHEUS_USER" "$GRAFANA_CLOUD_API_KEY" |
    curl -fsS -o /dev/null --max-time 2 -K - "$(health_url "$1")" 2>/dev/null
}

# wait_healthy NAME: polls NAME's health URL until it answers or HEALTH_TIMEOUT passes.
wait_healthy() {
  local name=$1 deadline=$((SECONDS + HEALTH_TIMEOUT))
  until healthy "$name"; do
    running "$name" || { tail -n 20 "$LOG_DIR/$name.log" >&2; die "$name exited; log: $LOG_DIR/$name.log"; }
    [ $SECONDS -lt $deadline ] || { tail -n 20 "$LOG_DIR/$name.log" >&2; die "$name not healthy after ${HEALTH_TIMEOUT}s at $(health_url "$name")"; }
    sleep 0.5
  done
  log "$name: ready ($(health_url "$name"))"
}

# render_configs writes the configs that need local paths or values into a folder
# (default RUN_DIR). The shipped files in monitoring/ stay the source: only hosts,
# intervals, paths and the webhook URL change.
render_configs() {
  local out=${1:-$RUN_DIR} tools_bin hash
  mkdir -p "$out"
  tools_bin=$(tools_dir)
  # Local Prometheus: shipped config with compose service names -> 127.0.0.1, 5 s intervals,
  # plus rules-extra/: rule files a test drops in and loads with POST /-/reload (lifecycle
  # API on), e.g. the e2e suite's short-window alert.
  sed -e 's#otel-collector:#127.0.0.1:#g' \
      -e 's#alertmanager:9093#127.0.0.1:9093#g' \
      -e 's#localhost:9090#127.0.0.1:9090#g' \
      -e 's#^\(  *\)scrape_interval: .*#\1scrape_interval: 5s#' \
      -e 's#^\(  *\)evaluation_interval: .*#\1evaluation_interval: 5s#' \
      -e "s#- rules/\*\.yml#- $MONITORING/rules/*.yml\n  - $RUN_DIR/rules-extra/*.yml#" \
      "$MONITORING/prometheus.yml" >"$out/prometheus.yml"
  # Alertmanager: shipped config with the OnCall webhook replaced by the local receiver.
  sed -e "s#url: .*oncall.*#url: $ONCALL_WEBHOOK_URL#" \
      -e 's#^\(  *\)group_wait: .*#\1group_wait: 5s#' \
      "$MONITORING/alertmanager.yml" >"$out/alertmanager.yml"
  # Cloud Prometheus (Mimir stand-in): basic auth with the same user and token as the cloud.
  hash=$(printf '%s' "$GRAFANA_CLOUD_API_KEY" | "$tools_bin/bcrypt")
  printf 'basic_auth_users:\n  "%s": "%s"\n' "$GRAFANA_CLOUD_PROMETHEUS_USER" "$hash" >"$out/cloud-prometheus-web.yml"
  # Cloud logs (VictoriaLogs): the token as a file, so that it is not on a command line.
  (umask 077 && printf '%s' "$GRAFANA_CLOUD_API_KEY" >"$out/cloud-logs-password")
}

cmd_up() {
  cmd_build
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$DATA_DIR"
  command -v curl >/dev/null || die "curl is needed for health checks"
  render_configs
  local tools_bin otelcol jaeger victorialogs
  tools_bin=$(tools_dir); otelcol=$(otelcol_bin); jaeger=$(jaeger_bin); victorialogs=$(victorialogs_bin)

  start alertsink "$tools_bin/alertsink" -addr 127.0.0.1:19095 -file "$LOG_DIR/alerts.jsonl"
  JAEGER_LISTEN_HOST=127.0.0.1 JAEGER_OTLP_GRPC_PORT=14317 JAEGER_OTLP_HTTP_PORT=14318 \
    start jaeger "$jaeger" --config "$MONITORING/jaeger.yml"
  start cloud-prometheus prometheus \
    --config.file="$HERE/cloud-prometheus.yml" \
    --web.listen-address=127.0.0.1:19090 \
    --web.enable-remote-write-receiver \
    --enable-feature=exemplar-storage \
    --web.config.file="$RUN_DIR/cloud-prometheus-web.yml" \
    --storage.tsdb.path="$DATA_DIR/cloud-prometheus" \
    --storage.tsdb.retention.time=7d
  # Grafana Cloud Logs stand-in: VictoriaLogs, OTLP/HTTP at /insert/opentelemetry/v1/logs and
  # LogsQL at /select/logsql/query, every path but /health behind the OTLP gateway's basic
  # auth (instance id : token). Which fields become stream labels is the collector's choice
  # (VL-Stream-Fields header, see monitoring/otel-collector-config.yml).
  start cloud-logs "$victorialogs" \
    -httpListenAddr=127.0.0.1:19428 \
    -storageDataPath="$DATA_DIR/cloud-logs" \
    -retentionPeriod=7d \
    -httpAuth.username="$GRAFANA_CLOUD_INSTANCE_ID" \
    -httpAuth.password="file://$RUN_DIR/cloud-logs-password" \
    -loggerLevel=WARN
  start alertmanager "$(alertmanager_cmd)" \
    --config.file="$RUN_DIR/alertmanager.yml" \
    --web.listen-address=127.0.0.1:9093 \
    --cluster.listen-address= \
    --storage.path="$DATA_DIR/alertmanager"
  start prometheus prometheus \
    --config.file="$RUN_DIR/prometheus.yml" \
    --web.listen-address=127.0.0.1:9090 \
    --enable-feature=exemplar-storage \
    --storage.tsdb.path="$DATA_DIR/prometheus" \
    --storage.tsdb.retention.time=7d \
    --rules.alert.resend-delay=5s \
    --web.enable-lifecycle
  start collector "$otelcol" --config "$MONITORING/otel-collector-config.yml"

  local s
  for s in "${SERVICES[@]}"; do wait_healthy "$s"; done
  # A process that lost a port race may have exited after another's health check passed.
  for s in "${SERVICES[@]}"; do
    running "$s" || die "$s exited after start; log: $LOG_DIR/$s.log"
  done
  log "up: OTLP 127.0.0.1:4317 (gRPC) / 4318 (HTTP); logs in $LOG_DIR"
}

# Every process of the stack, the collector first (cmd_down relies on it).
SERVICES=(collector prometheus alertmanager cloud-logs cloud-prometheus jaeger alertsink)

# stop NAME...: SIGTERM to each, then waits for all of them (20 s, then SIGKILL).
stop() {
  local name pid deadline i names=() pids=()
  for name in "$@"; do
    pid=$(cat "$(pidfile "$name")" 2>/dev/null) || continue
    rm -f "$(pidfile "$name")"
    alive "$pid" || continue
    kill -TERM "$pid" 2>/dev/null || true
    names+=("$name"); pids+=("$pid")
  done
  deadline=$((SECONDS + 20))
  for i in "${!pids[@]}"; do
    while alive "${pids[$i]}"; do
      if [ $SECONDS -ge $deadline ]; then
        log "${names[$i]}: no exit after 20s, SIGKILL"; kill -KILL "${pids[$i]}" 2>/dev/null || true; break
      fi
      sleep 0.1
    done
    log "${names[$i]}: stopped (pid ${pids[$i]})"
  done
}

cmd_down() {
  # The collector first, while its destinations still take what it flushes; then the rest.
  stop collector
  # cloud-collector: the file-writing logs stand-in of earlier versions, if one still runs.
  stop "${SERVICES[@]:1}" cloud-collector
  if [ "${1:-}" = "--purge" ]; then rm -rf "$DATA_DIR"; log "removed $DATA_DIR"; fi
  return 0
}

cmd_status() {
  local s rc=0
  for s in "${SERVICES[@]}"; do
    if ! running "$s"; then printf '%-17s stopped\n' "$s"; rc=1
    elif healthy "$s"; then printf '%-17s running  pid %-7s healthy  %s\n' "$s" "$(cat "$(pidfile "$s")")" "$(health_url "$s")"
    else printf '%-17s running  pid %-7s UNHEALTHY  %s\n' "$s" "$(cat "$(pidfile "$s")")" "$(health_url "$s")"; rc=1; fi
  done
  return $rc
}

# cmd_bin builds one binary if it is not cached and prints its path (for check.sh).
cmd_bin() {
  mkdir -p "$BIN"
  case "$1" in
    otelcol) build_otelcol && otelcol_bin ;;
    jaeger) build_jaeger && jaeger_bin ;;
    victorialogs) build_victorialogs && victorialogs_bin ;;
    tools) build_tools && tools_dir ;;
    *) die "bin: want otelcol, jaeger, victorialogs or tools" ;;
  esac
}

cmd_env() {
  env | grep -E '^(ENVIRONMENT|GRAFANA_CLOUD_|JAEGER_OTLP|OTELCOL_|ONCALL_)' | sort |
    sed -e 's/^\(GRAFANA_CLOUD_API_KEY\)=.*/\1=<redacted>/'
  echo "STACK_DIR=$STACK_DIR"
  echo "TELEMETRY_CACHE=$CACHE"
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up ;;
  down) shift; cmd_down "${1:-}" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  bin) shift; cmd_bin "${1:-}" ;;
  render) shift; mkdir -p "$BIN"; build_tools; render_configs "${1:?usage: $0 render DIR}" ;;
  *) echo "usage: $0 build|up|down [--purge]|status|env|bin otelcol|jaeger|victorialogs|tools|render DIR" >&2; exit 2 ;;
esac
