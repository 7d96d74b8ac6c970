package io.vigil.aggregator.config;

import io.vigil.aggregator.rollup.RollupShards;
import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.Topics;
import io.vigil.common.observability.DependencyMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * The shard rollup topics that exist (policy-service creates one when a namespace first names its
 * shard) and the partition count of {@code metrics.raw}, looked up every {@code refresh}: every
 * task sends its progress markers to every shard's topic, so a shard with no series on a partition
 * still learns that partition's progress. A failed look-up keeps the last answer (counted).
 */
final class ShardDirectory implements RollupShards, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(ShardDirectory.class);

  private final AdminClient admin;
  private final KafkaNaming naming;
  private final DependencyMetrics dependencies;
  private final Pattern rollups;
  private final ScheduledExecutorService timer;
  private volatile Set<String> shards = Set.of();
  private volatile int rawPartitions = Topics.METRICS_RAW.partitions();

  ShardDirectory(Map<String, Object> adminConfig, KafkaNaming naming, DependencyMetrics dependencies,
      Duration refresh) {
    Map<String, Object> config = new java.util.HashMap<>(adminConfig);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "vigil-aggregator-shards");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    this.admin = AdminClient.create(config);
    this.naming = naming;
    this.dependencies = dependencies;
    this.rollups = Topics.allRollups(naming.prefix());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aggregator-shards");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  void refresh() {
    try {
      Set<String> found = new TreeSet<>();
      for (String name : admin.listTopics().names().get(10, TimeUnit.SECONDS)) {
        if (rollups.matcher(name).matches()) {
          found.add(Topics.shardOf(name.substring(naming.prefix().length())));
        }
      }
      shards = Set.copyOf(found);
      String raw = naming.topic(Topics.METRICS_RAW);
      TopicDescription d = admin.describeTopics(Set.of(raw)).allTopicNames().get(10, TimeUnit.SECONDS).get(raw);
      if (d != null) {
        rawPartitions = d.partitions().size();
      }
    } catch (Exception e) {
      dependencies.failure("kafka");
      log.warn("could not list the shard topics ({}); keeping {}", e.toString(), shards);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public Set<String> shards() {
    return shards;
  }

  @Override
  public int rawPartitions() {
    return rawPartitions;
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
    admin.close(Duration.ofSeconds(2));
  }
}
