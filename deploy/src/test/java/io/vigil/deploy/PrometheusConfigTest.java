package io.vigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus configuration and rules pass promtool, the alert rules pass their unit tests (each
 * alert tested both firing and silent), and every service is scraped on its port.
 */
class PrometheusConfigTest {

  private static final String RULES = "deploy/prometheus/rules/vigil.yml";
  private static final String RULE_TESTS = "deploy/prometheus/tests/vigil-rules-test.yml";

  @Test
  void promtoolAcceptsTheConfigAndItsRules() throws IOException, InterruptedException {
    String out = promtool("check", "config", "prometheus/prometheus.yml");
    assertThat(out).contains("SUCCESS").contains("rules found");
  }

  @Test
  void theAlertRulesPassTheirUnitTests() throws IOException, InterruptedException {
    String out = promtool("test", "rules", "prometheus/tests/vigil-rules-test.yml");
    assertThat(out).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void everyAlertIsTestedFiringAndSilent() {
    Set<String> alerts = new TreeSet<>();
    for (Map<String, Object> group : list(yaml(RULES).get("groups"))) {
      for (Map<String, Object> rule : list(group.get("rules"))) {
        if (rule.get("alert") instanceof String name) {
          alerts.add(name);
        }
      }
    }
    Set<String> firing = new TreeSet<>();
    Set<String> silent = new TreeSet<>();
    for (Map<String, Object> test : list(yaml(RULE_TESTS).get("tests"))) {
      for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
        String name = (String) check.get("alertname");
        (list(check.get("exp_alerts")).isEmpty() ? silent : firing).add(name);
      }
    }
    assertThat(alerts).as("alert rules in %s", RULES).isNotEmpty();
    assertThat(firing).as("alerts with a case where they fire").containsAll(alerts);
    assertThat(silent).as("alerts with a case where they stay silent").containsAll(alerts);
    assertThat(alerts).as("every tested alert exists").containsAll(firing).containsAll(silent);
  }

  /** Runs promtool from deploy/ and returns its output, failing unless it exits with 0. */
  private static String promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).directory(Repo.ROOT.resolve("deploy").toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("promtool is missing: install the OS package 'prometheus' (bin/test does, as root)", e);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool %s finishes", String.join(" ", args)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static Map<String, Object> yaml(String relative) {
    return new Yaml().load(Repo.read(relative));
  }

  /** A YAML sequence of mappings; absent or null is empty. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object node) {
    return node == null ? List.of() : (List<Map<String, Object>>) node;
  }

  @Test
  void everyServiceIsScrapedOnItsActuatorEndpoint() {
    String config = Repo.read("deploy/prometheus/prometheus.yml");
    assertThat(config).contains("metrics_path: /actuator/prometheus");
    Repo.SERVICES.forEach((name, port) -> assertThat(config).contains("[" + name + ":" + port + "]"));
  }
}
