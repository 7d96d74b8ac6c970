package io.vigil.common.control;

import java.util.List;
import java.util.Map;

/**
 * The watchdog: a signal that travels the whole alerting path (gateway, aggregator, detector,
 * notifier) every minute, so the people who run Vigil know the path itself is alive, and are told
 * when it stops.
 *
 * <p>The gateway pushes a heartbeat point for its region every few seconds into namespace
 * {@value #NAMESPACE}; policy-service keeps that namespace and the tenant {@value #TENANT}'s policy
 * {@value #POLICY_NAME}. The heartbeat's value is 1 in even minutes and 0 in odd ones, so each closed
 * minute is a transition (FIRING, then RESOLVED) that the detector publishes and the notifier
 * receives: an alert that stayed firing would travel the path once and prove nothing afterwards. The
 * notifier takes the watchdog's events aside (nobody is paged for them), records when the last one
 * arrived, and reports the watchdog silent when none has arrived for a while.
 *
 * <p>This class is the one statement of these objects and of the heartbeat's value, for every
 * service that takes part.
 */
public final class Watchdog {

  public static final String PRODUCT = "vigil";
  public static final String NAMESPACE = "vigil/watchdog";
  public static final String TENANT = "vigil";
  public static final String POLICY_NAME = "watchdog";
  public static final String METRIC = "heartbeat";
  /** The dimension that names the region whose path the heartbeat travels. */
  public static final String DIMENSION = "instance";
  /** The namespace's grace: the heartbeat is pushed from inside the platform, never late by much. */
  public static final long GRACE_MS = 5_000;
  public static final int PERIOD_SECONDS = 60;

  private Watchdog() {}

  /** The heartbeat's value at a time: 1 in even minutes, 0 in odd ones. */
  public static double heartbeat(long timestampMs) {
    return Math.floorDiv(timestampMs, 60_000L) % 2 == 0 ? 1 : 0;
  }

  /** The heartbeat series' dimensions for a region. */
  public static Map<String, String> dimensions(String region) {
    return Map.of(NamespaceConfig.DEFAULT_TENANT_DIMENSION, TENANT, DIMENSION, region);
  }

  /** Whether an alert event is the watchdog's (its namespace, its tenant). */
  public static boolean isWatchdog(String tenant, String namespace) {
    return TENANT.equals(tenant) && NAMESPACE.equals(namespace);
  }

  public static NamespaceConfig namespace() {
    return new NamespaceConfig(NAMESPACE, "The watchdog's heartbeat: proves the alerting path works end to end",
        null, List.of(DIMENSION), List.of(), List.of(new NamespaceConfig.Metric(METRIC, null,
            "1 in even minutes, 0 in odd ones")), List.of(PERIOD_SECONDS), GRACE_MS, null, List.of(), null, 1000,
        null);
  }

  public static AlertPolicy policy() {
    return new AlertPolicy(POLICY_NAME, NAMESPACE,
        List.of(new AlertPolicy.Condition(METRIC, PERIOD_SECONDS, AlertPolicy.Statistic.MAX, null, null,
            AlertPolicy.Operator.GT, 0.5, 1, 1, null, null)),
        null, List.of(), List.of(), AlertPolicy.Severity.INFO, Map.of("source", "watchdog"),
        new AlertPolicy.Annotations("Vigil's alerting path is alive",
            "Fires in even minutes and resolves in odd ones by design; the notifier keeps it from anyone's pager",
            null),
        null, null, true);
  }
}
