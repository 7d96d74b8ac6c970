#!/usr/bin/env bash
# The ingestion benchmark: the same pre-generated remote-write bodies (snappy protobuf, 2,000
# samples each, 200,000 series: 20 metrics x 10,000 instances over 100 tenants) replayed by wrk
# (2 threads, 8 connections, loopback) at the gateway, at Prometheus's remote-write receiver and at
# VictoriaMetrics single-node, one after the other, in the same run. For the gateway it also checks
# that the points in metrics.raw equal the points it accepted.
#
#   bin/vigil up                     # Kafka, MariaDB, Redis, policy and gateway must run
#   bench/scripts/ingest-bench.sh    # as root when wrk or victoria-metrics must be installed
#
# Then the same for JSON: batches of 500 points of the same series, signed ahead of the run (one nonce
# a request: wrk cannot sign), on /v1/metrics, and the same points as JSON lines at VictoriaMetrics'
# /api/v1/import (Prometheus takes no JSON).
#
# DURATION (30s), BODIES (3000), JSON_REQUESTS (40000 signed requests for the measured JSON run) and
# KEEP_SERVICES=1 (leave the other services running) adjust it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VIGIL_HOME="${VIGIL_HOME:-/var/lib/vigil}"
DURATION="${DURATION:-30s}"
BODIES="${BODIES:-3000}"
WORK=$(mktemp -d /tmp/vigil-ingest-bench.XXXX)
JAR="$ROOT/bench/target/benchmarks.jar"
log() { printf '[bench] %s\n' "$*" >&2; }

for tool in wrk victoria-metrics prometheus; do
  command -v "$tool" >/dev/null || { log "installing $tool"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -pl bench -am package -DskipTests)
if [ "${KEEP_SERVICES:-0}" != 1 ]; then
  for s in aggregator storage detector notifier cmdb; do
    [ -f "$VIGIL_HOME/run/$s.pid" ] && kill "$(cat "$VIGIL_HOME/run/$s.pid")" 2>/dev/null || true
  done
  log "stopped the services the benchmark does not use (bin/vigil up starts them again)"
fi

# the gateway again, with the benchmark product's rate limit lifted (else the limit, 500,000 points/s
# by default, is what gets measured), and the same settings bin/vigil gives it
GW_PID=$(cat "$VIGIL_HOME/run/gateway.pid")
kill "$GW_PID" 2>/dev/null || true
while curl -s -o /dev/null http://127.0.0.1:8081/actuator/health/liveness; do sleep 1; done
VIGIL_MASTER_KEY_FILE="$VIGIL_HOME/keys/master.key" \
VIGIL_ADMIN_KEY_SHA256="$(tr -d '\n' < "$VIGIL_HOME/keys/admin.key" | sha256sum | cut -d' ' -f1)" \
VIGIL_GATEWAY_RATE_PRODUCTS_BENCHLOAD=1000000000 \
  nohup java -Xmx"${VIGIL_SERVICE_HEAP:-384m}" -jar "$ROOT/gateway-service/target/gateway-service-0.1.0-SNAPSHOT.jar" \
  --server.port=8081 > "$VIGIL_HOME/logs/gateway.log" 2>&1 &
echo $! > "$VIGIL_HOME/run/gateway.pid"
until curl -fsS -o /dev/null http://127.0.0.1:8081/actuator/health/readiness; do sleep 1; done
log "gateway restarted with the rate limit of product benchload lifted"

# the access config and a credential, through the control plane
KEY=$(cat "$VIGIL_HOME/keys/admin.key")
api() { curl -sS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
api -X POST http://127.0.0.1:8086/v1/products -d '{"name":"benchload"}' >/dev/null
metrics=$(for i in $(seq 0 19); do printf '{"name":"cpu_metric_%d"},' "$i"; done)
api -X POST http://127.0.0.1:8086/v1/namespaces -d "{\"name\":\"benchload/cloud\",\"requiredDimensions\":[\"instance\"],
  \"optionalDimensions\":[\"region\"],\"metrics\":[${metrics%,}],\"maxSeries\":1000000}" >/dev/null
cred=$(api -X POST http://127.0.0.1:8086/v1/products/benchload/credentials)
KEY_ID=$(printf '%s' "$cred" | sed 's/.*"keyId":"\([^"]*\)".*/\1/')
SECRET=$(printf '%s' "$cred" | sed 's/.*"secret":"\([^"]*\)".*/\1/')
sleep 3 # the gateway follows control.changes

java -cp "$JAR" io.vigil.bench.RemoteWriteBodies "$WORK/bodies" "$BODIES"

cat > "$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1h}
storage:
  tsdb:
    out_of_order_time_window: 2h
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" --web.listen-address=127.0.0.1:19090 \
  --web.enable-remote-write-receiver > "$WORK/prometheus.log" 2>&1 &
PROM=$!
victoria-metrics -storageDataPath="$WORK/vm" -httpListenAddr=127.0.0.1:18428 > "$WORK/vm.log" 2>&1 &
VM=$!
trap 'kill $PROM $VM 2>/dev/null || true' EXIT
sleep 5

RW_HEADERS="Content-Type: application/x-protobuf|Content-Encoding: snappy|X-Prometheus-Remote-Write-Version: 0.1.0"
JSON_HEADERS="Content-Type: application/json"
run() { # name url auth pid [second pid whose CPU counts too: the gateway's Kafka] [points a request]
  log "$1: wrk -t2 -c8 -d$DURATION"
  local per="${6:-2000}"
  local before after kbefore=0 kafter=0
  before=$(ps -o cputimes= -p "$4" | tr -d ' ')
  [ -n "${5:-}" ] && kbefore=$(ps -o cputimes= -p "$5" | tr -d ' ')
  SIGNED="${SIGNED:-}" PATTERN="${PATTERN:-}" HEADERS="${HEADERS:-$RW_HEADERS}" BODIES="${BODY_DIR:-$WORK/bodies}" \
    AUTH="$3" wrk -t2 -c8 -d"$DURATION" --latency -s "$ROOT/bench/scripts/replay.lua" "$2" \
    > "$WORK/$1.wrk" 2>&1
  after=$(ps -o cputimes= -p "$4" | tr -d ' ')
  [ -n "${5:-}" ] && kafter=$(ps -o cputimes= -p "$5" | tr -d ' ')
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.wrk")
  p50=$(awk '$1=="50.000%" || $1=="50%" {print $2}' "$WORK/$1.wrk")
  p99=$(awk '$1=="99.000%" || $1=="99%" {print $2}' "$WORK/$1.wrk")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$WORK/$1.wrk")
  printf '%-16s %10.0f samples/s  p50 %-8s p99 %-8s non-2xx %-6s server CPU %s s (+ Kafka %s s)\n' "$1" \
    "$(echo "$rps * $per" | bc)" "$p50" "$p99" "${non2xx:-0}" "$((after - before))" "$((kafter - kbefore))"
}

GW_PID=$(cat "$VIGIL_HOME/run/gateway.pid")
log "warming the gateway's JIT up for 20 s (not measured)"
BODIES="$WORK/bodies" HEADERS="$RW_HEADERS" AUTH="Basic $(printf '%s:%s' "$KEY_ID" "$SECRET" | base64 -w0)" \
  wrk -t2 -c8 -d20s -s "$ROOT/bench/scripts/replay.lua" "http://127.0.0.1:8081/api/v1/write?namespace=benchload/cloud" \
  >/dev/null 2>&1
java -cp "$JAR" io.vigil.bench.RawPoints mark "$WORK/offsets"
accepted_before=$(curl -s http://127.0.0.1:8081/actuator/prometheus | awk -F' ' '/^vigil_points_accepted_total\{.*benchload/ {s+=$2} END {print s+0}')
run gateway "http://127.0.0.1:8081/api/v1/write?namespace=benchload/cloud" \
  "Basic $(printf '%s:%s' "$KEY_ID" "$SECRET" | base64 -w0)" "$GW_PID" "$(cat "$VIGIL_HOME/run/kafka.pid")"
accepted_after=$(curl -s http://127.0.0.1:8081/actuator/prometheus | awk -F' ' '/^vigil_points_accepted_total\{.*benchload/ {s+=$2} END {print s+0}')
secs=$(awk '/requests in/ {gsub("s,","",$4); print $4}' "$WORK/gateway.wrk")
log "the gateway accepted $(echo "$accepted_after - $accepted_before" | bc) points in $secs s:" \
  "$(echo "($accepted_after - $accepted_before) / $secs" | bc) accepted samples/s"
java -cp "$JAR" io.vigil.bench.RawPoints count "$WORK/offsets"
run prometheus "http://127.0.0.1:19090/api/v1/write" "" "$PROM"
run victoriametrics "http://127.0.0.1:18428/api/v1/write" "" "$VM"

# JSON: signed batches of 500 points on /v1/metrics, the same points at VictoriaMetrics' JSON import
JSON_REQUESTS="${JSON_REQUESTS:-40000}"
log "signing $JSON_REQUESTS + 12000 JSON requests (one nonce each; they must be sent within 5 minutes)"
java -cp "$JAR" io.vigil.bench.SignedJsonBodies "$WORK/json-warm" 400 12000 benchload/cloud "$KEY_ID" "$SECRET"
java -cp "$JAR" io.vigil.bench.SignedJsonBodies "$WORK/json" 800 "$JSON_REQUESTS" benchload/cloud "$KEY_ID" "$SECRET"
log "warming the gateway's JSON path up for 15 s (not measured)"
BODIES="$WORK/json-warm" PATTERN=body-%05d.json HEADERS="$JSON_HEADERS" SIGNED="$WORK/json-warm/requests.tsv" \
  wrk -t2 -c8 -d15s -s "$ROOT/bench/scripts/replay.lua" "http://127.0.0.1:8081/v1/metrics" >/dev/null 2>&1
java -cp "$JAR" io.vigil.bench.RawPoints mark "$WORK/offsets-json"
accepted_before=$(curl -s http://127.0.0.1:8081/actuator/prometheus | awk -F' ' '/^vigil_points_accepted_total\{.*benchload/ {s+=$2} END {print s+0}')
SIGNED="$WORK/json/requests.tsv" PATTERN=body-%05d.json HEADERS="$JSON_HEADERS" BODY_DIR="$WORK/json" \
  run gateway-json "http://127.0.0.1:8081/v1/metrics" "" "$GW_PID" "$(cat "$VIGIL_HOME/run/kafka.pid")" 500
accepted_after=$(curl -s http://127.0.0.1:8081/actuator/prometheus | awk -F' ' '/^vigil_points_accepted_total\{.*benchload/ {s+=$2} END {print s+0}')
secs=$(awk '/requests in/ {gsub("s,","",$4); print $4}' "$WORK/gateway-json.wrk")
log "the gateway accepted $(echo "$accepted_after - $accepted_before" | bc) JSON points in $secs s:" \
  "$(echo "($accepted_after - $accepted_before) / $secs" | bc) accepted samples/s"
java -cp "$JAR" io.vigil.bench.RawPoints count "$WORK/offsets-json"
PATTERN=vm-%05d.jsonl HEADERS="$JSON_HEADERS" BODY_DIR="$WORK/json" \
  run victoriametrics-json "http://127.0.0.1:18428/api/v1/import" "" "$VM" "" 500
log "the gateway's $(grep -o 'producer effective: [^"]*' "$VIGIL_HOME/logs/gateway.log" | tail -1)"
log "details in $WORK"
