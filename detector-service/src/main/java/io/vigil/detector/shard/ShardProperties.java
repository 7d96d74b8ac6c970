package io.vigil.detector.shard;

import io.vigil.common.kafka.Topic;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.Rollup;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The one shard this detector deployment serves ({@code vigil.detector.shard}, env {@code
 * VIGIL_DETECTOR_SHARD}): its rollups are read in the consumer group named for the shard. Checked at
 * start-up against the shard-name rule, so a typo is a failed start, not a detector that silently
 * waits on a topic that can never exist.
 *
 * @param reconcileInterval how often the policies held are compared with MySQL and repaired
 * @param changeFlushInterval how long policy changes gather before the index is built again with
 *     all of them (a burst builds it once)
 * @param maxExpansion the exact-filter combinations one policy may expand to in the index before it
 *     is indexed under fewer fields
 * @param advertisedAddress how the other instances of the shard reach this one ({@code
 *     http://host:port}), for explain's questions about series held elsewhere; unset, this host's
 *     address and the port the service listens on (a pod's IP in Kubernetes)
 */
@Validated
@ConfigurationProperties("vigil.detector")
public record ShardProperties(
    @DefaultValue("default") @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}",
        message = "a shard name is lower-case letters, digits and '-', at most 63") String shard,
    @DefaultValue("10m") Duration reconcileInterval,
    @DefaultValue("100ms") Duration changeFlushInterval,
    @DefaultValue("4096") @Min(1) @Max(1_000_000) int maxExpansion,
    @Pattern(regexp = "https?://[^\\s/?#@]+", message = "is http(s)://host:port, nothing after") String advertisedAddress) {

  public ShardProperties {
    if (reconcileInterval.isNegative() || reconcileInterval.isZero()) {
      throw new IllegalArgumentException("vigil.detector.reconcile-interval must be positive");
    }
    if (changeFlushInterval.isNegative() || changeFlushInterval.isZero()) {
      throw new IllegalArgumentException("vigil.detector.change-flush-interval must be positive");
    }
  }

  public Topic<Rollup> rollupTopic() {
    return Topics.rollup(shard);
  }
}
