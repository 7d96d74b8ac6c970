package io.vigil.common.testing.containers;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The run's containers as Spring Boot service connections, in every test context (added by
 * {@link VigilContainersContextCustomizerFactory}): Kafka, Redis and Elasticsearch connection details
 * come from the containers themselves. MySQL is left to the properties on purpose: each service
 * under test gets a database of its own per run, which one container JDBC URL would override.
 */
@TestConfiguration(proxyBeanMethods = false)
public class VigilServiceConnections {

  @Bean
  @ServiceConnection
  KafkaContainer vigilKafkaContainer() {
    VigilContainers.start();
    return VigilContainers.KAFKA;
  }

  @Bean
  @ServiceConnection(name = "redis")
  GenericContainer<?> vigilRedisContainer() {
    VigilContainers.start();
    return VigilContainers.REDIS;
  }

  @Bean
  @ServiceConnection
  ElasticsearchContainer vigilElasticsearchContainer() {
    VigilContainers.start();
    return VigilContainers.ELASTICSEARCH;
  }
}
