package io.vigil.common.kafka;

import io.vigil.common.observability.DependencyMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Readiness of the Kafka cluster: UP when it answers a describe-cluster within the timeout and has
 * at least one broker. Spring Boot ships no Kafka indicator.
 */
public class KafkaHealthIndicator extends AbstractHealthIndicator implements DisposableBean {

  private final Map<String, Object> adminConfig;
  private final Duration timeout;
  private final DependencyMetrics dependencies;
  private volatile AdminClient admin;

  public KafkaHealthIndicator(Map<String, Object> adminConfig, Duration timeout, DependencyMetrics dependencies) {
    super("Kafka health check failed");
    this.adminConfig = Map.copyOf(adminConfig);
    this.timeout = timeout;
    this.dependencies = dependencies;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    try {
      DescribeClusterResult cluster =
          admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
      String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      int brokers = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
      if (brokers == 0) {
        builder.down().withDetail("error", "no brokers");
      } else {
        builder.up().withDetail("clusterId", clusterId).withDetail("brokers", brokers);
      }
    } catch (Exception e) {
      dependencies.failure("kafka");
      throw e;
    }
  }

  private AdminClient admin() {
    AdminClient a = admin;
    if (a == null) {
      synchronized (this) {
        if (admin == null) {
          Map<String, Object> config = new java.util.HashMap<>(adminConfig);
          config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
          config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
          config.put(AdminClientConfig.CLIENT_ID_CONFIG, "vigil-health");
          admin = AdminClient.create(config);
        }
        a = admin;
      }
    }
    return a;
  }

  @Override
  public void destroy() {
    AdminClient a = admin;
    if (a != null) {
      a.close(Duration.ofSeconds(2));
    }
  }
}
