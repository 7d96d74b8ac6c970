package io.vigil.aggregator.config;

import io.vigil.aggregator.rollup.PartitionLag;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * The lag of this instance's stream threads on each partition of {@code metrics.raw}, from the main
 * consumers' own {@code records-lag} metric, read every {@code refresh} (one pass over the metrics for
 * all tasks, not one per task and tick). A partition without the metric (not assigned here, or not
 * fetched yet) is unknown, and an unknown partition never counts as idle.
 */
final class StreamsLag implements PartitionLag, DisposableBean {

  private final StreamsBuilderFactoryBean factory;
  private final String topic;
  private final String legacyTopic;
  private final ScheduledExecutorService timer;
  private volatile Map<Integer, Long> lags = Map.of();

  StreamsLag(StreamsBuilderFactoryBean factory, String rawTopic, Duration refresh) {
    this.factory = factory;
    this.topic = rawTopic;
    this.legacyTopic = rawTopic.replace('.', '_'); // how older fetch metrics spell a topic in tags
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aggregator-lag");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  void refresh() {
    KafkaStreams streams = factory.getKafkaStreams();
    if (streams == null) {
      lags = Map.of();
      return;
    }
    Map<Integer, Long> found = new ConcurrentHashMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (!"records-lag".equals(name.name()) || !"consumer-fetch-manager-metrics".equals(name.group())) {
        continue;
      }
      String t = name.tags().get("topic");
      String p = name.tags().get("partition");
      if (p == null || !(topic.equals(t) || legacyTopic.equals(t))) {
        continue;
      }
      Object value = e.getValue().metricValue();
      if (value instanceof Number n && !Double.isNaN(n.doubleValue())) {
        found.put(Integer.parseInt(p), (long) n.doubleValue());
      }
    }
    lags = found;
  }

  @Override
  public long lag(int partition) {
    Long lag = lags.get(partition);
    return lag == null ? -1 : lag;
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
