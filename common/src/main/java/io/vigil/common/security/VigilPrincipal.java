package io.vigil.common.security;

import java.util.Set;

/**
 * Who a request acts for. Holds no secret, so it may be logged.
 *
 * <ul>
 *   <li>{@code OPERATOR}: a person's token, one role ({@code ADMIN}, {@code OPERATOR} or {@code
 *       VIEWER}) over a set of tenants; {@code *} stands for every tenant (a platform admin).
 *   <li>{@code PRODUCT}: a product's credential; it writes data for its namespaces (all tenants) and
 *       cannot call the control-plane API.
 *   <li>{@code SERVICE}: another Vigil service; reads across tenants, writes nothing.
 * </ul>
 *
 * @param name the credential's name (for logs and audit), never the key
 * @param tenants the tenants an operator works on; {@code *} for all
 * @param namespaces the namespaces a product credential may write ({@code product/*}: every namespace
 *     of the product); empty otherwise
 * @param roles {@code ADMIN}, {@code OPERATOR} or {@code VIEWER} for operators; {@code INGEST} for products
 */
public record VigilPrincipal(String name, Kind kind, Set<String> tenants, Set<String> namespaces, Set<String> roles) {

  public static final String ALL_TENANTS = "*";
  public static final String ADMIN = "ADMIN";
  public static final String OPERATOR = "OPERATOR";
  public static final String VIEWER = "VIEWER";

  public enum Kind {
    OPERATOR,
    PRODUCT,
    SERVICE
  }

  public VigilPrincipal {
    tenants = tenants == null ? Set.of() : Set.copyOf(tenants);
    namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
    roles = roles == null ? Set.of() : Set.copyOf(roles);
  }

  /** Whether this caller may see the tenant's objects and data (services see every tenant). */
  public boolean canRead(String tenant) {
    return kind == Kind.SERVICE
        || kind == Kind.OPERATOR && (tenants.contains(ALL_TENANTS) || tenants.contains(tenant));
  }

  /** Whether this caller may change the tenant's objects: it can read them and is not a viewer. */
  public boolean canWrite(String tenant) {
    return kind == Kind.OPERATOR && canRead(tenant) && (roles.contains(ADMIN) || roles.contains(OPERATOR));
  }

  /** An admin of every tenant: the only caller that writes global objects (access config, tokens). */
  public boolean isPlatformAdmin() {
    return kind == Kind.OPERATOR && tenants.contains(ALL_TENANTS) && roles.contains(ADMIN);
  }

  /**
   * Whether this product credential writes data of the namespace: one it lists, or any of its
   * product's ({@code product/*}, as a credential of the control tables is resolved).
   */
  public boolean writesNamespace(String namespace) {
    if (kind != Kind.PRODUCT || namespace == null) {
      return false;
    }
    if (namespaces.contains(namespace)) {
      return true;
    }
    int slash = namespace.indexOf('/');
    return slash > 0 && namespaces.contains(namespace.substring(0, slash) + "/*");
  }

  /** A product credential of the control tables: the product's name, every namespace of it. */
  public static VigilPrincipal product(String product) {
    return new VigilPrincipal(product, Kind.PRODUCT, Set.of(), Set.of(product + "/*"), Set.of("INGEST"));
  }

  /** The one tenant for the log context, when the caller has exactly one; null otherwise. */
  public String soleTenant() {
    return tenants.size() == 1 && !tenants.contains(ALL_TENANTS) ? tenants.iterator().next() : null;
  }
}
