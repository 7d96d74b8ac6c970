package io.vigil.console.security;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.security.SecretBox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.serializer.JdkSerializationRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;

/**
 * Where the console keeps its sessions ({@code vigil.console.sessions}): {@code memory} (the default,
 * one instance or sticky routing) or {@code redis} (every replica sees every session, so a
 * replica's restart or a rolling deploy signs no one out). Both go through Spring Session, so the
 * cookie, the idle timeout and sign-in's new session id behave the same in either.
 *
 * <p>A session holds the user's API token. In Redis every attribute is sealed with AES-GCM under
 * the console's own key ({@code vigil.console.session-key-file}; never the master key, which the
 * console has no need to hold): a reader of Redis learns no token, and an altered value does not
 * open, so nothing written into Redis by someone else is ever deserialized. Redis mode without a key
 * does not start. The session id itself is a bearer credential, and Redis keys name it: who can read
 * the console's Redis can act as its signed-in users, so that Redis must be closed to others (its
 * password, {@code VIGIL_REDIS_PASSWORD}, and a private network), as it must be for the alert state
 * the other services keep there.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleSessions {

  /** The stores a console can keep its sessions in. */
  public enum Store {
    MEMORY,
    REDIS
  }

  /** An unknown store name stops the start here, not later as sessions kept in memory by mistake. */
  @Bean
  Store consoleSessionStore(@Value("${vigil.console.sessions:memory}") String store) {
    try {
      if (!store.equals(store.strip())) {
        throw new IllegalArgumentException("blanks around it"); // which the stores' conditions would not match
      }
      return Store.valueOf(store.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("vigil.console.sessions must be memory or redis, not '" + store + "'");
    }
  }

  /**
   * Before Spring Session's filter: a session store that is down answers 503 with a page that says so
   * (counted), and a session value that does not open sends the user to sign in again.
   */
  @Bean
  org.springframework.boot.web.servlet.FilterRegistrationBean<SessionStoreGuard> sessionStoreGuard(
      io.vigil.common.observability.DependencyMetrics metrics,
      org.springframework.beans.factory.ObjectProvider<org.springframework.session.web.http.CookieSerializer> cookies,
      org.springframework.beans.factory.ObjectProvider<org.springframework.session.SessionRepository<?>> sessions) {
    var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(
        new SessionStoreGuard(metrics, cookies, sessions));
    registration.setOrder(org.springframework.session.web.http.SessionRepositoryFilter.DEFAULT_ORDER - 10);
    return registration;
  }

  /** Sessions in this console's memory, swept of expired ones as new ones are made. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "vigil.console.sessions", havingValue = "memory", matchIfMissing = true)
  @EnableSpringHttpSession
  static class InMemory {

    @Bean
    MemorySessions sessionRepository(@Value("${server.servlet.session.timeout:12h}") Duration timeout, Clock clock,
        MeterRegistry registry) {
      MemorySessions sessions = new MemorySessions(timeout, clock);
      Gauge.builder("vigil_console_sessions", sessions, MemorySessions::size)
          .description("sessions held in this console's memory").register(registry);
      return sessions;
    }
  }

  /** Sessions in Redis (Boot's Spring Session configuration), every attribute sealed. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "vigil.console.sessions", havingValue = "redis")
  static class InRedis {

    /** The serializer Spring Session takes by this name for every session attribute. */
    @Bean("springSessionDefaultRedisSerializer")
    RedisSerializer<Object> sealedSessionAttributes(
        @Value("${vigil.console.session-key-file:}") String keyFile) {
      if (keyFile.isBlank()) {
        throw new IllegalStateException("vigil.console.sessions=redis keeps users' tokens in Redis, sealed: set"
            + " VIGIL_CONSOLE_SESSION_KEY_FILE (vigil.console.session-key-file; 'bin/vigil keys' makes one)");
      }
      try {
        return new SealedSerializer(SecretBox.fromFile(Path.of(keyFile)), new JdkSerializationRedisSerializer());
      } catch (IllegalStateException e) {
        // SecretBox speaks of a master key file; this is the console's session key
        throw new IllegalStateException("the console's session key (vigil.console.session-key-file, "
            + "VIGIL_CONSOLE_SESSION_KEY_FILE): " + e.getMessage(), e);
      }
    }
  }
}
