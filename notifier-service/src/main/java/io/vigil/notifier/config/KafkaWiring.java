package io.vigil.notifier.config;

import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.LaneConsumer;
import io.vigil.common.kafka.SnapshotLoader;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.model.ControlChange;
import io.vigil.common.control.AccessConfigCache;
import io.vigil.notifier.control.ControlCopy;
import io.vigil.notifier.enrich.InstanceDirectory;
import io.vigil.notifier.values.CurrentValues;
import io.vigil.notifier.pipeline.Pipeline;
import io.vigil.common.kafka.ConsumedRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The notifier's Kafka wiring: alert events through the pipeline on key-ordered lanes, control
 * changes into its copy of silences and receivers; rollups and cmdb changes are read for current
 * values and enrichment (their stages come next).
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {


  @Bean
  InitializingBean declareNotifierTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.NOTIFY_RECORDS);
  }

  /**
   * Key-ordered lanes: events of one alert in order, different alerts in parallel; an event's offset is
   * committed once its records are published. A new group starts ten minutes back: a first deployment
   * does not lose the alerts of its start-up, and never pages people for days-old alerts.
   */
  @Bean
  LaneConsumer<AlertEvent> alertEventConsumer(ConsumerKit kit, Pipeline pipeline, NotifierProperties props,
      org.springframework.beans.factory.ObjectProvider<io.vigil.notifier.watchdog.WatchdogMonitor> watchdogs) {
    io.vigil.notifier.watchdog.WatchdogMonitor watchdog = watchdogs.getIfAvailable();
    var spec = kit.consume(Topics.ALERTS_EVENTS, "alerts", StartAt.lookBack(Duration.ofMinutes(10)));
    if (props.laneBatch() == 1) {
      return spec.lanes(props.lanes(), props.maxInFlight(), record -> watchdog != null && watchdog.taken(record.value())
          ? java.util.concurrent.CompletableFuture.completedFuture(null) : pipeline.run(record.value()));
    }
    return spec.lanes(props.lanes(), props.maxInFlight(), props.laneBatch(), records -> runAll(records, pipeline,
        watchdog));
  }

  /** A lane's batch: the watchdog's events are taken aside, the rest run through the pipeline together. */
  private static List<java.util.concurrent.CompletableFuture<?>> runAll(List<ConsumedRecord<AlertEvent>> records,
      Pipeline pipeline, io.vigil.notifier.watchdog.WatchdogMonitor watchdog) {
    List<java.util.concurrent.CompletableFuture<?>> out = new ArrayList<>(records.size());
    List<AlertEvent> events = new ArrayList<>(records.size());
    List<io.vigil.common.tracing.Traceparent> traces = new ArrayList<>(records.size());
    List<Integer> at = new ArrayList<>(records.size());
    for (ConsumedRecord<AlertEvent> r : records) {
      if (watchdog != null && watchdog.taken(r.value())) {
        out.add(java.util.concurrent.CompletableFuture.completedFuture(null));
      } else {
        at.add(out.size());
        out.add(null);
        events.add(r.value());
        // as the kit does for a record alone: an event that came without a trace starts one
        traces.add(r.traceparent() != null ? r.traceparent() : io.vigil.common.tracing.Traceparent.newRoot());
      }
    }
    if (!events.isEmpty()) {
      List<java.util.concurrent.CompletableFuture<?>> ran = pipeline.runAll(events, traces);
      for (int i = 0; i < ran.size(); i++) {
        out.set(at.get(i), ran.get(i));
      }
    }
    return out;
  }

  /**
   * Recent values of the series with open alerts, for their repeats; every shard (shards created later
   * are picked up). Only current values matter: a new group starts five minutes back. Progress markers
   * are of no use here. Only the series with open alerts are decoded: the rest are skipped by key.
   */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, CurrentValues values) {
    return kit.consumeAllShards("rollups", StartAt.lookBack(Duration.ofMinutes(5))).ignoringProgress()
        .onlyKeys(values::wants).records(record -> values.onRollup(record.value()));
  }

  /**
   * Broadcast: every instance holds every tenant's silences, receivers, schedules and templates. The
   * snapshot is the full load; readiness waits for it, so no alert is judged against a partial copy.
   */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit, ControlCopy control,
      AccessConfigCache access) {
    return kit.broadcast(Topics.CONTROL_CHANGES, "control-changes", BroadcastConsumer.From.SNAPSHOT, () -> {
      access.loadAll();
      control.loadAll();
    }, record -> {
      if (!record.tombstone()) {
        access.apply(record.value());
        control.apply(record.value());
      }
    });
  }

  /**
   * Broadcast: cmdb.changes carries each instance's content, so the enrichment's near cache follows it.
   * Read from where it stands at start (a snapshot with nothing to load): the cache fills from
   * look-ups, and reading a compacted topic of millions of instances from its beginning would only
   * touch entries that are not cached.
   */
  @Bean
  BroadcastConsumer<CmdbChange> cmdbChangesConsumer(ConsumerKit kit, InstanceDirectory instances) {
    return kit.broadcast(Topics.CMDB_CHANGES, "cmdb-changes", BroadcastConsumer.From.SNAPSHOT,
        SnapshotLoader.NONE, record -> {
          if (!record.tombstone()) {
            instances.apply(record.value());
          }
        });
  }
}
