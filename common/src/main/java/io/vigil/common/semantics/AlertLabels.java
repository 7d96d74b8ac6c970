package io.vigil.common.semantics;

import io.vigil.common.model.AlertEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The labels of an alert that silences, inhibition rules and their previews match against: the
 * series' dimensions, then the policy's labels, then the alert's own fields under fixed names, which
 * win over a dimension or label of the same name (a silence on {@code severity} means the alert's
 * severity, whatever a product calls its dimensions). The policy API's silence preview and the
 * notifier's silence stage build them here, so both see the same map.
 */
public final class AlertLabels {

  public static final String POLICY_ID = "policyId";
  public static final String NAMESPACE = "namespace";
  public static final String REGION = "region";
  public static final String METRIC = "metric";
  public static final String SEVERITY = "severity";
  public static final String OBJECT_ID = "objectId";

  private AlertLabels() {}

  /**
   * @param policyLabels the policy's labels (e.g. {@code team=compute}); may be null
   * @return a new map the caller owns
   */
  public static Map<String, String> of(AlertEvent event, Map<String, String> policyLabels) {
    return of(event.dimensions(), policyLabels, event.policyId(), event.namespace(), event.region(),
        event.severity().name(), event.metric(), event.objectId());
  }

  /**
   * The same from an alert's fields as stored elsewhere (storage's alert documents, which the console
   * reads); {@code metric} and {@code objectId} may be null.
   */
  public static Map<String, String> of(Map<String, String> dimensions, Map<String, String> policyLabels,
      String policyId, String namespace, String region, String severity, String metric, String objectId) {
    Map<String, String> labels = new HashMap<>(dimensions.size() + 8);
    labels.putAll(dimensions);
    if (policyLabels != null) {
      labels.putAll(policyLabels);
    }
    labels.put(POLICY_ID, policyId);
    labels.put(NAMESPACE, namespace);
    labels.put(REGION, region);
    labels.put(SEVERITY, severity);
    if (metric != null) {
      labels.put(METRIC, metric);
    }
    if (objectId != null) {
      labels.put(OBJECT_ID, objectId);
    }
    return labels;
  }
}
