package io.vigil.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Waits until every partition of freshly created topics is served by its leader.
 *
 * <p>A create call returns once the controller has committed the topic; the leader broker applies it
 * a moment later, and its metadata cache can name it leader before its replica manager holds the
 * partition. An idempotent producer that sends at once can then have its first batch refused
 * (NOT_LEADER_OR_FOLLOWER) while a later batch is accepted, after which the first batch's retries
 * fail with OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout drops it (KAFKA-15591, fixed in
 * brokers newer than the 4.1 line we run). A ListOffsets request is answered by the leader's replica
 * manager, so once it succeeds for a partition the partition is really there.
 */
public final class TopicReadiness {

  private TopicReadiness() {
  }

  /**
   * Returns once every partition of these topics answers a ListOffsets request at its leader.
   *
   * @throws TimeoutException when that does not happen within the timeout
   * @throws ExecutionException when Kafka refuses with a non-retriable error
   */
  public static void awaitLeaders(Admin admin, Collection<String> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(topics).allTopicNames().get(left, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        described.forEach((name, d) -> d.partitions()
            .forEach(p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        admin.listOffsets(partitions).all().get(left, TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)) { // an unknown topic is retriable too
          throw e;
        }
        last = e.getCause();
      } catch (TimeoutException e) {
        last = e;
      }
      Thread.sleep(50);
    }
    throw new TimeoutException("partitions of " + topics + " have no serving leader after " + timeout
        + (last == null ? "" : " (last: " + last + ")"));
  }
}
