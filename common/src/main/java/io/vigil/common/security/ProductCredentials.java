package io.vigil.common.security;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The product credentials the gateway verifies signed requests with: by key id, the product and the
 * secrets valid now (the current one, and the previous one until its overlap ends), opened with the
 * master key. Read-only, cached like {@link ControlCallerResolver}; a changed credential is dropped
 * from the cache when {@code control.changes} names it.
 */
public final class ProductCredentials {

  private static final int MAX_CACHED = 100_000;
  /** The look-up of a credential by key id (primary key). */
  public static final String CREDENTIAL_QUERY = "SELECT id, product, current_key_id, current_secret,"
      + " previous_key_id, previous_secret, previous_valid_until_ms FROM ctl_product_credentials"
      + " WHERE id = ? AND deleted = 0";

  /** A credential as a verifier needs it: the secrets valid now, the current one first. */
  public record Credential(String keyId, String product, List<String> secrets) {

    /** Whether the secret is one of the active ones, compared in constant time. */
    public boolean accepts(String secret) {
      byte[] given = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      boolean matches = false;
      for (String active : secrets) {
        matches |= java.security.MessageDigest.isEqual(given, active.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return matches;
    }
  }

  private record Entry(Optional<Row> row, long loadedAtMs) {}

  private record Row(String keyId, String product, SecretBox.Sealed current, SecretBox.Sealed previous,
      long previousValidUntilMs) {}

  private final JdbcTemplate jdbc;
  private final SecretBox box;
  private final Clock clock;
  private final long ttlMs;
  private final DependencyMetrics dependencies;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  public ProductCredentials(JdbcTemplate jdbc, SecretBox box, Clock clock, Duration ttl,
      DependencyMetrics dependencies) {
    this.jdbc = jdbc;
    this.box = box;
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
    this.dependencies = dependencies;
  }

  /**
   * The product whose credential this is, when the secret is one of its active ones (compared in
   * constant time); empty for an unknown key or a wrong secret. 503 (DependencyUnavailableException)
   * when MySQL is down and the key was not seen before.
   */
  public Optional<String> productOf(String keyId, String secret) {
    return find(keyId).filter(c -> c.accepts(secret)).map(Credential::product);
  }

  public Optional<Credential> find(String keyId) {
    long now = clock.millis();
    Entry cached = cache.get(keyId);
    Entry entry = cached;
    if (cached == null || now - cached.loadedAtMs() >= ttlMs) {
      try {
        entry = new Entry(load(keyId), now);
        if (cache.size() >= MAX_CACHED) {
          cache.clear();
        }
        cache.put(keyId, entry);
      } catch (DataAccessException e) {
        dependencies.failure("mysql");
        if (cached == null) {
          throw new DependencyUnavailableException("mysql", "product credentials cannot be read", e);
        }
        dependencies.degraded("product_credentials", "mysql_down_cached");
      }
    }
    return entry.row().map(r -> {
      List<String> secrets = new ArrayList<>(2);
      secrets.add(box.open(r.keyId(), r.current()));
      if (r.previous() != null && now < r.previousValidUntilMs()) {
        secrets.add(box.open(r.keyId(), r.previous()));
      }
      return new Credential(r.keyId(), r.product(), List.copyOf(secrets));
    });
  }

  private Optional<Row> load(String keyId) {
    return jdbc.query(CREDENTIAL_QUERY, (rs, i) -> {
          String prevKey = rs.getString("previous_key_id");
          return new Row(rs.getString("id"), rs.getString("product"),
              new SecretBox.Sealed(rs.getString("current_key_id"), rs.getString("current_secret")),
              prevKey == null ? null : new SecretBox.Sealed(prevKey, rs.getString("previous_secret")),
              rs.getLong("previous_valid_until_ms"));
        }, keyId).stream().findFirst();
  }

  public void invalidate(String keyId) {
    cache.remove(keyId);
  }

  /** Follows {@code control.changes}: a changed credential is read again on its next use. */
  public void onChange(io.vigil.common.model.ControlChange change) {
    if (change.type() == io.vigil.common.model.ControlChange.EntityType.PRODUCT_CREDENTIAL) {
      invalidate(change.id());
    }
  }
}
