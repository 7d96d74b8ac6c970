package io.vigil.storage.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vigil.storage.query.*}: {@code max-buckets}, the most buckets one search of a series query
 * asks Elasticsearch for (series are searched in groups under it; it must stay below the cluster's
 * {@code search.max_buckets}, 65,536 unless changed), and {@code identities}, how many series
 * identities the query path remembers (about 300 bytes each).
 */
@ConfigurationProperties("vigil.storage.query")
public record QueryProperties(@DefaultValue("50000") int maxBuckets, @DefaultValue("100000") int identities) {

  public QueryProperties {
    if (maxBuckets < 2 || maxBuckets > 65_536) {
      throw new IllegalArgumentException("vigil.storage.query.max-buckets must be 2..65536: " + maxBuckets);
    }
    if (identities < 1) {
      throw new IllegalArgumentException("vigil.storage.query.identities must be at least 1: " + identities);
    }
  }
}
