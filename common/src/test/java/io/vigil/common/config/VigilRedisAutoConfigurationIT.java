package io.vigil.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestRedis;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A pipeline's commands reach the real Redis only when it closes, seen from a second client while the
 * pipeline is still open; with the setting off, each command arrives on its own (Spring's default), so
 * the check can tell the two apart.
 */
class VigilRedisAutoConfigurationIT {

  private static final StringRedisTemplate OBSERVER = TestRedis.template(TestServers.redisHost(),
      TestServers.redisPort());

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(VigilRedisAutoConfiguration.class))
      .withBean(LettuceConnectionFactory.class, () -> new LettuceConnectionFactory(
          new RedisStandaloneConfiguration(TestServers.redisHost(), TestServers.redisPort())));

  @AfterAll
  static void closeObserver() {
    ((LettuceConnectionFactory) OBSERVER.getConnectionFactory()).destroy();
  }

  @Test
  void aPipelinesCommandsAreWrittenWhenItCloses() {
    runner.run(context -> {
      String key = TestRun.redisPrefix() + "flush-on-close-" + System.nanoTime();
      AtomicReference<String> seenWhileOpen = new AtomicReference<>("(not read)");
      new StringRedisTemplate(context.getBean(LettuceConnectionFactory.class)).executePipelined(
          (RedisCallback<Object>) connection -> {
            connection.stringCommands().set(bytes(key), bytes("v"));
            // time enough for a command written at once to be applied; it must not have been
            sleep(Duration.ofMillis(500));
            seenWhileOpen.set(OBSERVER.opsForValue().get(key));
            return null;
          });
      assertThat(seenWhileOpen.get()).as("the SET, while its pipeline was open").isNull();
      assertThat(OBSERVER.opsForValue().get(key)).as("the SET, once the pipeline closed").isEqualTo("v");
      OBSERVER.delete(key);
    });
  }

  @Test
  void switchedOffEachCommandIsWrittenAtOnce() {
    runner.withPropertyValues("vigil.redis.flush-pipelines-on-close=false").run(context -> {
      String key = TestRun.redisPrefix() + "flush-each-" + System.nanoTime();
      new StringRedisTemplate(context.getBean(LettuceConnectionFactory.class)).executePipelined(
          (RedisCallback<Object>) connection -> {
            connection.stringCommands().set(bytes(key), bytes("v"));
            Awaits.until("the SET arrives while its pipeline is open", Duration.ofSeconds(10),
                () -> "v".equals(OBSERVER.opsForValue().get(key)));
            return null;
          });
      OBSERVER.delete(key);
    });
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
