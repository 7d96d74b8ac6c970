package io.vigil.common.logging;

/**
 * The business keys every log line may carry (as MDC entries, so they come out as JSON fields).
 * One list, so "everything about alert X" or "why was this notification not sent" is one query.
 */
public final class LogKeys {

  public static final String CALLER = "caller";
  public static final String CALLEE = "callee";
  /** The called method: the controller method of a request ({@code Class.method}). */
  public static final String METHOD = "method";
  public static final String REGION = "region";
  public static final String TENANT = "tenant";
  public static final String NAMESPACE = "namespace";
  public static final String POLICY_ID = "policyId";
  public static final String ALERT_KEY = "alertKey";
  public static final String EVENT_ID = "eventId";
  public static final String NOTIFICATION_ID = "notificationId";
  public static final String SILENCE_ID = "silenceId";
  public static final String CHANNEL = "channel";
  public static final String STAGE = "stage";
  public static final String STATUS = "status";
  public static final String TOPIC = "topic";
  public static final String TRACE_ID = "traceId";

  private LogKeys() {}
}
