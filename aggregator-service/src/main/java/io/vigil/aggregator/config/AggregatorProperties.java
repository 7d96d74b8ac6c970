package io.vigil.aggregator.config;

import io.vigil.aggregator.rollup.RollupSettings;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vigil.aggregator.*}: how windows close and where the state lives; checked at start by
 * {@link RollupSettings} (a bad value stops the service with the property named).
 */
@ConfigurationProperties("vigil.aggregator")
record AggregatorProperties(
    @DefaultValue("30s") Duration defaultGrace,
    @DefaultValue("3s") Duration idleAfter,
    @DefaultValue("26h") Duration forgetAfter,
    @DefaultValue("250ms") Duration tick,
    @DefaultValue("1s") Duration progressInterval,
    @DefaultValue({"60", "300", "900", "3600", "86400"}) List<Integer> defaultPeriods,
    @DefaultValue("memory") StoreType store,
    @DefaultValue("0") long storeCacheBytes,
    @DefaultValue("30s") Duration shardRefresh,
    @DefaultValue("true") boolean foldFromMinutes,
    @DefaultValue("10s") Duration liveLag,
    @DefaultValue("1s") Duration liveCommitInterval) {

  enum StoreType { MEMORY, ROCKSDB }

  RollupSettings settings() {
    return new RollupSettings(defaultGrace, idleAfter, forgetAfter, tick, progressInterval, defaultPeriods,
        store == StoreType.ROCKSDB, storeCacheBytes, foldFromMinutes, liveLag, liveCommitInterval);
  }
}
