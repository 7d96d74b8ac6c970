package io.vigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of docker-compose.yml without a Docker engine: every server and service is
 * there, the services get the same VIGIL_* variables they read under the local platform (and no
 * variable they would ignore), ports and jars match the modules.
 */
class ComposeTest {

  private static final Set<String> CONNECTION_VARIABLES = Set.of("VIGIL_KAFKA_BOOTSTRAP", "VIGIL_ES_URL",
      "VIGIL_MYSQL_HOST", "VIGIL_MYSQL_PORT", "VIGIL_MYSQL_USER", "VIGIL_MYSQL_PASSWORD", "VIGIL_REDIS_HOST",
      "VIGIL_REDIS_PORT", "VIGIL_REDIS_PASSWORD", "VIGIL_REGION");

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(100);
    Map<String, Object> compose = new Yaml(options).load(Repo.read("docker-compose.yml"));
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  @Test
  void everyServerAndServiceIsDeclared() {
    Map<String, Map<String, Object>> services = services();
    assertThat(services).containsKeys("kafka", "mysql", "redis", "elasticsearch", "prometheus", "grafana");
    assertThat(services).containsKeys(Repo.SERVICES.keySet().toArray(String[]::new));
    assertThat((String) services.get("kafka").get("image")).startsWith("apache/kafka:");
    assertThat((String) services.get("mysql").get("image")).startsWith("mysql:8");
    assertThat((String) services.get("redis").get("image")).startsWith("redis:7");
    assertThat((String) services.get("elasticsearch").get("image")).contains("elasticsearch:9.");
  }

  @Test
  @SuppressWarnings("unchecked")
  void servicesGetExactlyTheVariablesTheyRead() {
    Set<String> read = Repo.variablesTheServicesRead();
    assertThat(read).containsAll(CONNECTION_VARIABLES);
    for (var entry : Repo.SERVICES.entrySet()) {
      Map<String, Object> service = services().get(entry.getKey());
      Map<String, Object> env = (Map<String, Object>) service.get("environment");
      assertThat(env.keySet()).as(entry.getKey()).containsAll(CONNECTION_VARIABLES);
      for (String name : env.keySet()) {
        if (name.startsWith("VIGIL_")) {
          assertThat(read).as("%s sets %s, which no service reads", entry.getKey(), name).contains(name);
        }
      }
      String port = String.valueOf(entry.getValue());
      assertThat(env.get("VIGIL_" + entry.getKey().toUpperCase() + "_PORT")).isEqualTo(port);
      assertThat((List<String>) service.get("ports")).containsExactly(port + ":" + port);
      assertThat((List<String>) service.get("volumes")).anyMatch(v ->
          v.startsWith("./" + entry.getKey() + "-service/target/" + entry.getKey() + "-service-") && v.endsWith(":/app/app.jar:ro"));
      List<String> command = (List<String>) service.get("command");
      assertThat(command).anyMatch(arg -> arg.startsWith("-Xmx"));
    }
  }

  /**
   * Where each stateful container keeps its data (the image's documented path, or the variable that
   * sets it): that path must be a named volume, or a restart of the container loses the data.
   */
  @Test
  @SuppressWarnings("unchecked")
  void everyStatefulServiceKeepsItsDataOnAVolume() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(100);
    Map<String, Object> compose = new Yaml(options).load(Repo.read("docker-compose.yml"));
    Set<String> namedVolumes = ((Map<String, Object>) compose.get("volumes")).keySet();
    Map<String, Map<String, Object>> services = services();
    Map<String, Object> kafkaEnv = (Map<String, Object>) services.get("kafka").get("environment");
    Map<String, Object> aggregatorEnv = (Map<String, Object>) services.get("aggregator").get("environment");
    assertThat(kafkaEnv).as("Kafka's log directory is set, not the image's default under /tmp").containsKey("KAFKA_LOG_DIRS");
    assertThat(aggregatorEnv).containsKey("VIGIL_STREAMS_STATE_DIR");
    Map<String, String> dataPaths = Map.of(
        "kafka", String.valueOf(kafkaEnv.get("KAFKA_LOG_DIRS")),
        "mysql", "/var/lib/mysql",
        "redis", "/data",
        "elasticsearch", "/usr/share/elasticsearch/data",
        "prometheus", "/prometheus",
        "grafana", "/var/lib/grafana",
        "aggregator", String.valueOf(aggregatorEnv.get("VIGIL_STREAMS_STATE_DIR")));
    dataPaths.forEach((service, path) -> {
      List<String> volumes = (List<String>) services.get(service).get("volumes");
      assertThat(volumes).as("%s keeps %s on a named volume", service, path).anyMatch(v -> {
        String[] parts = v.split(":");
        return parts.length >= 2 && namedVolumes.contains(parts[0])
            && (path.equals(parts[1]) || path.startsWith(parts[1] + "/"));
      });
    });
  }

  /**
   * The demo profile runs the same single-source tools as {@code bin/vigil demo}, from files that
   * exist, on a JDK image (the source launcher needs the compiler), and only under the profile; its
   * fleet talks to the services by their compose names and the notifier relays to its SMTP sink.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theDemoProfileRunsTheLocalDemosToolsAgainstTheServices() {
    Map<String, Map<String, Object>> services = services();
    Map<String, String> tools = Map.of("demo", "Demo.java", "demo-sink", "WebhookSink.java", "demo-smtp",
        "SmtpSink.java");
    tools.forEach((name, source) -> {
      Map<String, Object> service = services.get(name);
      assertThat(service).as(name).isNotNull();
      assertThat((List<String>) service.get("profiles")).as(name).containsExactly("demo");
      assertThat((String) service.get("image")).as(name).startsWith("eclipse-temurin:17-jdk");
      assertThat((List<String>) service.get("command")).as(name).contains("/tools/" + source);
      assertThat(Repo.ROOT.resolve("deploy/local/" + source)).exists();
      assertThat((List<String>) service.get("volumes")).as(name).contains("./deploy/local:/tools:ro");
    });
    Map<String, Object> fleet = (Map<String, Object>) services.get("demo").get("environment");
    assertThat(fleet).containsEntry("POLICY", "http://policy:8086").containsEntry("GATEWAY", "http://gateway:8081")
        .containsEntry("DEMO_SINK_URL", "http://demo-sink:9099/hook");
    assertThat(Repo.read("deploy/local/Demo.java")).contains("DEMO_SINK_URL", "DEMO_ADMIN_KEY_FILE", "POLICY",
        "GATEWAY");
    Map<String, Object> notifier = (Map<String, Object>) services.get("notifier").get("environment");
    assertThat(String.valueOf(notifier.get("SPRING_MAIL_HOST"))).contains("demo-smtp");
    services.forEach((name, service) -> {
      if (!tools.containsKey(name)) {
        assertThat(service.get("profiles")).as("%s runs without a profile", name).isNull();
      }
    });
  }

  @Test
  void theLocalPlatformStartsTheSameServicesOnTheSamePorts() {
    String script = Repo.read("bin/vigil");
    for (var entry : Repo.SERVICES.entrySet()) {
      assertThat(script).contains(entry.getKey() + ":" + entry.getValue());
    }
  }
}
