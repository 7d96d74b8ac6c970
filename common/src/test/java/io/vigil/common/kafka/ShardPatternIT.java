package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.Rollup;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** A consumer of every shard picks up a shard created while it runs, and never its dead-letter topic. */
class ShardPatternIT extends KitIT {

  @Test
  void aShardCreatedAtRunTimeIsConsumedWithoutRestartAndItsDeadLetterTopicIsNot() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(kit.consumeAllShards("all-shards", StartAt.EARLIEST).records(r -> seen.add(r.topic() + "/" + r.value().shard())));

    String shard = "s" + UUID.randomUUID().toString().substring(0, 8);
    Topic<Rollup> topic = Topics.rollup(shard);
    try (var admin = admin()) {
      admin.createTopics(List.of(new NewTopic(naming.topic(topic), 2, (short) 1),
          new NewTopic(naming.topic(topic.deadLetter()), 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
    }
    Awaits.until("producer knows the new shard", () -> template.partitionsFor(naming.topic(topic)).size() == 2);
    Rollup rollup = new Rollup(1, 42L, "qce/cvm", "local", "cpu", Map.of("appid", "1"), shard, 60, 1_764_000_000_000L,
        3, 1, 3, 3, 3, 0, null);
    TestKafka.send(topic.deadLetter().base(), "dead", new MessageCodec().encode(rollup));
    publisher.publish(topic, rollup).get(10, TimeUnit.SECONDS);

    Awaits.until("the new shard's rollup consumed", () -> seen.contains(topic.base() + "/" + shard));
    Thread.sleep(1000);
    assertThat(seen).containsOnlyOnce(topic.base() + "/" + shard);
    assertThat(count("vigil.kafka.consumed", "topic", topic.deadLetter().base())).isZero();
  }
}
