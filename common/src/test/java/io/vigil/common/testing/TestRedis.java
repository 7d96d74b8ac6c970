package io.vigil.common.testing;

import java.time.Duration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A Redis client of a test's own, e.g. through a {@code FaultProxy}, with a short command timeout. */
public final class TestRedis {

  private TestRedis() {}

  public static StringRedisTemplate template(String host, int port) {
    LettuceConnectionFactory f = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port),
        LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)).build());
    f.afterPropertiesSet();
    f.start();
    return new StringRedisTemplate(f);
  }
}
