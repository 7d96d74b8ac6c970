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
    assertThatThrownBy(() -> Topics.rollup("a.dlt")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.rollup("a".repeat(64))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thePatternOfEveryShardMatchesShardTopicsOnly() {
    var pattern = Topics.allRollups("vigil.");
    assertThat(pattern.matcher("vigil.metrics.rollup.default").matches()).isTrue();
    assertThat(pattern.matcher("vigil.metrics.rollup.big-product").matches()).isTrue();
    assertThat(pattern.matcher("vigil.metrics.rollup.default.dlt").matches()).isFalse();
    assertThat(pattern.matcher("vigil.metrics.late").matches()).isFalse();
    assertThat(pattern.matcher("other.metrics.rollup.default").matches()).isFalse();
    assertThat(Topics.allRollups("t1.vigil.").matcher("t1xvigil.metrics.rollup.a").matches())
        .as("the prefix is literal").isFalse();
    assertThat(Topics.shardOf("metrics.rollup.big-product")).isEqualTo("big-product");
    assertThat(Topics.shardOf("metrics.rollup.x.dlt")).isNull();
    assertThat(Topics.shardOf("metrics.raw")).isNull();
  }

  @Test
  void messagesCarryValidShardNamesOrTheDefault() {
    var point = new io.vigil.common.model.MetricPoint(1, 1L, "ns", "local", "m", null, 1_764_000_000_000L, 1.0,
        null, null, 0, null, 0, null);
    assertThat(point.shard()).isEqualTo("default");
    assertThatThrownBy(() -> new io.vigil.common.model.MetricPoint(1, 1L, "ns", "local", "m", null,
        1_764_000_000_000L, 1.0, null, "Big.Product", 0, null, 0, null))
        .isInstanceOf(io.vigil.common.model.InvalidRecordException.class)
        .extracting(e -> ((io.vigil.common.model.InvalidRecordException) e).field()).isEqualTo("shard");
  }
}
