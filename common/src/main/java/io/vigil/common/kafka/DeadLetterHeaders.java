package io.vigil.common.kafka;

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

  private DeadLetterHeaders() {}
}
