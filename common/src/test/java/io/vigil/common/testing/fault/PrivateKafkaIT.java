package io.vigil.common.testing.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.SnapshotLoader;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topic;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.VigilTestInitializer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Kafka really down and back, on a broker of this test's own: a send fails fast (the gateway's 503
 * within about two seconds) with an error classed as an unavailable dependency, readiness says
 * Kafka is down, and once the broker is back the same clients publish and consume again, nothing
 * lost.
 */
class PrivateKafkaIT {

  static PrivateKafka kafka;
  static ConfigurableApplicationContext context;

  @BeforeAll
  static void start() {
    kafka = PrivateKafka.start();
    context = new SpringApplicationBuilder(CrashTestApplication.class)
        .web(WebApplicationType.NONE)
        .initializers(new VigilTestInitializer())
        .run("--spring.kafka.bootstrap-servers=" + kafka.bootstrap(), "--spring.application.name=kit-private",
            "--vigil.kafka.topic-prefix=" + TestRun.topicPrefix(), "--vigil.kafka.shards=default",
            "--vigil.kafka.health-timeout=1s");
  }

  @AfterAll
  static void stop() {
    if (context != null) {
      context.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aSendFailsFastAsADependencyErrorWhileKafkaIsDownAndWorksAgainAfter() throws Exception {
    VigilPublisher publisher = context.getBean(VigilPublisher.class);
    ConsumerKit kit = context.getBean(ConsumerKit.class);
    HealthIndicator kafkaHealth = context.getBean("kafkaHealthIndicator", HealthIndicator.class);
    Topic<ControlChange> topic = Topics.CONTROL_CHANGES;
    List<String> seen = new CopyOnWriteArrayList<>();
    ConcurrentMessageListenerContainer<String, byte[]> consumer =
        kit.consume(topic, "outage", StartAt.EARLIEST).records(r -> seen.add(r.value().id()));
    consumer.start();
    // a broadcast copy (a near cache's consumer) says whether it is known to follow the topic
    BroadcastConsumer<ControlChange> copy = kit.broadcast(topic, "outage-copy", BroadcastConsumer.From.SNAPSHOT,
        SnapshotLoader.NONE, r -> { });
    copy.start();
    try {
      publisher.publish(topic, change("before")).get(20, TimeUnit.SECONDS);
      Awaits.until("consumed before the outage", () -> seen.contains("before"));
      Awaits.until("the broadcast copy follows", copy::following);

      kafka.kill();
      long start = System.nanoTime();
      Throwable failed = catchThrowable(() -> publisher.publish(topic, change("during"))
          .get(20, TimeUnit.SECONDS));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(failed).isNotNull();
      assertThat(took).as("fails fast enough for a 503").isLessThan(Duration.ofMillis(3500));
      assertThat(ErrorClassifier.classify(failed)).isEqualTo(new ErrorClassifier.Verdict(ErrorClassifier.Kind.DEPENDENCY, "kafka"));
      assertThat(kafkaHealth.health(false).getStatus()).isEqualTo(Status.DOWN);
      // its polls just come back empty; unconfirmed end offsets end the claim within the window
      Awaits.until("the broadcast copy no longer claims to follow", Duration.ofSeconds(40), () -> !copy.following());

      kafka.restart();
      Awaits.until("Kafka healthy again", () -> kafkaHealth.health(false).getStatus().equals(Status.UP));
      Awaits.until("a send goes through again", () -> {
        try {
          publisher.publish(topic, change("after")).get(5, TimeUnit.SECONDS);
          return true;
        } catch (Exception e) {
          return false;
        }
      });
      Awaits.until("the consumer resumed by itself", () -> seen.contains("after"));
      assertThat(seen).doesNotContain("during");
      Awaits.until("the broadcast copy follows again", Duration.ofSeconds(40), copy::following);
    } finally {
      consumer.stop();
      copy.stop();
    }
  }

  static ControlChange change(String id) {
    return new ControlChange(1, ControlChange.EntityType.POLICY, id, "local", "t", 1, ChangeOp.UPSERT,
        System.currentTimeMillis());
  }
}
