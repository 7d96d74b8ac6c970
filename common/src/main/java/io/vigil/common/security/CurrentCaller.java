package io.vigil.common.security;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The caller of the current request, for the read APIs of the data plane (storage's queries, the
 * detector's explain and backtest): operators (within their tenants) and services read; product
 * credentials write data and read none.
 */
public final class CurrentCaller {

  private CurrentCaller() {}

  /** Whoever authenticated, products included (a route that decides per object): 401 without one. */
  public static VigilPrincipal authenticated() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !(auth.getPrincipal() instanceof VigilPrincipal p)) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "Authorization", "a valid API key is required");
    }
    return p;
  }

  /** The caller, if it may read: 401 without one, 403 for a product credential. */
  public static VigilPrincipal reader() {
    VigilPrincipal p = authenticated();
    if (p.kind() == VigilPrincipal.Kind.PRODUCT) {
      throw new ApiException(ErrorCode.FORBIDDEN, "Authorization",
          "product credentials write metrics and events; they cannot read them");
    }
    return p;
  }

  /** Checks that the caller may read the tenant's object: another tenant's answers 404, as if absent. */
  public static VigilPrincipal readerOf(String tenant, String what) {
    VigilPrincipal p = reader();
    if (!p.canRead(tenant)) {
      throw new ApiException(ErrorCode.NOT_FOUND, null, "no " + what);
    }
    return p;
  }
}
