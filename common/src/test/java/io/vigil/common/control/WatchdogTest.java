package io.vigil.common.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.error.Violations;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WatchdogTest {

  @Test
  void theHeartbeatAlternatesByMinuteSoEveryClosedMinuteIsATransition() {
    long even = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();
    assertThat(Watchdog.heartbeat(even)).isEqualTo(1);
    assertThat(Watchdog.heartbeat(even + 59_999)).isEqualTo(1);
    assertThat(Watchdog.heartbeat(even + 60_000)).isEqualTo(0);
    assertThat(Watchdog.heartbeat(even + 119_999)).isEqualTo(0);
    assertThat(Watchdog.heartbeat(even + 120_000)).isEqualTo(1);
    // the policy's threshold lies between the two values
    double threshold = Watchdog.policy().conditions().get(0).threshold();
    assertThat(threshold).isBetween(0.0, 1.0).isNotIn(0.0, 1.0);
  }

  @Test
  void itsNamespaceAndPolicyPassTheValidationEveryObjectPasses() {
    NamespaceConfig ns = Watchdog.namespace().withDefaults();
    Violations v = new Violations();
    ns.validate(v);
    Watchdog.policy().withDefaults().validate(v, ns);
    assertThat(v.list()).isEmpty();
    assertThat(ns.dimensions()).contains("appid", Watchdog.DIMENSION);
    assertThat(Watchdog.dimensions("eu-1")).containsEntry("appid", Watchdog.TENANT).containsEntry("instance", "eu-1");
  }

  @Test
  void onlyTheWatchdogTenantsNamespaceIsTheWatchdog() {
    assertThat(Watchdog.isWatchdog("vigil", "vigil/watchdog")).isTrue();
    assertThat(Watchdog.isWatchdog("acme", "vigil/watchdog")).isFalse();
    assertThat(Watchdog.isWatchdog("vigil", "vigil/other")).isFalse();
  }
}
