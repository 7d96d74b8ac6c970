package io.vigil.notifier.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.Channel;
import io.vigil.notifier.pipeline.Notice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run's steps as the trail stores them in one column: read back as they were, cut where explain cuts. */
class TrailEncodingTest {

  @Test
  void stepsComeBackInOrderWithTheirAbsentFieldsAbsent() {
    List<Notice.Step> steps = List.of(
        new Notice.Step("intake", "PASSED", null, null, null, null, null, 1_000L),
        new Notice.Step("silence", "SILENCED", "silence", "silence s-1 \"night\" ✓", null, null, null, 1_001L),
        new Notice.Step("dispatch", "SENT", "fell_back", null, "user:alice", Channel.EMAIL, "n-1", 1_002L));
    String stored = TrailStore.encode(steps);
    assertThat(stored).as("absent fields take no room").doesNotContain("null");
    assertThat(TrailStore.decode(stored)).isEqualTo(steps);
  }

  @Test
  void reasonsAndDetailsAreCutToWhatExplainAnswers() {
    String longDetail = "d".repeat(5_000);
    String longReason = "r".repeat(500);
    List<Notice.Step> back = TrailStore.decode(TrailStore.encode(TrailStore.cutSteps(List.of(
        new Notice.Step("render", "NOTE", longReason, longDetail, null, null, null, 7L)))));
    assertThat(back.get(0).reason()).hasSize(128);
    assertThat(back.get(0).detail()).hasSize(1024);
    assertThat(back.get(0).atMs()).isEqualTo(7L);
  }
}
