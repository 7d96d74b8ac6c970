package io.vigil.detector.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ControlChange;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.detector.detect.DetectorParts;
import io.vigil.detector.detect.AlertEngine;
import io.vigil.detector.detect.Baselines;
import io.vigil.detector.detect.Backtester;
import io.vigil.detector.detect.Explainer;
import io.vigil.detector.detect.HttpPeers;
import io.vigil.common.services.ServiceClients;
import io.vigil.detector.policy.PolicyStore;
import io.vigil.detector.policy.PolicyTimer;
import io.vigil.detector.shard.PipelineProgress;
import io.vigil.detector.shard.PartitionOwners;
import io.vigil.detector.shard.ShardProperties;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The detector's wiring: the shard's policies (loaded from MySQL, kept current from {@code
 * control.changes}); the shard's rollups judged against them in batches; alert transitions out on
 * {@code alerts.events}; alert state in Redis.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ShardProperties.class)
class KafkaWiring {

  /**
   * A new (or expired) detector group starts this far back: recent windows are judged, days of old
   * rollups and events are not turned into alerts that page people now.
   */
  static final Duration NEW_GROUP_LOOK_BACK = Duration.ofMinutes(15);

  @Bean
  InitializingBean declareDetectorTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.ALERTS_EVENTS);
  }

  @Bean
  PipelineProgress pipelineProgress(ShardProperties shard) {
    return new PipelineProgress(shard.rollupTopic().partitions());
  }

  @Bean
  PolicyStore policyStore(ShardProperties shard, DataSource dataSource, MeterRegistry registry) {
    return new PolicyStore(shard.shard(), dataSource, shard.maxExpansion(), registry);
  }

  @Bean(destroyMethod = "close")
  PolicyTimer policyTimer(PolicyStore store, ShardProperties shard, DependencyMetrics dependencies,
      io.micrometer.core.instrument.MeterRegistry registry) {
    return new PolicyTimer(store, shard.changeFlushInterval(), shard.reconcileInterval(), dependencies, registry);
  }

  @Bean
  Baselines baselines(ServiceClients services, DependencyMetrics dependencies) {
    return new Baselines(services.client("storage"), dependencies);
  }

  /** Which instance of the shard holds each rollup partition, so explain can ask the holder. */
  @Bean(destroyMethod = "close")
  PartitionOwners partitionOwners(StringRedisTemplate redis, StoreNames names, ShardProperties shard,
      AlertEngine engine, DependencyMetrics dependencies, MeterRegistry registry) {
    PartitionOwners owners = new PartitionOwners(redis, names, shard.shard(), engine::heldRollupPartitions,
        dependencies, registry, Clock.systemUTC());
    engine.onHeldChanged(id -> owners.changed(id >= 0 ? id : -1 - id, id >= 0));
    return owners;
  }

  /** Once the web server listens, the instance's address is known and its partitions are written. */
  @Bean
  ApplicationListener<WebServerInitializedEvent> advertiseAddress(PartitionOwners owners, ShardProperties shard) {
    return event -> {
      if (event.getApplicationContext().getServerNamespace() != null) {
        return; // the management server, if it has a port of its own
      }
      String address = shard.advertisedAddress();
      if (address == null) {
        String host;
        try {
          host = java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.net.UnknownHostException e) {
          host = "127.0.0.1";
        }
        boolean tls = event.getApplicationContext().getEnvironment().getProperty("server.ssl.enabled", Boolean.class,
            false);
        address = (tls ? "https://" : "http://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
            + event.getWebServer().getPort();
      }
      org.slf4j.LoggerFactory.getLogger(KafkaWiring.class).info(
          "the other instances of shard {} ask this one about the series it holds at {}", shard.shard(), address);
      owners.serving(address);
    };
  }

  @Bean(destroyMethod = "close")
  HttpPeers explainPeers(VigilPublisher publisher, ShardProperties shard, DependencyMetrics dependencies,
      MeterRegistry registry) {
    return new HttpPeers(publisher, shard.rollupTopic(), dependencies, registry);
  }

  @Bean
  Explainer explainer(PolicyStore policies, AlertEngine engine, PartitionOwners owners, HttpPeers peers,
      MeterRegistry registry) {
    return new Explainer(policies, engine, owners, peers, registry);
  }

  @Bean
  Backtester backtester(PolicyStore policies, ServiceClients services, DependencyMetrics dependencies) {
    return new Backtester(policies, services.client("storage"), dependencies, Clock.systemUTC());
  }

  @Bean(destroyMethod = "close")
  AlertEngine alertEngine(PolicyStore policies, PipelineProgress progress, Baselines baselines,
      StringRedisTemplate redis, StoreNames names, VigilPublisher publisher, DependencyMetrics dependencies,
      MeterRegistry registry, org.springframework.beans.factory.ObjectProvider<AlertEngine.Hook> hook) {
    AlertEngine engine = DetectorParts.alertEngine(policies, progress, baselines, redis, names, publisher,
        Clock.systemUTC(), dependencies, registry);
    engine.hook(hook.getIfAvailable(() -> AlertEngine.NO_HOOK)); // the crash tests' stopping points
    return engine;
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, ShardProperties shard,
      AlertEngine detector) {
    // the group is named for the shard: replicas of one shard share its partitions, shards never mix
    return kit.consume(shard.rollupTopic(), "rollups-" + shard.shard(), StartAt.lookBack(NEW_GROUP_LOOK_BACK))
        .progress((topic, partition, offset, marker) -> detector.progressed(partition, marker))
        .hook(detector)
        .batches(detector);
  }

  /**
   * Product events: every shard reads them all (a group per shard; events are few beside rollups) and
   * judges those of its own policies' namespaces.
   */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> eventConsumer(ConsumerKit kit, ShardProperties shard,
      AlertEngine engine) {
    return kit.consume(Topics.EVENTS_RAW, "events-" + shard.shard(), StartAt.lookBack(NEW_GROUP_LOOK_BACK))
        .hook(engine.eventsHook())
        .batches(engine.events());
  }

  /**
   * Broadcast: every detector instance holds its shard's policies. The snapshot is the full load;
   * readiness waits for it, so a detector never judges rollups against a partial set.
   */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit, PolicyStore policies) {
    return kit.broadcast(Topics.CONTROL_CHANGES, "control-changes", BroadcastConsumer.From.SNAPSHOT,
        policies::loadAll, record -> {
          if (!record.tombstone()) {
            policies.apply(record.value());
          }
        });
  }
}
