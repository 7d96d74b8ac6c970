#!/usr/bin/env bash
# The rollups' close delay, live: the aggregator on a topic prefix of its own, fed points stamped now
# at a steady rate (SERIES series, each every 10 s), for DURATION_S seconds; a read-committed reader measures
# when each rollup was emitted and when it became visible, after its window's end.
#
#   bin/vigil infra; bench/scripts/rollup-live.sh
#
# SERIES (200000: 20,000 points/s), DURATION_S (300), GRACE_MS (5000), HEAP (1g), AGG_ARGS (more
# arguments for the aggregator) and AGG_JAVA_OPTS (more for its JVM, e.g. a flight recording) adjust it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERIES="${SERIES:-200000}"
SECONDS_RUN="${DURATION_S:-300}"
GRACE_MS="${GRACE_MS:-5000}"
JAR="$ROOT/bench/target/benchmarks.jar"
AGG="$ROOT/aggregator-service/target/aggregator-service-0.1.0-SNAPSHOT.jar"
PREFIX="live$(date +%s)."
WORK=$(mktemp -d /tmp/vigil-rollup-live.XXXX)
[ -f "$JAR" ] && [ -f "$AGG" ] || (cd "$ROOT" && ./mvnw -B -q -pl bench,aggregator-service -am package -DskipTests)
java -Xmx"${HEAP:-1g}" ${AGG_JAVA_OPTS:-} -jar "$AGG" --server.port=18082 --vigil.kafka.topic-prefix="$PREFIX" \
  --spring.kafka.streams.state-dir="$WORK/state" ${AGG_ARGS:-} > "$WORK/aggregator.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null 2>/dev/null http://127.0.0.1:18082/actuator/health/readiness; do sleep 1; done
java -cp "$JAR" io.vigil.bench.RollupLoad live "$PREFIX" "$SERIES" "$SECONDS_RUN" "$GRACE_MS"
curl -s http://127.0.0.1:18082/actuator/prometheus | grep -E '^vigil_rollup_close_delay_seconds_(count|max)|^vigil_points_late_total' || true
echo "aggregator log: $WORK/aggregator.log; topics under $PREFIX stay until removed"
