package io.vigil.detector.shard;

import io.vigil.common.kafka.Topic;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.Rollup;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The one shard this detector deployment serves ({@code vigil.detector.shard}, env {@code
 * VIGIL_DETECTOR_SHARD}): its rollups are read in the consumer group named for the shard. Checked at
 * start-up against the shard-name rule, so a typo is a failed start, not a detector that silently
 * waits on a topic that can never exist.
 */
@Validated
@ConfigurationProperties("vigil.detector")
public record ShardProperties(
    @DefaultValue("default") @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}",
        message = "a shard name is lower-case letters, digits and '-', at most 63") String shard) {

  public Topic<Rollup> rollupTopic() {
    return Topics.rollup(shard);
  }
}
