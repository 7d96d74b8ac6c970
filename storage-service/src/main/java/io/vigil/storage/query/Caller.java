package io.vigil.storage.query;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.security.VigilPrincipal;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Whose data a query may read, decided in one place: a service credential and a platform admin read
 * every tenant; any other operator token reads its own tenants only, and that term is added to every
 * query it makes (a filter naming another tenant's dimension then finds nothing). Product
 * credentials write data and read none.
 */
public final class Caller {

  private Caller() {}

  public static VigilPrincipal current() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !(auth.getPrincipal() instanceof VigilPrincipal p)) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "Authorization", "a valid API key is required");
    }
    if (p.kind() == VigilPrincipal.Kind.PRODUCT) {
      throw new ApiException(ErrorCode.FORBIDDEN, "Authorization",
          "product credentials write metrics and events; they cannot read them");
    }
    return p;
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
