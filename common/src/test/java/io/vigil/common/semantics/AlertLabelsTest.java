package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.series.AlertIds;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertLabelsTest {

  static AlertEvent event(Map<String, String> dims, String objectId, long seriesId) {
    String key = objectId == null ? "p1:s:000000000000002a" : "p1:o:" + objectId;
    return new AlertEvent(1, AlertIds.eventId(key, 1), key, "p1", 1, "t1", "acme/vm", "ap-guangzhou",
        objectId == null ? "cpu_usage" : null, seriesId, objectId, dims, AlertEvent.AlertStatus.FIRING,
        AlertEvent.Severity.CRITICAL, 1, null, null, null, 0, 1_700_000_000_000L, 0, 0, "default", null);
  }

  @Test
  void dimensionsThenPolicyLabelsThenTheAlertsOwnFieldsWhichWin() {
    Map<String, String> labels = AlertLabels.of(event(Map.of("instance", "ins-1", "severity", "low", "team", "dim"),
        null, 42), Map.of("team", "compute", "region", "label"));
    assertThat(labels).containsEntry("instance", "ins-1")
        .containsEntry("team", "compute")
        .containsEntry("severity", "CRITICAL")
        .containsEntry("region", "ap-guangzhou")
        .containsEntry("policyId", "p1")
        .containsEntry("namespace", "acme/vm")
        .containsEntry("metric", "cpu_usage")
        .doesNotContainKey("objectId");
  }

  @Test
  void anEventAlertCarriesItsObjectAndNoMetric() {
    Map<String, String> labels = AlertLabels.of(event(Map.of(), "disk-7", 0), null);
    assertThat(labels).containsEntry("objectId", "disk-7").doesNotContainKey("metric");
  }
}
