package io.vigil.storage.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vigil.storage.query.*}: {@code max-buckets}, the most buckets one search of a series query
 * asks Elasticsearch for (series are searched in groups under it; it must stay below the cluster's
 * {@code search.max_buckets}, 65,536 unless changed), {@code identities}, how many series
 * identities the query path remembers (about 300 bytes each), and {@code max-total-points}, the most
 * points (series x steps) one series query may read: each costs Elasticsearch a bucket and the
 * service about 100 bytes while it answers, so 1,000 series x 11,000 points (both within their own
 * bounds) would take a gigabyte. A query over it is refused (400) before Elasticsearch is asked.
 */
@ConfigurationProperties("vigil.storage.query")
public record QueryProperties(@DefaultValue("50000") int maxBuckets, @DefaultValue("100000") int identities,
    @DefaultValue("1500000") long maxTotalPoints) {

  public QueryProperties {
    if (maxBuckets < 2 || maxBuckets > 65_536) {
      throw new IllegalArgumentException("vigil.storage.query.max-buckets must be 2..65536: " + maxBuckets);
    }
    if (identities < 1) {
      throw new IllegalArgumentException("vigil.storage.query.identities must be at least 1: " + identities);
    }
    if (maxTotalPoints < 1_000 || maxTotalPoints > 100_000_000) {
      throw new IllegalArgumentException("vigil.storage.query.max-total-points must be 1000..100000000: "
          + maxTotalPoints);
    }
  }
}
