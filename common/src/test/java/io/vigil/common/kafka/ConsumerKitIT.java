package io.vigil.common.kafka;

import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.vigil.common.testing.TestServers;
import org.junit.jupiter.api.Test;

/**
 * Work consumers of the kit against the real broker: retries then success, poison and invalid records
 * dead-lettered without blocking, an unavailable dependency paused and waited out (never dead-lettered,
 * order kept), offsets committed only after the work (a blocked handler, an unacknowledged publish),
 * batches, and where a new group starts.
 */
class ConsumerKitIT extends KitIT {

  @Test
  void aFlakyRecordIsRetriedThenHandledAndAPoisonOneDeadLetteredWithoutBlocking() throws Exception {
    Topic<ControlChange> topic = newTopic("poison", 1, false);
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    List<String> handled = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "poison", StartAt.EARLIEST).records(record -> {
      String id = record.value().id();
      int n = attempts.merge(id, 1, Integer::sum);
      if (id.startsWith("flaky") && n <= 2) {
        throw new IllegalStateException("transient failure " + n);
      }
      if (id.startsWith("poison")) {
        throw new IllegalStateException("always fails");
      }
      handled.add(id);
    }));
    send(topic, "flaky-1");
    send(topic, "poison-1");
    send(topic, "after-poison");

    Awaits.until("records behind the poison one handled", () -> handled.contains("after-poison"));
    assertThat(handled).containsExactly("flaky-1", "after-poison");
    assertThat(attempts.get("flaky-1")).isEqualTo(3);
    assertThat(attempts.get("poison-1")).isEqualTo(3); // first delivery + 2 retries

    ConsumerRecord<String, byte[]> dead = TestKafka.awaitRecord(topic.base() + ".dlt", "poison-1", Duration.ofSeconds(30));
    assertThat(dead).isNotNull();
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_FAILED);
    assertThat(TestKafka.header(dead, DeadLetterHeaders.DETAIL)).contains("always fails");
    assertThat(TestKafka.header(dead, DeadLetterHeaders.GROUP)).isEqualTo(naming.group("poison"));
    assertThat(count("vigil.kafka.dead.lettered", "topic", topic.base(), "reason", "processing_failed")).isEqualTo(1.0);
    assertThat(count("vigil.kafka.failed", "topic", topic.base())).isEqualTo(5.0); // 2 flaky + 3 poison
  }

  @Test
  void anInvalidRecordIsDeadLetteredAtOnceWithItsField() {
    Topic<ControlChange> topic = newTopic("invalid", 1, false);
    AtomicInteger calls = new AtomicInteger();
    start(kit.consume(topic, "invalid", StartAt.EARLIEST).records(record -> calls.incrementAndGet()));
    TestKafka.send(topic.base(), "bad-key",
        "{\"schemaVersion\":1,\"type\":\"POLICY\",\"region\":\"local\",\"version\":1,\"op\":\"UPSERT\",\"timestampMs\":5}");
    ConsumerRecord<String, byte[]> dead = TestKafka.awaitRecord(topic.base() + ".dlt", "bad-key", Duration.ofSeconds(30));
    assertThat(dead).isNotNull();
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_INVALID);
    assertThat(TestKafka.header(dead, DeadLetterHeaders.FIELD)).isEqualTo("id");
    assertThat(TestKafka.header(dead, "kafka_dlt-original-topic")).isEqualTo(TestKafka.topic(topic.base()));
    assertThat(count("vigil.kafka.consumed", "topic", topic.base())).isEqualTo(1.0); // no retries
    assertThat(calls.get()).isZero();
  }

  @Test
  void anUnavailableDependencyPausesTheConsumerWithoutDeadLetteringAndKeepsOrder() throws Exception {
    Topic<ControlChange> topic = newTopic("outage", 1, false);
    AtomicBoolean storeDown = new AtomicBoolean(true);
    AtomicInteger attempts = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "outage", StartAt.EARLIEST).records(record -> {
      if (record.value().id().equals("firing")) {
        attempts.incrementAndGet();
        if (storeDown.get()) {
          throw new DependencyUnavailableException("elasticsearch", "connection refused");
        }
      }
      handled.add(record.value().id());
    }));
    send(topic, "firing");
    send(topic, "resolved");

    Awaits.until("the consumer reports it waits for elasticsearch", () -> {
      ConsumerStates.State s = states.state("kit-outage");
      return s != null && s.waiting() && "elasticsearch".equals(s.dependency());
    });
    Thread.sleep(3000);
    // paused with growing pauses (100 ms doubling), not a busy loop; nothing moved past the record
    assertThat(attempts.get()).isBetween(2, 10);
    assertThat(handled).isEmpty();
    assertThat(committed("outage", topic, 0)).isLessThanOrEqualTo(0);
    assertThat(states.allReady()).isFalse();
    assertThat(count("vigil.kafka.dependency.waits", "consumer", "kit-outage", "dependency", "elasticsearch"))
        .isGreaterThanOrEqualTo(2);
    assertThat(count("vigil.dependency.failures", "dependency", "elasticsearch")).isGreaterThanOrEqualTo(2);
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "firing", Duration.ofSeconds(1))).isNull();

    storeDown.set(false);
    Awaits.until("both handled once the store answers", () -> handled.size() == 2);
    assertThat(handled).containsExactly("firing", "resolved");
    Awaits.until("committed past both", () -> committed("outage", topic, 0) == end(topic, 0));
    assertThat(states.state("kit-outage").waiting()).isFalse();
    assertThat(count("vigil.kafka.dead.lettered", "topic", topic.base(), "reason", "processing_failed")).isZero();
  }

  @Test
  void onlyTheWantedKeysAreDecodedAndTheRestAreSkippedAndCommitted() throws Exception {
    Topic<ControlChange> topic = newTopic("keys", 1, false);
    List<String> handled = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "keys", StartAt.EARLIEST).onlyKeys(key -> key.startsWith("want"))
        .records(record -> handled.add(record.value().id())));
    send(topic, "want-1");
    // not wanted, and not even readable: skipped undecoded, so never dead-lettered
    TestKafka.send(topic.base(), "other-bad", "{\"schemaVersion\":1}");
    send(topic, "other-1");
    send(topic, "want-2");

    Awaits.until("the wanted records handled", () -> handled.size() == 2);
    assertThat(handled).containsExactly("want-1", "want-2");
    Awaits.until("committed past all four", () -> committed("keys", topic, 0) == end(topic, 0));
    assertThat(count("vigil.kafka.consumed", "topic", topic.base())).isEqualTo(4.0);
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "other-bad", Duration.ofSeconds(1))).isNull();
    assertThatThrownBy(() -> kit.consume(topic, "keys-batch", StartAt.EARLIEST).onlyKeys(k -> true)
        .batches(records -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("onlyKeys");
  }

  @Test
  void theTraceTravelsFromPublisherToHandler() throws Exception {
    Topic<ControlChange> topic = newTopic("trace", 1, false);
    Map<String, String> traces = new ConcurrentHashMap<>();
    start(kit.consume(topic, "trace", StartAt.EARLIEST).records(record ->
        traces.put(record.value().id(), record.traceparent() == null ? "none" : record.traceparent().traceId())));
    Traceparent root = Traceparent.newRoot();
    try (TraceContext.Scope scope = TraceContext.bind(root)) {
      send(topic, "traced-1");
    }
    Awaits.until("traced record handled", () -> traces.containsKey("traced-1"));
    assertThat(traces.get("traced-1")).isEqualTo(root.traceId());
  }

  @Test
  void theLabelGuardIsActiveOnTheApplicationsRegistry() {
    for (int i = 0; i < 5_050; i++) { // the default cap is 5000 series per family
      io.micrometer.core.instrument.Counter.builder("vigil.kit.guarded").tag("user", "u" + i).register(registry)
          .increment();
    }
    assertThat(registry.find("vigil.kit.guarded").counters()).hasSize(5_000);
    assertThat(registry.get("vigil.metrics.label.refused").tag("meter", "vigil.kit.guarded").counter().count())
        .isEqualTo(50.0);
  }

  @Test
  void aRecordThatFirstFailedForABugIsNotDeadLetteredWhenAnOutageFollows() throws Exception {
    Topic<ControlChange> topic = newTopic("switch", 1, false);
    AtomicInteger attempts = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "switch", StartAt.EARLIEST).records(record -> {
      int n = attempts.incrementAndGet();
      if (n == 1) {
        throw new IllegalStateException("a bug on the first try");
      }
      if (n <= 5) { // more failures than the two retries a bug gets
        throw new DependencyUnavailableException("redis", "connection refused");
      }
      handled.add(record.value().id());
    }));
    send(topic, "switching");
    Awaits.until("handled once the outage ended", () -> handled.contains("switching"));
    assertThat(attempts.get()).isEqualTo(6);
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "switching", Duration.ofSeconds(1))).isNull();
  }

  @Test
  void theOffsetIsCommittedOnlyAfterTheHandlerReturned() throws Exception {
    Topic<ControlChange> topic = newTopic("blocking", 1, false);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    start(kit.consume(topic, "blocking", StartAt.EARLIEST).records(record -> {
      if (record.value().id().equals("slow")) {
        entered.countDown();
        release.await(30, TimeUnit.SECONDS);
      }
    }));
    send(topic, "fast");
    send(topic, "slow");
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(1500); // several commit opportunities pass while the handler is inside
    assertThat(committed("blocking", topic, 0)).isLessThan(end(topic, 0));
    release.countDown();
    Awaits.until("committed once the handler returned", () -> committed("blocking", topic, 0) == end(topic, 0));
  }

  @Test
  void aPublishThatIsNotAcknowledgedIsNotCommittedAndTheRecordComesAgain() throws Exception {
    Topic<ControlChange> topic = newTopic("publishing", 1, false);
    AtomicReference<CompletableFuture<Object>> pending = new AtomicReference<>();
    AtomicInteger deliveries = new AtomicInteger();
    start(kit.consume(topic, "publishing", StartAt.EARLIEST).recordsAsync(record -> {
      int n = deliveries.incrementAndGet();
      if (n == 1) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        pending.set(f);
        return f; // the handler's publish, not yet acknowledged
      }
      return CompletableFuture.completedFuture(null);
    }));
    send(topic, "publish-me");
    Awaits.until("handler called", () -> pending.get() != null);
    Thread.sleep(1500);
    assertThat(committed("publishing", topic, 0)).as("nothing committed before the acknowledgement").isLessThan(end(topic, 0));
    // the broker never acknowledged: the send times out
    pending.get().completeExceptionally(new org.apache.kafka.common.errors.TimeoutException("expired"));
    Awaits.until("delivered again and committed", () -> deliveries.get() == 2 && committed("publishing", topic, 0) == end(topic, 0));
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "publish-me", Duration.ofSeconds(1))).isNull();
  }

  @Test
  void batchesCommitWhatIsDoneRetryTheFailedItemAndDeadLetterInvalidRecordsInPlace() throws Exception {
    Topic<ControlChange> topic = newTopic("batches", 1, false);
    List<String> indexed = new CopyOnWriteArrayList<>();
    AtomicInteger failuresLeft = new AtomicInteger(2);
    start(kit.consume(topic, "batches", StartAt.EARLIEST).batches(batch -> {
      for (int i = 0; i < batch.size(); i++) {
        String id = batch.get(i).value().id();
        if (id.equals("rejected") && failuresLeft.getAndDecrement() > 0) {
          throw new BatchItemException(i, new IllegalStateException("mapper rejected the document"));
        }
        if (id.equals("never")) {
          throw new BatchItemException(i, new IllegalStateException("never indexable"));
        }
        indexed.add(id);
      }
    }));
    send(topic, "one");
    send(topic, "rejected");
    TestKafka.send(topic.base(), "3", "{\"schemaVersion\":1}");
    send(topic, "never");
    send(topic, "five");

    Awaits.until("the batch worked through", () -> indexed.contains("five"));
    assertThat(indexed).containsSubsequence("one", "rejected", "five").doesNotContain("never");
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "3", Duration.ofSeconds(30))).isNotNull();
    ConsumerRecord<String, byte[]> never = TestKafka.awaitRecord(topic.base() + ".dlt", "never", Duration.ofSeconds(30));
    assertThat(TestKafka.header(never, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_FAILED);
    assertThat(TestKafka.header(never, DeadLetterHeaders.DETAIL)).contains("never indexable");
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "rejected", Duration.ofSeconds(1))).isNull();
    Awaits.until("committed to the end", () -> committed("batches", topic, 0) == end(topic, 0));
  }

  @Test
  void aNewGroupStartsWhereItsConsumerSaysAndLookBackSkipsOldRecords() throws Exception {
    Topic<ControlChange> topic = newTopic("start", 1, false);
    long now = System.currentTimeMillis();
    sendAt(topic, "old", now - Duration.ofHours(2).toMillis());
    sendAt(topic, "recent", now - Duration.ofMinutes(1).toMillis());

    List<String> earliest = new CopyOnWriteArrayList<>();
    List<String> lookBack = new CopyOnWriteArrayList<>();
    List<String> latest = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "start-earliest", StartAt.EARLIEST).records(r -> earliest.add(r.value().id())));
    start(kit.consume(topic, "start-look-back", StartAt.lookBack(Duration.ofMinutes(10)))
        .records(r -> lookBack.add(r.value().id())));
    start(kit.consume(topic, "start-latest", StartAt.LATEST).records(r -> latest.add(r.value().id())));
    Awaits.until("every group assigned", () -> committedOrAssigned("start-earliest", topic)
        && committedOrAssigned("start-look-back", topic) && committedOrAssigned("start-latest", topic));
    sendAt(topic, "new", System.currentTimeMillis());

    Awaits.until("all three saw the new record", () ->
        earliest.contains("new") && lookBack.contains("new") && latest.contains("new"));
    assertThat(earliest).containsExactly("old", "recent", "new");
    assertThat(lookBack).containsExactly("recent", "new");
    assertThat(latest).containsExactly("new");
  }

  private boolean committedOrAssigned(String purpose, Topic<?> topic) {
    try (var admin = admin()) {
      var groups = admin.describeConsumerGroups(List.of(naming.group(purpose))).all().get(5, TimeUnit.SECONDS);
      return groups.values().stream().anyMatch(g -> g.members().stream()
          .anyMatch(m -> !m.assignment().topicPartitions().isEmpty()));
    } catch (Exception e) {
      return false;
    }
  }

  private void sendAt(Topic<ControlChange> topic, String id, long timestampMs) {
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>(naming.topic(topic), 0, timestampMs, id,
          new MessageCodec().encode(change(id)))).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
