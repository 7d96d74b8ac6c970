package io.vigil.common.kafka;

import io.vigil.common.model.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers Vigil adds to a dead-lettered record (beside spring-kafka's own {@code kafka_dlt-*}
 * headers with the original topic, partition, offset and exception).
 */
public final class DeadLetterHeaders {

  /** A fixed word: {@code invalid_record} or {@code processing_failed}. */
  public static final String REASON = "vigil-dlt-reason";
  /** The field at fault for an invalid record. */
  public static final String FIELD = "vigil-dlt-field";
  /** What was wrong, in words (no payload). */
  public static final String DETAIL = "vigil-dlt-detail";
  /** The consumer group that gave up on it. */
  public static final String GROUP = "vigil-dlt-group";

  public static final String REASON_INVALID = "invalid_record";
  public static final String REASON_FAILED = "processing_failed";

  private static final int MAX_DETAIL = 500;

  private DeadLetterHeaders() {}

  /**
   * The reason headers for a record given up because of {@code error}: reason, field (for an
   * invalid record), detail and group. Every dead-lettering path writes them through here, so the
   * listener containers and the Streams handler cannot drift apart.
   */
  public static RecordHeaders reasons(String group, Throwable error) {
    RecordHeaders headers = new RecordHeaders();
    InvalidRecordException invalid = InvalidRecordException.in(error);
    headers.add(REASON, utf8(invalid != null ? REASON_INVALID : REASON_FAILED));
    if (invalid != null) {
      headers.add(FIELD, utf8(invalid.field()));
    }
    headers.add(DETAIL, utf8(detail(error)));
    headers.add(GROUP, utf8(group));
    return headers;
  }

  /**
   * What was wrong, in words and without payload: the invalid record's message, else the root
   * cause's type and message; at most 500 characters.
   */
  public static String detail(Throwable error) {
    InvalidRecordException invalid = InvalidRecordException.in(error);
    String text;
    if (invalid != null) {
      text = invalid.getMessage();
    } else {
      Throwable root = error;
      for (int depth = 0; depth < 32 && root.getCause() != null && root.getCause() != root; depth++) {
        root = root.getCause();
      }
      text = root.getClass().getSimpleName() + ": " + root.getMessage();
    }
    return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) : text;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
