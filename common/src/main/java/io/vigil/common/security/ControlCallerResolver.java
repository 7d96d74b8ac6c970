package io.vigil.common.security;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Resolves a bearer key the way every service does: configured credentials first (service
 * credentials and the local bootstrap admin, hashed in configuration), then operator tokens from the
 * control tables (hashed; roles and tenants beside them). Read-only against the tables; answers are
 * cached for {@code ttl}, a cached answer is dropped when {@code control.changes} says its token changed
 * (a change no newer than the version the answer was read at, such as a token's own creation arriving
 * late, keeps it; a change to any token drops the cached "no such token" answers), and
 * while MySQL is down a token seen before keeps working from the cache (counted as degraded) while an
 * unknown one is answered 503, never 401: the caller is not wrong, the lookup is unavailable.
 *
 * <p>Where product credentials are read too (a service that takes product writes besides the
 * gateway's signed routes, such as the cmdb), a key of the form {@code <key id>:<secret>} is a product
 * credential: the secret is compared in constant time with the credential's active secrets and the
 * caller is the product ({@link VigilPrincipal#product}). Operator tokens never hold a colon.
 */
public final class ControlCallerResolver implements CredentialResolver {

  private static final int MAX_CACHED = 100_000;
  /** The look-up of a token by its hash (unique index uq_tokens_hash). */
  public static final String TOKEN_QUERY = "SELECT id, version, name, role, tenants, expires_at_ms"
      + " FROM ctl_operator_tokens"
      + " WHERE token_sha256 = ? AND deleted = 0";

  /** A cached answer; {@code tokenId} is null for "no such token". */
  private record Entry(Optional<VigilPrincipal> principal, long expiresAtMs, long loadedAtMs, String tokenId,
      long version) {}

  private final CredentialResolver configured;
  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final long ttlMs;
  private final DependencyMetrics dependencies;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final ProductCredentials products;

  public ControlCallerResolver(CredentialResolver configured, JdbcTemplate jdbc, Clock clock, Duration ttl,
      DependencyMetrics dependencies) {
    this(configured, jdbc, clock, ttl, dependencies, null);
  }

  /** @param products the product credentials, or null where product keys are not taken */
  public ControlCallerResolver(CredentialResolver configured, JdbcTemplate jdbc, Clock clock, Duration ttl,
      DependencyMetrics dependencies, ProductCredentials products) {
    this.products = products;
    this.configured = configured;
    this.jdbc = jdbc;
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
    this.dependencies = dependencies;
  }

  @Override
  public Optional<VigilPrincipal> resolve(String presentedKey) {
    Optional<VigilPrincipal> fromConfig = configured.resolve(presentedKey);
    if (fromConfig.isPresent()) {
      return fromConfig;
    }
    int colon = presentedKey.indexOf(':');
    if (colon >= 0) {
      return products == null || colon == 0 || colon == presentedKey.length() - 1 ? Optional.empty()
          : products.productOf(presentedKey.substring(0, colon), presentedKey.substring(colon + 1))
              .map(VigilPrincipal::product);
    }
    String hash = ConfiguredCredentials.sha256(presentedKey);
    long now = clock.millis();
    Entry cached = cache.get(hash);
    if (cached != null && now - cached.loadedAtMs() < ttlMs) {
      return live(cached, now);
    }
    Entry loaded;
    try {
      loaded = load(hash, now);
    } catch (DataAccessException e) {
      dependencies.failure("mysql");
      if (cached != null) {
        dependencies.degraded("caller_resolver", "mysql_down_cached");
        return live(cached, now);
      }
      throw new DependencyUnavailableException("mysql", "operator tokens cannot be read", e);
    }
    if (cache.size() >= MAX_CACHED) {
      cache.clear(); // a flood of random keys must not grow memory without bound
    }
    cache.put(hash, loaded);
    return live(loaded, now);
  }

  private static Optional<VigilPrincipal> live(Entry e, long now) {
    return e.expiresAtMs() > 0 && now >= e.expiresAtMs() ? Optional.empty() : e.principal();
  }

  private Entry load(String hash, long now) {
    List<Entry> rows = jdbc.query(TOKEN_QUERY, (rs, i) -> {
          Set<String> tenants = new LinkedHashSet<>(Arrays.asList(rs.getString("tenants").split(",")));
          long expires = rs.getLong("expires_at_ms");
          VigilPrincipal p = new VigilPrincipal(rs.getString("name"), VigilPrincipal.Kind.OPERATOR, tenants, Set.of(),
              Set.of(rs.getString("role")));
          return new Entry(Optional.of(p), rs.wasNull() ? 0 : expires, now, rs.getString("id"), rs.getLong("version"));
        }, hash);
    return rows.isEmpty() ? new Entry(Optional.empty(), 0, now, null, 0) : rows.get(0);
  }

  /** A token was created, changed or revoked: forget every cached answer. */
  public void invalidate() {
    cache.clear();
  }

  /**
   * Follows {@code control.changes}: the cached answer for the changed token is forgotten unless it was
   * read at the change's version or later (changes arrive late and out of step with reads: a token's
   * own creation must not evict the answer read after it), and so is every cached "no such token",
   * since the change does not carry the hash a new token answers to. Each service calls this from its
   * broadcast consumer of the topic.
   */
  public void onChange(io.vigil.common.model.ControlChange change) {
    if (change.type() == io.vigil.common.model.ControlChange.EntityType.OPERATOR_TOKEN) {
      cache.values().removeIf(e -> e.tokenId() == null
          || (e.tokenId().equals(change.id()) && e.version() < change.version()));
    }
  }
}
