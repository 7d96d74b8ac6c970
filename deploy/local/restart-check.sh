#!/usr/bin/env bash
# Shows that restarting the local platform loses nothing it keeps itself: writes a record to Kafka
# and a document to Elasticsearch, stops both (bin/vigil down-infra: the services keep running),
# starts them again (bin/vigil infra) and reads both back. Exits non-zero if either is gone, or if
# the servers were not really restarted (not started by bin/vigil, or the same PIDs after). Used by
# .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ "$(id -u)" = 0 ]; then VIGIL_HOME="${VIGIL_HOME:-/var/lib/vigil}"; else VIGIL_HOME="${VIGIL_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/vigil}"; fi
BOOTSTRAP="${VIGIL_KAFKA_BOOTSTRAP:-127.0.0.1:9092}"
ES="${VIGIL_ES_URL:-http://127.0.0.1:9200}"
TOPIC=vigil-selfcheck.restart
INDEX=vigil-selfcheck-restart
MARK="restart-check-$(date +%s)-$$"

"$ROOT/bin/vigil" infra
CP="$(cat "$VIGIL_HOME"/dist/kafka.classpath)"
kafka() { java -Xmx256m -Dlog4j2.configurationFile="$ROOT/deploy/local/kafka/log4j2.properties" \
  -Dkafka.logs.dir="$VIGIL_HOME/logs/kafka" -cp "$CP" "$@"; }

echo "[restart-check] writing $MARK"
kafka org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
  --topic "$TOPIC" --partitions 1 --replication-factor 1 >/dev/null
echo "$MARK" | kafka org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" \
  --producer-property acks=all >/dev/null
curl -fsS -X PUT "$ES/$INDEX/_doc/$MARK?refresh=true" -H 'Content-Type: application/json' \
  -d "{\"mark\": \"$MARK\"}" >/dev/null

# only the servers are restarted: a developer's running services are left alone
RUN="$VIGIL_HOME/run"
pids() { echo "$(cat "$RUN/kafka.pid" 2>/dev/null || echo none) $(cat "$RUN/es/elasticsearch.pid" 2>/dev/null || echo none)"; }
before="$(pids)"
echo "[restart-check] restarting the servers (kafka, elasticsearch: $before)"
"$ROOT/bin/vigil" down-infra
"$ROOT/bin/vigil" infra
after="$(pids)"
read -r kafka_before es_before <<<"$before"
read -r kafka_after es_after <<<"$after"
if [ "$kafka_before" = none ] || [ "$es_before" = none ] || [ "$kafka_before" = "$kafka_after" ] \
    || [ "$es_before" = "$es_after" ]; then
  echo "[restart-check] FAILED: Kafka and Elasticsearch were not both restarted by bin/vigil (before: $before, after: $after);" \
    "a check that restarted nothing proves nothing" >&2
  exit 1
fi

echo "[restart-check] reading back"
found_kafka=$(kafka org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" \
  --from-beginning --timeout-ms 15000 2>/dev/null | grep -c "$MARK" || true)
found_es=$(curl -fsS "$ES/$INDEX/_doc/$MARK" | grep -c "\"found\":true" || true)

kafka org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --delete --topic "$TOPIC" >/dev/null || true
curl -fsS -X DELETE "$ES/$INDEX" >/dev/null || true

if [ "$found_kafka" -ge 1 ] && [ "$found_es" -ge 1 ]; then
  echo "[restart-check] OK: the Kafka record and the Elasticsearch document survived the restart"
else
  echo "[restart-check] FAILED: kafka record found=$found_kafka, elasticsearch document found=$found_es" >&2
  exit 1
fi
