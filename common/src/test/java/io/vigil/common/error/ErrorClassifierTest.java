package io.vigil.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.error.ErrorClassifier.Kind;
import io.vigil.common.model.InvalidRecordException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.kafka.listener.ListenerExecutionFailedException;

/** One table for what a failure means: invalid record, unavailable dependency (which one), or a failure. */
class ErrorClassifierTest {

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("invalid record", new InvalidRecordException("T", "f", "bad"), Kind.INVALID, null),
        Arguments.of("invalid record wrapped by the container",
            new ListenerExecutionFailedException("x", new InvalidRecordException("T", "f", "bad")), Kind.INVALID, null),
        Arguments.of("invalid beats a transient cause",
            new InvalidRecordException("T", "f", "bad", new ConnectException()), Kind.INVALID, null),
        Arguments.of("declared unavailable", new DependencyUnavailableException("elasticsearch", "503"),
            Kind.DEPENDENCY, "elasticsearch"),
        Arguments.of("declared unavailable deep in the chain", new IllegalStateException("wrap",
            new RuntimeException(new DependencyUnavailableException("cmdb", "timeout"))), Kind.DEPENDENCY, "cmdb"),
        Arguments.of("kafka timeout", new org.apache.kafka.common.errors.TimeoutException("expired"),
            Kind.DEPENDENCY, "kafka"),
        Arguments.of("kafka not leader (retriable)",
            new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moved"), Kind.DEPENDENCY, "kafka"),
        Arguments.of("kafka record too large (not retriable)",
            new org.apache.kafka.common.errors.RecordTooLargeException("big"), Kind.FAILED, null),
        Arguments.of("jdbc connection", new SQLTransientConnectionException("refused"), Kind.DEPENDENCY, "mysql"),
        Arguments.of("spring resource failure over a jdbc cause",
            new DataAccessResourceFailureException("db", new SQLTransientConnectionException("x")),
            Kind.DEPENDENCY, "mysql"),
        Arguments.of("plain connect refused says nothing of who", new ConnectException("refused"),
            Kind.DEPENDENCY, "unknown"),
        Arguments.of("socket timeout", new RuntimeException(new SocketTimeoutException("read")),
            Kind.DEPENDENCY, "unknown"),
        Arguments.of("a reset reported as a bare IOException", new RuntimeException(new java.io.IOException(
            "Connection reset by peer")), Kind.DEPENDENCY, "unknown"),
        Arguments.of("bytes that are not text are the record's fault", new java.io.CharConversionException("bad"),
            Kind.FAILED, null),
        Arguments.of("a malformed URL will never work", new java.net.MalformedURLException("no protocol"),
            Kind.FAILED, null),
        Arguments.of("a future that timed out", new java.util.concurrent.TimeoutException(), Kind.DEPENDENCY, "unknown"),
        Arguments.of("integrity violation is the record's fault", new DataIntegrityViolationException("dup"),
            Kind.FAILED, null),
        Arguments.of("a bug", new NullPointerException("x"), Kind.FAILED, null),
        Arguments.of("nothing", null, Kind.FAILED, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void classifies(String what, Throwable error, Kind kind, String dependency) {
    ErrorClassifier.Verdict verdict = ErrorClassifier.classify(error);
    assertThat(verdict.kind()).isEqualTo(kind);
    assertThat(verdict.dependency()).isEqualTo(dependency);
    assertThat(verdict.retriable()).isEqualTo(kind == Kind.DEPENDENCY);
  }

  @org.junit.jupiter.api.Test
  void aCauseCycleEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(ErrorClassifier.classify(a).kind()).isEqualTo(Kind.FAILED);
  }
}
