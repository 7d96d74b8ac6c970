package io.vigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Prometheus configuration and rules pass promtool, and every service is scraped on its port. */
class PrometheusConfigTest {

  @Test
  void promtoolAcceptsTheConfigAndItsRules() throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("promtool", "check", "config", "prometheus/prometheus.yml")
          .directory(Repo.ROOT.resolve("deploy").toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("promtool is missing: install the OS package 'prometheus' (bin/test does, as root)", e);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS").contains("rules found");
  }

  @Test
  void everyServiceIsScrapedOnItsActuatorEndpoint() {
    String config = Repo.read("deploy/prometheus/prometheus.yml");
    assertThat(config).contains("metrics_path: /actuator/prometheus");
    Repo.SERVICES.forEach((name, port) -> assertThat(config).contains("[" + name + ":" + port + "]"));
  }
}
