package io.vigil.common.testing.fault;

import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topic;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ControlChange;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * A consumer that publishes, run in a child JVM by crash tests: for each record of {@code
 * crash.in} it prints {@code HANDLING <id>}, publishes the record to {@code crash.out}, and holds
 * the acknowledgement back {@code crash.hold-ms} before its work counts as done, so a test can
 * SIGKILL it between handling and acknowledgement.
 */
@SpringBootApplication
public class CrashTestApplication {

  static final Topic<ControlChange> IN =
      new Topic<>("crash.in", ControlChange.class, "type:id", ControlChange::key, 1, Duration.ofHours(1), false);
  static final Topic<ControlChange> OUT =
      new Topic<>("crash.out", ControlChange.class, "type:id", ControlChange::key, 1, Duration.ofHours(1), false);

  public static void main(String[] args) {
    SpringApplication.run(CrashTestApplication.class, args);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> crashConsumer(ConsumerKit kit, VigilPublisher publisher,
      @Value("${crash.hold-ms:0}") long holdMs) {
    return kit.consume(IN, "crash", StartAt.EARLIEST).recordsAsync(record -> {
      System.out.println("HANDLING " + record.value().id());
      System.out.flush();
      return publisher.publish(OUT, record.value())
          .thenCompose(sent -> CompletableFuture.runAsync(() -> { },
              CompletableFuture.delayedExecutor(holdMs, TimeUnit.MILLISECONDS)));
    });
  }
}
