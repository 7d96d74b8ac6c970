package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionGateTest {

  @Test
  void onlyNewerVersionsPass() {
    VersionGate<String> gate = new VersionGate<>();
    assertThat(gate.admit("POLICY:1", 3)).isTrue();
    assertThat(gate.admit("POLICY:1", 3)).as("a redelivery").isFalse();
    assertThat(gate.admit("POLICY:1", 2)).as("stale").isFalse();
    assertThat(gate.admit("POLICY:2", 1)).as("another key").isTrue();
    assertThat(gate.admit("POLICY:1", 4)).isTrue();
    assertThat(gate.version("POLICY:1")).isEqualTo(4);
    assertThat(gate.version("nope")).isEqualTo(-1);
  }
}
