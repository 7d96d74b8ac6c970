package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void everyTopicHasItsDeadLetterTopicAndChangeTopicsAreCompacted() {
    List<Topic<?>> all = Topics.all(List.of("default", "big-product"));
    List<String> names = all.stream().map(Topic::base).toList();
    assertThat(names).contains("metrics.raw", "metrics.raw.dlt", "metrics.rollup.default", "metrics.rollup.big-product",
        "metrics.rollup.big-product.dlt", "alerts.events.dlt", "control.changes", "cmdb.changes.dlt");
    assertThat(names).doesNotHaveDuplicates();
    assertThat(Topics.CONTROL_CHANGES.compacted()).isTrue();
    assertThat(Topics.CMDB_CHANGES.compacted()).isTrue();
    assertThat(Topics.CONTROL_CHANGES.deadLetter().compacted()).isFalse();
    assertThat(Topics.METRICS_RAW.compacted()).isFalse();
  }

  @Test
  void namingAppliesTheDeploymentPrefix() {
    KafkaNaming naming = new KafkaNaming("vigil.", "detector");
    assertThat(naming.topic(Topics.rollup("default"))).isEqualTo("vigil.metrics.rollup.default");
    assertThat(naming.group("rollups")).isEqualTo("vigil.detector.rollups");
    assertThat(naming.deadLetter("vigil.metrics.raw")).isEqualTo("vigil.metrics.raw.dlt");
    assertThat(naming.base("vigil.alerts.events")).isEqualTo("alerts.events");
  }

  @Test
  void shardNamesAreBounded() {
    assertThatThrownBy(() -> Topics.rollup("Big Product")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.rollup("")).isInstanceOf(IllegalArgumentException.class);
  }
}
