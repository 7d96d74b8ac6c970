package io.vigil.common.error;

import io.vigil.common.model.InvalidRecordException;
import java.lang.reflect.Method;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one place that decides what a failure means for the work that hit it. Every consumer kind of
 * the Kafka kit asks here; so can an HTTP edge that must choose between 4xx, 503 and 500.
 *
 * <ul>
 *   <li>{@link Kind#INVALID}: the record itself can never be processed (an {@link
 *       InvalidRecordException} anywhere in the cause chain): dead-lettered at once.
 *   <li>{@link Kind#DEPENDENCY}: something the work needs did not answer: a {@link
 *       DependencyUnavailableException}, or a known transient exception of the clients we use
 *       (Kafka's retriable errors, I/O errors such as resets and timeouts, JDBC transient and connection
 *       errors, Spring's resource-failure data-access errors, Lettuce connection errors, an open
 *       circuit breaker, Elasticsearch's 429/502/503/504). The record is fine: back off and retry
 *       without limit, never a dead letter.
 *   <li>{@link Kind#FAILED}: anything else, e.g. a bug tripped by this record: retried a few times,
 *       then dead-lettered as {@code processing_failed} so its partition moves on.
 * </ul>
 *
 * Client classes are matched by name, so common needs none of those clients on its classpath.
 */
public final class ErrorClassifier {

  public enum Kind { INVALID, DEPENDENCY, FAILED }

  /**
   * @param dependency for {@link Kind#DEPENDENCY}: the dependency's fixed name ({@code unknown}
   *     when the exception does not say); null otherwise
   */
  public record Verdict(Kind kind, String dependency) {

    public boolean retriable() {
      return kind == Kind.DEPENDENCY;
    }
  }

  private static final Verdict INVALID = new Verdict(Kind.INVALID, null);
  private static final Verdict FAILED = new Verdict(Kind.FAILED, null);
  private static final int MAX_DEPTH = 32;

  /** Transient by type, wherever they stand in the cause chain (a class or any of its superclasses). */
  private static final Set<String> TRANSIENT = Set.of(
      "org.apache.kafka.common.errors.RetriableException",
      "org.apache.kafka.common.errors.TimeoutException",
      "org.apache.kafka.common.errors.DisconnectException",
      // any I/O failure in a client call is about the connection, not the record: a reset, a closed
      // stream, a transport error (the Elasticsearch client reports a reset as a bare IOException)
      "java.io.IOException",
      "java.util.concurrent.TimeoutException",
      "org.apache.kafka.streams.errors.MissingSourceTopicException",
      "java.net.ConnectException",
      "java.net.SocketTimeoutException",
      "java.net.NoRouteToHostException",
      "java.net.http.HttpConnectTimeoutException",
      "java.net.http.HttpTimeoutException",
      "java.nio.channels.ClosedChannelException",
      "java.sql.SQLTransientException",
      "java.sql.SQLRecoverableException",
      "java.sql.SQLNonTransientConnectionException",
      "org.springframework.dao.TransientDataAccessException",
      "org.springframework.dao.DataAccessResourceFailureException",
      "org.springframework.dao.RecoverableDataAccessException",
      "org.springframework.transaction.CannotCreateTransactionException",
      "io.lettuce.core.RedisConnectionException",
      "io.lettuce.core.RedisCommandTimeoutException",
      "io.lettuce.core.RedisLoadingException",
      "io.github.resilience4j.circuitbreaker.CallNotPermittedException",
      "co.elastic.clients.transport.TransportException");

  /** I/O exceptions that are about the bytes, not the connection: never a reason to wait. */
  private static final Set<String> NOT_TRANSIENT = Set.of(
      "java.io.CharConversionException",
      "java.io.UTFDataFormatException",
      "java.io.ObjectStreamException",
      "java.io.FileNotFoundException",
      "java.net.MalformedURLException",
      "java.util.zip.ZipException",
      "java.nio.charset.CharacterCodingException",
      "com.fasterxml.jackson.core.JacksonException");

  /** Elasticsearch's error with these HTTP statuses is an overloaded or unreachable cluster. */
  private static final String ES_EXCEPTION = "co.elastic.clients.elasticsearch._types.ElasticsearchException";
  private static final Set<Integer> ES_TRANSIENT_STATUS = Set.of(429, 502, 503, 504);

  private ErrorClassifier() {}

  public static Verdict classify(Throwable error) {
    if (error == null) {
      return FAILED;
    }
    if (InvalidRecordException.in(error) != null) {
      return INVALID;
    }
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    boolean transientSeen = false;
    int depth = 0;
    for (Throwable t = error; t != null && depth < MAX_DEPTH && seen.put(t, Boolean.TRUE) == null;
        t = t.getCause(), depth++) {
      if (t instanceof DependencyUnavailableException unavailable) {
        return new Verdict(Kind.DEPENDENCY, unavailable.dependency());
      }
      if (isTransient(t)) {
        transientSeen = true;
      }
    }
    return transientSeen ? new Verdict(Kind.DEPENDENCY, dependencyOf(error)) : FAILED;
  }

  private static boolean isTransient(Throwable t) {
    for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      String name = c.getName();
      if (NOT_TRANSIENT.contains(name)) {
        return false;
      }
      if (TRANSIENT.contains(name)) {
        return true;
      }
      if (name.equals(ES_EXCEPTION)) {
        return ES_TRANSIENT_STATUS.contains(status(t));
      }
      if (name.startsWith("io.lettuce.core.Redis") && redisPassing(t.getMessage())) {
        return true;
      }
    }
    return false;
  }

  /** Redis answers that mean "not now" during a failover or a restart, not "never". */
  private static boolean redisPassing(String message) {
    if (message == null) {
      return false;
    }
    return message.startsWith("READONLY") || message.startsWith("MASTERDOWN") || message.startsWith("LOADING")
        || message.startsWith("CLUSTERDOWN") || message.startsWith("TRYAGAIN") || message.contains("not connected")
        || message.contains("Connection closed");
  }

  private static int status(Throwable t) {
    try {
      Method status = t.getClass().getMethod("status");
      return status.invoke(t) instanceof Integer i ? i : 0;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Which dependency a transient client exception came from: judged by the exception classes in the
   * chain, else by the client code it was thrown from (a bare {@code IOException} thrown inside the
   * Elasticsearch client names the client only in its stack).
   */
  static String dependencyOf(Throwable error) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    int depth = 0;
    for (Throwable t = error; t != null && depth < MAX_DEPTH && seen.put(t, Boolean.TRUE) == null;
        t = t.getCause(), depth++) {
      for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        String named = byPackage(c.getName());
        if (named != null) {
          return named;
        }
      }
    }
    seen.clear();
    depth = 0;
    for (Throwable t = error; t != null && depth < MAX_DEPTH && seen.put(t, Boolean.TRUE) == null;
        t = t.getCause(), depth++) {
      StackTraceElement[] frames = t.getStackTrace();
      for (int i = 0; i < Math.min(frames.length, 64); i++) {
        String named = byPackage(frames[i].getClassName());
        if (named != null) {
          return named;
        }
      }
    }
    return "unknown";
  }

  private static String byPackage(String name) {
    if (name.startsWith("org.apache.kafka.")) {
      return "kafka";
    }
    if (name.startsWith("io.lettuce.") || name.startsWith("org.springframework.data.redis.")) {
      return "redis";
    }
    if (name.startsWith("co.elastic.") || name.startsWith("org.elasticsearch.")
        || name.startsWith("org.springframework.data.elasticsearch.")) {
      return "elasticsearch";
    }
    if (name.startsWith("java.sql.") || name.startsWith("com.mysql.") || name.startsWith("org.mariadb.")
        || name.startsWith("org.springframework.jdbc.") || name.startsWith("com.zaxxer.hikari.")) {
      return "mysql";
    }
    return null;
  }
}
