package io.vigil.storage.query;

import io.vigil.common.security.VigilPrincipal;
import java.util.Optional;
import java.util.Set;

/**
 * Whose data a query may read, decided in one place: a service credential and a platform admin read
 * every tenant; any other operator token reads its own tenants only, and that term is added to every
 * query it makes (a filter naming another tenant's dimension then finds nothing). Product
 * credentials write data and read none.
 */
public final class Caller {

  private Caller() {}

  public static VigilPrincipal current() {
    return io.vigil.common.security.CurrentCaller.reader();
  }

  /** The tenants the current caller is limited to; empty when it reads every tenant. */
  public static Optional<Set<String>> tenantScope() {
    VigilPrincipal p = current();
    if (p.kind() == VigilPrincipal.Kind.SERVICE || p.tenants().contains(VigilPrincipal.ALL_TENANTS)) {
      return Optional.empty();
    }
    return Optional.of(p.tenants());
  }
}
