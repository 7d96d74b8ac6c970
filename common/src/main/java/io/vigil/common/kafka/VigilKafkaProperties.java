package io.vigil.common.kafka;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a service uses Kafka through the common kit.
 *
 * @param topicPrefix prepended to every topic and consumer-group name; tests use their own so runs
 *     never see each other's records
 * @param groupSuffix appended to consumer-group names; empty in a deployment, set per Spring context
 *     by the test support so cached test contexts never share a group by accident
 * @param shards the detection shards of this deployment (one rollup topic each)
 * @param replicationFactor replication of the topics this service creates
 * @param provisionTopics create the declared topics at start-up
 * @param retries how many times a failed record is retried before it is dead-lettered
 * @param retryBackoff the pause between those retries, and the first pause while a dependency is
 *     unavailable
 * @param dependencyBackoffMax the longest pause between attempts while a dependency is unavailable
 *     (the pause doubles from {@code retryBackoff} up to this; attempts never stop)
 * @param handlerTimeout how long the kit waits for an asynchronous handler's result (a publish)
 *     before it counts the attempt as an unavailable dependency
 * @param drainTimeout how long a key-ordered consumer waits for the records in hand when it loses
 *     partitions or stops
 * @param concurrency consumer threads per container (at most the partition count is useful)
 * @param patternRefresh how soon a consumer of every shard notices a shard topic created at run time
 * @param healthTimeout how long the readiness check waits for the cluster to answer
 */
@Validated
@ConfigurationProperties("vigil.kafka")
public record VigilKafkaProperties(
    @DefaultValue("vigil.") @Pattern(regexp = "[a-zA-Z0-9._-]*") String topicPrefix,
    @DefaultValue("") @Pattern(regexp = "[a-zA-Z0-9._-]*") String groupSuffix,
    @DefaultValue("default") @NotEmpty List<String> shards,
    @DefaultValue("1") @Min(1) short replicationFactor,
    @DefaultValue("true") boolean provisionTopics,
    @DefaultValue("2") @Min(0) int retries,
    @DefaultValue("500ms") Duration retryBackoff,
    @DefaultValue("30s") Duration dependencyBackoffMax,
    @DefaultValue("10s") Duration handlerTimeout,
    @DefaultValue("20s") Duration drainTimeout,
    @DefaultValue("2") @Min(1) int concurrency,
    @DefaultValue("30s") Duration patternRefresh,
    @DefaultValue("3s") Duration healthTimeout) {

  public VigilKafkaProperties {
    shards = List.copyOf(shards);
    shards.forEach(Topics::rollup); // rejects a bad shard name at start-up
  }
}
