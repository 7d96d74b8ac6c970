package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.ControlChange;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Topic declarations against the real broker: missing topics are made, a partition mismatch stops the start. */
class TopicProvisionerIT {

  private final KafkaNaming naming = new KafkaNaming(TestRun.topicPrefix(), "kit");
  private final DependencyMetrics dependencies = new DependencyMetrics(new SimpleMeterRegistry(), Set.of("kafka"));
  private final Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap());

  @Test
  void createsMissingTopicsAndRefusesToGrowAnExistingOne() throws Exception {
    String base = "kit.provision." + UUID.randomUUID().toString().substring(0, 8);
    Topic<ControlChange> declared = new Topic<>(base, ControlChange.class, "k", ControlChange::key, 3, Duration.ofHours(1), false);
    try (AdminClient a = AdminClient.create(admin)) {
      a.createTopics(List.of(new NewTopic(naming.topic(declared), 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
    }
    TopicProvisioner provisioner = new TopicProvisioner(admin, List.of(declared, declared.deadLetter()), naming,
        (short) 1, Duration.ofSeconds(10), dependencies);

    assertThatThrownBy(provisioner::afterSingletonsInstantiated)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(naming.topic(declared) + " has 2 partitions, declared 3");
    try (AdminClient a = AdminClient.create(admin)) {
      var described = a.describeTopics(List.of(naming.topic(declared), naming.topic(declared.deadLetter())))
          .allTopicNames().get(10, TimeUnit.SECONDS);
      assertThat(described.get(naming.topic(declared)).partitions()).as("not grown").hasSize(2);
      assertThat(described.get(naming.topic(declared.deadLetter())).partitions()).as("the missing one made").hasSize(3);
    }
  }

  @Test
  void aFreshTopicIsServedByItsLeaderWhenProvisioningReturns() throws Exception {
    String base = "kit.ready." + UUID.randomUUID().toString().substring(0, 8);
    Topic<ControlChange> declared = new Topic<>(base, ControlChange.class, "k", ControlChange::key, 4, Duration.ofHours(1), false);
    new TopicProvisioner(admin, List.of(declared), naming, (short) 1, Duration.ofSeconds(20), dependencies)
        .afterSingletonsInstantiated();
    try (AdminClient a = AdminClient.create(admin)) {
      Map<TopicPartition, OffsetSpec> partitions = new java.util.HashMap<>();
      for (int p = 0; p < 4; p++) {
        partitions.put(new TopicPartition(naming.topic(declared), p), OffsetSpec.latest());
      }
      assertThat(a.listOffsets(partitions).all().get(5, TimeUnit.SECONDS)).as("every leader answers at once").hasSize(4);
      assertThatThrownBy(() -> TopicReadiness.awaitLeaders(a, List.of(naming.topic(declared) + ".never"),
          Duration.ofMillis(600)))
          .isInstanceOf(java.util.concurrent.TimeoutException.class)
          .hasMessageContaining("no serving leader");
    }
  }

  @Test
  void anUnreachableClusterDoesNotStopTheStart() {
    TopicProvisioner provisioner = new TopicProvisioner(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"),
        List.of(Topics.METRICS_RAW), naming, (short) 1, Duration.ofSeconds(2), dependencies);
    provisioner.afterSingletonsInstantiated();
    assertThat(provisioner.done()).isFalse();
    provisioner.destroy();
  }
}
