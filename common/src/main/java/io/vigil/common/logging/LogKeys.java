package io.vigil.common.logging;

/**
 * The business keys every log line may carry (as MDC entries, so they come out as JSON fields).
 * One list, so "everything about alert X" or "why was this notification not sent" is one query.
 */
public final class LogKeys {

  public static final String CALLER = "caller";
  public static final String CALLEE = "callee";
  /** The caller's address as this service saw it (the seed's 主调地址ip). */
  public static final String CALLER_IP = "callerIp";
  /** This instance's address the call came in on (被调地址ip). */
  public static final String CALLEE_IP = "calleeIp";
  /** The deployment set this instance belongs to (set routing), from {@code vigil.set}; absent if none. */
  public static final String SET = "set";
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
  /** A control-plane object (any type): its id and type, e.g. {@code POLICY}. */
  public static final String OBJECT_ID = "objectId";
  public static final String OBJECT_TYPE = "objectType";
  public static final String CHANNEL = "channel";
  public static final String STAGE = "stage";
  public static final String STATUS = "status";
  public static final String TOPIC = "topic";
  public static final String TRACE_ID = "traceId";

  private LogKeys() {}
}
