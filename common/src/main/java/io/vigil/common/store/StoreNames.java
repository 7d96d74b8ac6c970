package io.vigil.common.store;

import java.util.regex.Pattern;

/**
 * The one way a service names what it creates in Elasticsearch and Redis: every index (and index
 * template) under {@code vigil.elasticsearch.index-prefix}, every Redis key under {@code
 * vigil.redis.key-prefix}. A deployment uses {@code vigil-} and {@code vigil:}; a test run its own
 * ({@code t<hex>-vigil-}, {@code t<hex>:}), so runs and a running platform never see each other's
 * data and a run's cleanup removes exactly what it made. The test support fails a service that
 * writes outside its prefixes.
 */
public final class StoreNames {

  private static final Pattern INDEX_PREFIX = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final Pattern INDEX_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private final String indexPrefix;
  private final String keyPrefix;

  public StoreNames(String indexPrefix, String keyPrefix) {
    if (indexPrefix == null || !INDEX_PREFIX.matcher(indexPrefix).matches()) {
      throw new IllegalArgumentException("vigil.elasticsearch.index-prefix must be lower-case letters, digits,"
          + " '.', '_' or '-' (Elasticsearch's rule): " + indexPrefix);
    }
    if (keyPrefix == null || keyPrefix.isBlank() || keyPrefix.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("vigil.redis.key-prefix must be a non-blank word: " + keyPrefix);
    }
    this.indexPrefix = indexPrefix;
    this.keyPrefix = keyPrefix;
  }

  /** An index (or template, or alias) by its short name, e.g. {@code rollups-60s-2026.11.26}. */
  public String index(String name) {
    if (name == null || !INDEX_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad index name: " + name);
    }
    return indexPrefix + name;
  }

  /** A Redis key from its parts, joined with ':', e.g. {@code alert-state:<alertKey>}. */
  public String redisKey(String... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("a key needs at least one part");
    }
    StringBuilder key = new StringBuilder(keyPrefix);
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] == null || parts[i].isEmpty()) {
        throw new IllegalArgumentException("empty key part " + i);
      }
      if (i > 0) {
        key.append(':');
      }
      key.append(parts[i]);
    }
    return key.toString();
  }

  public String indexPrefix() {
    return indexPrefix;
  }

  public String keyPrefix() {
    return keyPrefix;
  }
}
