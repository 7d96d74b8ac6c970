package io.vigil.common.kafka;

import io.vigil.common.observability.DependencyMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Creates the declared topics (and their dead-letter twins) that do not exist yet, and checks the
 * ones that do. A topic whose partition count differs from its declaration is a start-up error:
 * partitions are never added silently, because more partitions re-map keys and break the per-key
 * order every consumer relies on (changing a count is a planned migration). Configs of existing
 * topics are left as operators set them.
 *
 * <p>When Kafka cannot be reached at start-up the service starts anyway (not ready) and this keeps
 * trying in the background; a mismatch found then is logged and counted.
 */
public final class TopicProvisioner implements SmartInitializingSingleton, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  private final Map<String, Object> adminConfig;
  private final List<Topic<?>> topics;
  private final KafkaNaming naming;
  private final short replication;
  private final Duration timeout;
  private final DependencyMetrics dependencies;
  private volatile boolean done;
  private volatile Thread retry;

  public TopicProvisioner(Map<String, Object> adminConfig, List<Topic<?>> topics, KafkaNaming naming,
      short replication, Duration timeout, DependencyMetrics dependencies) {
    this.adminConfig = new HashMap<>(adminConfig);
    this.adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, naming.service() + "-topics");
    this.adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    this.adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 5000));
    this.topics = List.copyOf(topics);
    this.naming = naming;
    this.replication = replication;
    this.timeout = timeout;
    this.dependencies = dependencies;
  }

  @Override
  public void afterSingletonsInstantiated() {
    try {
      provision();
    } catch (UnreachableException e) {
      dependencies.failure("kafka");
      log.warn("Kafka not reachable to provision topics ({}); retrying in the background", e.getMessage());
      Thread t = new Thread(this::retryUntilDone, "vigil-topic-provisioner");
      t.setDaemon(true);
      retry = t;
      t.start();
    }
  }

  /** True once every declared topic exists with its declared partitions. */
  public boolean done() {
    return done;
  }

  private void retryUntilDone() {
    while (!done && !Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(5_000);
        provision();
      } catch (InterruptedException e) {
        return;
      } catch (UnreachableException e) {
        dependencies.failure("kafka");
      } catch (IllegalStateException mismatch) {
        log.error("topic declarations do not match the cluster: {}", mismatch.getMessage());
        return;
      }
    }
  }

  /**
   * Creates what is missing and checks what exists.
   *
   * @throws IllegalStateException when an existing topic's partition count differs from its declaration
   * @throws UnreachableException when Kafka does not answer in time
   */
  void provision() {
    provision(topics);
    done = true;
  }

  /**
   * Creates these topics now if missing (each with its dead-letter topic) and checks their partitions:
   * the control plane calls this before committing a namespace mapped to a new shard, so the shard's
   * rollup topic exists before anyone routes to it.
   *
   * @throws io.vigil.common.error.DependencyUnavailableException when Kafka does not answer in time
   * @throws IllegalStateException when a topic exists with another partition count
   */
  public void ensure(List<Topic<?>> wanted) {
    List<Topic<?>> withDeadLetters = new ArrayList<>();
    for (Topic<?> t : wanted) {
      withDeadLetters.add(t);
      withDeadLetters.add(t.deadLetter());
    }
    try {
      provision(withDeadLetters);
    } catch (UnreachableException e) {
      dependencies.failure("kafka");
      throw new io.vigil.common.error.DependencyUnavailableException("kafka", e.getMessage(), e);
    }
  }

  private void provision(List<Topic<?>> topics) {
    Map<String, Topic<?>> byName = new HashMap<>();
    topics.forEach(t -> byName.put(naming.topic(t), t));
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      List<String> present = new ArrayList<>();
      byName.forEach((name, topic) -> {
        if (existing.contains(name)) {
          present.add(name);
        } else {
          missing.add(newTopic(topic, naming, replication));
        }
      });
      if (!missing.isEmpty()) {
        admin.createTopics(missing).values().forEach((name, f) -> {
          try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)) {
                // a policy violation, a bad replication factor, no authorization: retrying cannot help
                throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
              }
              throw new UnreachableException("create " + name + ": " + e.getCause());
            }
            present.add(name); // another instance created it meanwhile: check it below
          } catch (Exception e) {
            throw new UnreachableException("create " + name + ": " + e);
          }
        });
        // a producer sending to a topic its leader has not taken up yet can lose its first batch
        TopicReadiness.awaitLeaders(admin, missing.stream().map(NewTopic::name).toList(), timeout);
        log.info("created topics {}", missing.stream().map(NewTopic::name).sorted().toList());
      }
      if (!present.isEmpty()) {
        Map<String, TopicDescription> described =
            admin.describeTopics(present).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<String> mismatches = new ArrayList<>();
        described.forEach((name, d) -> {
          int declared = byName.get(name).partitions();
          if (d.partitions().size() != declared) {
            mismatches.add(name + " has " + d.partitions().size() + " partitions, declared " + declared);
          }
        });
        if (!mismatches.isEmpty()) {
          throw new IllegalStateException(String.join("; ", mismatches)
              + " (partitions are never changed at start-up: more partitions re-map keys and break per-key order;"
              + " migrate the topic deliberately or fix the declaration)");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableException("interrupted");
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new UnreachableException(e.toString());
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new UnreachableException(e.toString());
    }
  }

  static NewTopic newTopic(Topic<?> topic, KafkaNaming naming, short replication) {
    Map<String, String> configs = new HashMap<>();
    if (topic.compacted()) {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    } else if (topic.retention() != null) {
      configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retention().toMillis()));
    }
    configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.max(1, replication - 1)));
    return new NewTopic(naming.topic(topic), topic.partitions(), replication).configs(configs);
  }

  @Override
  public void destroy() {
    Thread t = retry;
    if (t != null) {
      t.interrupt();
    }
  }

  /** Kafka did not answer: not a configuration error, the service starts and is not ready. */
  static final class UnreachableException extends RuntimeException {
    UnreachableException(String message) {
      super(message);
    }
  }
}
