package io.vigil.common.testing.fault;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A throwaway single-node KRaft broker of this test's own, in a child JVM from the same classpath
 * (the Kafka server the clients are built against), on random loopback ports with its log in a
 * temporary folder. A test may kill it (SIGKILL) and start it again on the same ports and data, so
 * "Kafka is down" and "Kafka is back" are real for the clients, and the shared broker is never
 * touched.
 */
public final class PrivateKafka implements AutoCloseable {

  private final int port = ChildJvm.freePort();
  private final int controllerPort = ChildJvm.freePort();
  private final Path dir;
  private final Path config;
  private ChildJvm broker;

  private PrivateKafka() throws IOException {
    dir = Files.createTempDirectory("vigil-private-kafka-");
    config = dir.resolve("server.properties");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=1",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=3",
        "group.initial.rebalance.delay.ms=0",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        ""));
  }

  /** Formats the storage and starts the broker; returns once it accepts connections. */
  public static PrivateKafka start() {
    try {
      PrivateKafka kafka = new PrivateKafka();
      ChildJvm format = ChildJvm.start("kafka-format", "kafka.tools.StorageTool", List.of("-Xmx128m"),
          List.of("format", "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22),
              "-c", kafka.config.toString()));
      kafka.awaitExit(format);
      kafka.boot();
      return kafka;
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare a private broker", e);
    }
  }

  private void awaitExit(ChildJvm child) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (child.alive() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (child.alive()) {
      child.kill();
      throw new IllegalStateException("formatting the private broker's storage hung; see " + child.log());
    }
  }

  private void boot() {
    broker = ChildJvm.start("kafka", "kafka.Kafka", List.of("-Xmx384m"), List.of(config.toString()));
    broker.awaitPort(port, Duration.ofSeconds(60));
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL: the broker is gone at once, as in a crash or a lost machine. */
  public void kill() {
    broker.kill();
  }

  /** Starts the broker again on the same ports and data after {@link #kill()}. */
  public void restart() {
    if (broker != null && broker.alive()) {
      throw new IllegalStateException("the private broker still runs");
    }
    boot();
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind
    }
  }
}
