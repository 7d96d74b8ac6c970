package io.vigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every metric a Grafana dashboard or a Prometheus rule queries is actually served by some service.
 * The services' integration tests leave what they serve in {@code <module>/target/served-metrics.txt},
 * and the e2e tests what the whole platform served after their traffic in
 * {@code e2e/target/served-metrics.txt} (the reactor builds this module after both), so this runs
 * after them in {@code bin/test}.
 */
class DashboardMetricsIT {

  /** Prefixes of the families we query; PromQL functions and labels never start with these. */
  private static final Pattern METRIC = Pattern.compile(
      "\\b((?:vigil|http|jvm|process|executor|kafka|hikaricp|lettuce|tomcat|system|logback)_[a-zA-Z0-9_]+)\\b");

  @Test
  void everyQueriedMetricIsServed() throws IOException {
    Set<String> served = new TreeSet<>();
    for (String service : Repo.SERVICES.keySet()) {
      Path file = Repo.ROOT.resolve(service + "-service/target/served-metrics.txt");
      assertThat(file).as("%s: run the services' integration tests first (bin/test)", file).exists();
      served.addAll(Files.readAllLines(file));
    }
    // the whole platform after the end-to-end tests' traffic: families that appear only once something
    // happens (a point refused, a degraded path) are served there
    Path platform = Repo.ROOT.resolve("e2e/target/served-metrics.txt");
    assertThat(platform).as("%s: run the e2e tests first (bin/test)", platform).exists();
    served.addAll(Files.readAllLines(platform));
    Set<String> queried = new TreeSet<>();
    try (Stream<Path> dashboards = Files.list(Repo.ROOT.resolve("deploy/grafana/dashboards"))) {
      for (Path dashboard : dashboards.filter(p -> p.toString().endsWith(".json")).toList()) {
        collect(JsonMapper.builder().build().readTree(dashboard.toFile()), queried);
      }
    }
    Matcher rules = METRIC.matcher(Repo.read("deploy/prometheus/rules/vigil.yml"));
    while (rules.find()) {
      queried.add(rules.group(1));
    }
    assertThat(queried).contains("vigil_kafka_consume_delay_seconds_bucket", "http_server_requests_seconds_count",
        "vigil_executor_queue_remaining", "vigil_dependency_failures_total",
        // from the overview dashboard and the rules on the data path
        "vigil_points_late_total", "vigil_dispatch_seconds_count", "vigil_notify_pipeline_total");
    assertThat(served).containsAll(queried);
  }

  private static void collect(JsonNode node, Set<String> into) {
    if (node.isObject()) {
      JsonNode expr = node.get("expr");
      if (expr != null && expr.isString()) {
        Matcher m = METRIC.matcher(expr.asString());
        while (m.find()) {
          into.add(m.group(1));
        }
      }
      node.values().forEach(child -> collect(child, into));
    } else if (node.isArray()) {
      node.values().forEach(child -> collect(child, into));
    }
  }

  @Test
  void dashboardsAreTemplatedByApplicationAndRegion() throws IOException {
    JsonNode dashboard = JsonMapper.builder().build()
        .readTree(Repo.ROOT.resolve("deploy/grafana/dashboards/vigil-service.json").toFile());
    List<String> variables = dashboard.path("templating").path("list").valueStream()
        .map(v -> v.path("name").asString()).toList();
    assertThat(variables).contains("application", "region", "datasource");
    assertThat(dashboard.path("uid").asString()).isEqualTo("vigil-service");
  }

  @Test
  void theOverviewIsTemplatedByRegionAndEveryQueryFiltersByIt() throws IOException {
    JsonNode dashboard = JsonMapper.builder().build()
        .readTree(Repo.ROOT.resolve("deploy/grafana/dashboards/vigil-overview.json").toFile());
    assertThat(dashboard.path("uid").asString()).isEqualTo("vigil-overview");
    List<String> variables = dashboard.path("templating").path("list").valueStream()
        .map(v -> v.path("name").asString()).toList();
    assertThat(variables).contains("datasource", "region");
    List<String> queries = dashboard.path("panels").valueStream()
        .flatMap(panel -> panel.path("targets").valueStream()).map(t -> t.path("expr").asString()).toList();
    assertThat(queries).isNotEmpty().allSatisfy(q -> assertThat(q).contains("region=~\"$region\""));
    assertThat(dashboard.path("panels").valueStream().filter(p -> !"row".equals(p.path("type").asString())))
        .allSatisfy(p -> assertThat(p.path("datasource").path("uid").asString()).isEqualTo("${datasource}"));
  }
}
