#!/usr/bin/env bash
# The storage benchmarks: rollups/s indexed through storage's consumer into the Elasticsearch of
# `bin/vigil infra` with the production index settings, and query latency over a day of 60 s data
# (the series API and /api/v1/query_range, Elasticsearch's request cache off).
#
#   bin/vigil infra                    # Kafka and Elasticsearch; stop the storage of bin/vigil up if it runs
#                                      # (VIGIL_ES_HEAP=2g bin/vigil infra: the queries measured with both)
#   bench/scripts/storage-bench.sh     # PHASES="index" or "query" to run one
#   COMPARE_BLOCKS=1 PHASES=query ...  # the queries again with hour blocks off, in the same run
#
# index: StorageLoad fills a rollup topic of its own (SERIES 100,000 series over METRICS 20 metrics,
#   MINUTES 150 minutes of 60 s rollups and the 300/900/3600 s ones they close), then storage-service
#   (heap HEAP, 512m) reads it as a fresh group into indices of its own; StorageLoad times it by
#   storage's own count and checks Elasticsearch's document count, with the peak RSS of both.
# query: 100 series of one metric, a day of minutes, indexed the same way; then QUERIES (1,000)
#   queries of each kind, one at a time.
# STORAGE_ARGS passes storage more options (e.g. --spring.kafka.consumer.max-poll-records=2000),
# STORAGE_JAVA_OPTS its JVM more (e.g. a flight recording). KEEP=1 keeps the topics and indices.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERIES="${SERIES:-100000}"
METRICS="${METRICS:-20}"
MINUTES="${MINUTES:-150}"
HEAP="${HEAP:-512m}"
QUERIES="${QUERIES:-1000}"
PHASES="${PHASES:-index query}"
ES_URL="${VIGIL_ES_URL:-http://127.0.0.1:9200}"
JAR="$ROOT/bench/target/benchmarks.jar"
SVC="$ROOT/storage-service/target/storage-service-0.1.0-SNAPSHOT.jar"
WORK=$(mktemp -d /tmp/vigil-storage-bench.XXXX)
STAMP="bench$(date +%s)"
PORT=18083
log() { printf '[bench] %s\n' "$*" >&2; }
# a verify with -Dspring-boot.repackage.skip leaves a plain jar behind: build again then
if [ ! -f "$JAR" ] || [ ! -f "$SVC" ] || ! unzip -p "$SVC" META-INF/MANIFEST.MF | grep -q '^Main-Class'; then
  (cd "$ROOT" && ./mvnw -B -q -pl bench,storage-service -am package -DskipTests)
fi
es_pid=$(pgrep -f org.elasticsearch.bootstrap.Elasticsearch | head -1 || true)
[ -n "$es_pid" ] || { log "Elasticsearch is not running: bin/vigil infra"; exit 1; }
KEY="vgl_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SHA=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)
cd "$WORK"

storage() { # topic-prefix index-prefix name
  java -Xmx"$HEAP" ${STORAGE_JAVA_OPTS:-} -jar "$SVC" --server.port=$PORT --vigil.kafka.topic-prefix="$1" \
    --vigil.elasticsearch.index-prefix="$2" --vigil.security.bootstrap-admin-sha256="$SHA" \
    ${STORAGE_ARGS:-} > "$WORK/$3.log" 2>&1 &
  pid=$!
}
clean() { # topic-prefix index-prefix
  [ "${KEEP:-0}" = 1 ] || java -cp "$JAR" io.vigil.bench.StorageLoad clean "$1" "$ES_URL" "$2"
}

for phase in $PHASES; do
  prefix="$STAMP$phase."
  indices="$STAMP$phase-"
  case $phase in
    index) java -cp "$JAR" io.vigil.bench.StorageLoad fill "$prefix" "$SERIES" "$METRICS" "$MINUTES" ;;
    query) java -cp "$JAR" io.vigil.bench.StorageLoad fill "$prefix" 100 1 1440 ;;
    *) log "unknown phase $phase"; exit 1 ;;
  esac
  es_heap=$(curl -fsS "$ES_URL/_nodes/stats/jvm?filter_path=nodes.*.jvm.mem.heap_max_in_bytes" | grep -o '[0-9]*}' | tr -d '}' | head -1)
  log "$phase: storage-service -Xmx$HEAP ${STORAGE_ARGS:-}; Elasticsearch pid $es_pid, heap $((es_heap / 1048576)) MB"
  storage "$prefix" "$indices" "$phase"
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; clean "$prefix" "$indices"' EXIT
  [ "$phase" = index ] && export BLOCKS_WAIT_SECONDS="${BLOCKS_WAIT_SECONDS:-0}"
  java -cp "$JAR" io.vigil.bench.StorageLoad wait "$prefix" "http://127.0.0.1:$PORT" "$ES_URL" "$indices" "$pid" "$es_pid" \
    | tee "$WORK/$phase.result"
  if [ "$phase" = query ]; then
    for kind in rollups minute-blocks; do
      curl -fsS -XPUT "$ES_URL/${indices}$kind-*/_settings" -H 'Content-Type: application/json' \
        -d '{"index": {"requests": {"cache": {"enable": false}}}}' >/dev/null
      curl -fsS "$ES_URL/${indices}$kind-*/_settings/index.requests.cache.enable?flat_settings=true" | grep -q '"false"' \
        || { log "the request cache is still on for $kind"; exit 1; }
    done
    java -cp "$JAR" io.vigil.bench.StorageLoad query "$prefix" "http://127.0.0.1:$PORT" "$KEY" "$QUERIES" \
      | tee -a "$WORK/$phase.result"
    if [ "${COMPARE_BLOCKS:-0}" = 1 ]; then
      # the same queries over the same data with hour blocks off: the minutes alone, in the same run
      kill $pid; wait $pid 2>/dev/null || true
      STORAGE_ARGS="${STORAGE_ARGS:-} --vigil.storage.blocks.enabled=false" storage "$prefix" "$indices" "$phase-minutes"
      for _ in $(seq 120); do
        curl -fsS "http://127.0.0.1:$PORT/actuator/health/readiness" 2>/dev/null | grep -q UP && break
        sleep 1
      done
      log "query: the same with vigil.storage.blocks.enabled=false"
      java -cp "$JAR" io.vigil.bench.StorageLoad query "$prefix" "http://127.0.0.1:$PORT" "$KEY" "$QUERIES" \
        | tee -a "$WORK/$phase.result"
    fi
  fi
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
  clean "$prefix" "$indices"
done
log "logs in $WORK"
