#!/usr/bin/env bash
# The detector end to end: rollups from Kafka to alert events with POLICIES (100,000) policies of
# one shard loaded from MySQL.
#
#   bin/vigil infra                     # Kafka (MariaDB and Redis run on this machine already)
#   bench/scripts/detector-bench.sh     # WINDOWS=30 RATE=50000 SECONDS_LIVE=60 HEAP=1g
#   SVC=/path/to/other/detector-service.jar ...   # the same load against another build, for an A/B
#
# drain: DetectorLoad fills the shard's rollup topic with WINDOWS windows of 100,000 series (about
#   1 % breaching), then detector-service (heap HEAP) reads it as a new group: rollups/s by its own
#   consumed count, alert transitions, peak RSS.
# live: RATE rollups/s for SECONDS_LIVE seconds to the running detector; latency from each breaching
#   rollup's emission to its alert event's publication, p50/p99/max.
# Everything is its own: a database, topics under a prefix and Redis keys under a prefix, removed at
# the end (KEEP=1 keeps them). DETECTOR_ARGS passes the detector more options; DETECTOR_JAVA_OPTS
# replaces its JVM options (transparent huge pages by default, as bin/vigil starts it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
POLICIES="${POLICIES:-100000}"
WINDOWS="${WINDOWS:-30}"
RATE="${RATE:-50000}"
SECONDS_LIVE="${SECONDS_LIVE:-60}"
HEAP="${HEAP:-1g}"
JDBC="${VIGIL_JDBC_BASE:-jdbc:mysql://127.0.0.1:3306}"
JAR="$ROOT/bench/target/benchmarks.jar"
SVC="${SVC:-$ROOT/detector-service/target/detector-service-0.1.0-SNAPSHOT.jar}"
STAMP="bench$(date +%s)"
PREFIX="$STAMP."
DB="vigil_$STAMP"
WORK=$(mktemp -d /tmp/vigil-detector-bench.XXXX)
PORT=18084
log() { printf '[bench] %s\n' "$*" >&2; }
if [ ! -f "$JAR" ] || [ ! -f "$SVC" ] || ! unzip -p "$SVC" META-INF/MANIFEST.MF | grep -q '^Main-Class'; then
  (cd "$ROOT" && ./mvnw -B -q -pl bench,detector-service -am package -DskipTests)
fi
cd "$WORK"
clean() {
  [ "${KEEP:-0}" = 1 ] && return
  java -cp "$JAR" io.vigil.bench.DetectorLoad clean "$PREFIX" "$JDBC" "$DB" || true
  redis-cli --scan --pattern "$STAMP:*" | xargs -r redis-cli del >/dev/null || true
}
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; clean' EXIT

java -cp "$JAR" io.vigil.bench.DetectorLoad setup "$JDBC" "$DB" "$POLICIES"
java -cp "$JAR" io.vigil.bench.DetectorLoad fill "$PREFIX" "$WINDOWS"
log "detector-service -Xmx$HEAP ${DETECTOR_ARGS:-}"
java -Xmx"$HEAP" ${DETECTOR_JAVA_OPTS:--XX:+UseTransparentHugePages} -jar "$SVC" --server.port=$PORT --vigil.detector.shard=bench \
  --vigil.kafka.topic-prefix="$PREFIX" --vigil.mysql.database="$DB" --vigil.redis.key-prefix="$STAMP:" \
  ${DETECTOR_ARGS:-} > "$WORK/detector.log" 2>&1 &
pid=$!
java -cp "$JAR" io.vigil.bench.DetectorLoad drain "$PREFIX" "http://127.0.0.1:$PORT" "$pid" | tee "$WORK/drain.result"
grep -o 'loaded the policies of shard bench[^"]*' "$WORK/detector.log" | head -1 || true
java -cp "$JAR" io.vigil.bench.DetectorLoad live "$PREFIX" "$RATE" "$SECONDS_LIVE" | tee "$WORK/live.result"
log "logs in $WORK"
