#!/usr/bin/env bash
# The rollup benchmark: a pre-filled metrics.raw (200,000 series shaped like cloud metrics, a point
# every 10 s, a backlog accepted as it happened) read by the aggregator with exactly-once on, through
# all five periods, in several configurations one after the other on the same input: points/s from
# its first commit to its last, the series it holds, its RSS and the changelog it wrote.
# Opt-in peer: with PEER=flink (or flink among VARIANTS; VARIANTS=flink runs it alone) the Flink job
# of bench/flink then reads the same input as group <prefix>flink-rollups, timed the same way, with
# the same heap, once per checkpoint interval in FLINK_CHECKPOINTS (ms; "1000 5000": the aggregator
# commits a live partition every second and a backlog every 5 s); FLINK_ARGS passes it more options
# (e.g. "--state rocksdb"), FLINK_JAVA_OPTS its JVM more.
#
#   bin/vigil infra                  # Kafka must run; stop the aggregator of bin/vigil up if it runs
#   bench/scripts/rollup-bench.sh
#
# SERIES (200000), STEPS (30: 6 million points), HEAP (1g), VARIANTS (all) and AGG_JAVA_OPTS (e.g. a
# flight recording) adjust it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERIES="${SERIES:-200000}"
STEPS="${STEPS:-30}"
HEAP="${HEAP:-1g}"
WORK=$(mktemp -d /tmp/vigil-rollup-bench.XXXX)
JAR="$ROOT/bench/target/benchmarks.jar"
AGG="$ROOT/aggregator-service/target/aggregator-service-0.1.0-SNAPSHOT.jar"
PREFIX="bench$(date +%s)."
FLINK_JAR="$ROOT/bench/flink/target/flink-rollups.jar"
BOOTSTRAP="${VIGIL_KAFKA_BOOTSTRAP:-127.0.0.1:9092}"
log() { printf '[bench] %s\n' "$*" >&2; }
need_agg=false
for v in ${VARIANTS:-all}; do [ "$v" = flink ] || need_agg=true; done
case " ${VARIANTS:-all} ${PEER:-} " in *" flink "*) run_flink=true ;; *) run_flink=false ;; esac
if [ ! -f "$JAR" ] || { $need_agg && [ ! -f "$AGG" ]; }; then
  modules=bench; $need_agg && modules=bench,aggregator-service
  (cd "$ROOT" && ./mvnw -B -q -pl "$modules" -am package -DskipTests)
fi
if $run_flink && [ ! -f "$FLINK_JAR" ]; then
  # bench/flink is not a module of the root build: it takes common (for the decoder) from the local repository
  [ -f "$HOME/.m2/repository/io/vigil/common/0.1.0-SNAPSHOT/common-0.1.0-SNAPSHOT.jar" ] \
    || (cd "$ROOT" && ./mvnw -B -q install -DskipTests -Dspring-boot.repackage.skip=true -pl common)
  (cd "$ROOT/bench/flink" && ../../mvnw -B -q package -DskipTests)
fi

cd "$WORK"
java -cp "$JAR" io.vigil.bench.RollupLoad fill "$PREFIX" "$SERIES" "$STEPS"

# name: extra arguments for the aggregator
declare -A VARIANT=(
  [1-default]="--vigil.aggregator.store=memory --vigil.aggregator.store-cache-bytes=0"
  [8-commit-1s]="--spring.kafka.streams.properties.commit.interval.ms=1000"
  [9-commit-10s]="--spring.kafka.streams.properties.commit.interval.ms=10000"
  [2-raw-periods]="--vigil.aggregator.fold-from-minutes=false"
  [3-commit-100ms]="--spring.kafka.streams.properties.commit.interval.ms=100"
  [4-cache-32mb]="--vigil.aggregator.store-cache-bytes=33554432"
  [7-two-threads]="--spring.kafka.streams.properties.num.stream.threads=2"
  [6-uncompressed]="--spring.kafka.streams.properties.producer.compression.type=none"
  [5-rocksdb]="--vigil.aggregator.store=rocksdb"
)
for name in $(printf '%s\n' "${!VARIANT[@]}" | sort); do
  case " ${VARIANTS:-all} " in *" all "*|*" $name "*) ;; *) continue ;; esac
  log "$name: ${VARIANT[$name]}"
  java -Xmx"$HEAP" ${AGG_JAVA_OPTS:-} -jar "$AGG" --server.port=18082 --vigil.kafka.topic-prefix="$PREFIX" \
    --vigil.kafka.group-suffix="-$name" --spring.kafka.streams.state-dir="$WORK/state-$name" \
    ${VARIANT[$name]} > "$WORK/$name.log" 2>&1 &
  pid=$!
  java -cp "$JAR" io.vigil.bench.RollupLoad wait "$PREFIX" "${PREFIX}aggregator.rollups-$name" http://127.0.0.1:18082/actuator/prometheus | tee "$WORK/$name.result"
  series=$(curl -s http://127.0.0.1:18082/actuator/prometheus | awk '/^vigil_rollup_series/ {print $2}' || true)
  rss=$(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$pid/status || true)
  state=$( (du -sh "$WORK/state-$name" 2>/dev/null || echo "0 -") | cut -f1)
  kill $pid; wait $pid 2>/dev/null || true
  printf '%-16s series held %s, peak RSS %s, local state dir %s\n' "$name" "$series" "$rss" "$state"
  java -cp "$JAR" io.vigil.bench.RollupLoad sizes "${PREFIX}aggregator.rollups-$name" | sed 's/^/    /'
done
if $run_flink; then
  for cp in ${FLINK_CHECKPOINTS:-1000 5000}; do
    name="flink-cp$cp"
    group="${PREFIX}flink-rollups-cp$cp"
    log "$name: the Flink peer (bench/flink/README.md), checkpoints every $cp ms ${FLINK_ARGS:-}"
    java -Xmx"$HEAP" ${FLINK_JAVA_OPTS:-} -jar "$FLINK_JAR" "$BOOTSTRAP" "$PREFIX" "$group" \
      --checkpoint-dir "$WORK/state-$name" --checkpoint-interval-ms "$cp" ${FLINK_ARGS:-} > "$WORK/$name.log" 2>&1 &
    pid=$!
    java -cp "$JAR" io.vigil.bench.RollupLoad wait "$PREFIX" "$group" | tee "$WORK/$name.result"
    sleep 2 # the job's counts reach its log within a second (a heartbeat) or two
    rss=$(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$pid/status || true)
    state=$( (du -sh "$WORK/state-$name" 2>/dev/null || echo "0 -") | cut -f1)
    counts=$(grep -o '{duplicate-points=.*}' "$WORK/$name.log" | tail -1 || true)
    kill $pid; wait $pid 2>/dev/null || true
    printf '%-16s peak RSS %s, checkpoint dir %s, %s\n' "$name" "$rss" "$state" "${counts:-no counts}"
  done
  java -cp "$JAR" io.vigil.bench.RollupLoad sizes "${PREFIX}flink." | sed 's/^/    /'
fi
java -cp "$JAR" io.vigil.bench.RollupLoad sizes "${PREFIX}metrics." | sed 's/^/    /'
log "logs in $WORK; topics under ${PREFIX} stay until removed"
