package io.vigil.common.security;

import java.util.Set;

/**
 * Who a request acts for. A {@code PRODUCT} credential ingests for its namespaces; a {@code USER}
 * credential works on one tenant's control-plane data with its roles. Holds no secret, so it may be
 * logged.
 *
 * @param name the credential's name (for logs and audit), never the key
 * @param tenant the cloud account a user credential belongs to; null for products
 * @param namespaces the namespaces a product credential may write; empty for users
 * @param roles {@code VIEWER}, {@code EDITOR}, {@code ADMIN} for users; {@code INGEST} for products
 */
public record VigilPrincipal(String name, Kind kind, String tenant, Set<String> namespaces, Set<String> roles) {

  public enum Kind {
    PRODUCT,
    USER,
    SERVICE
  }

  public VigilPrincipal {
    namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
    roles = roles == null ? Set.of() : Set.copyOf(roles);
  }
}
