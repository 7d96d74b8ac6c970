package io.vigil.policy.access;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.security.VigilPrincipal;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who may do what on the control-plane API, decided in one place. Another tenant's object is
 * answered 404, exactly as a missing one (its existence is not revealed); a viewer's write is 403;
 * product credentials write data only and are refused everywhere here (403).
 */
@Component
public class Access {

  public VigilPrincipal caller() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !(auth.getPrincipal() instanceof VigilPrincipal p)) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "Authorization", "a valid API key is required");
    }
    if (p.kind() == VigilPrincipal.Kind.PRODUCT) {
      throw new ApiException(ErrorCode.FORBIDDEN, "Authorization",
          "product credentials write metrics and events; they cannot use the control-plane API");
    }
    return p;
  }

  /** The caller reads the tenant's objects; otherwise 404. */
  public VigilPrincipal readTenant(String tenant) {
    VigilPrincipal p = caller();
    if (!p.canRead(tenant)) {
      throw new ApiException(ErrorCode.NOT_FOUND, "tenant", "no such resource");
    }
    return p;
  }

  /** The caller changes the tenant's objects: 404 when it cannot see them, 403 when it only views. */
  public VigilPrincipal writeTenant(String tenant) {
    VigilPrincipal p = readTenant(tenant);
    if (!p.canWrite(tenant)) {
      throw new ApiException(ErrorCode.FORBIDDEN, null, "role " + p.roles() + " cannot change objects");
    }
    return p;
  }

  /** Every operator and service reads global objects (namespaces, metrics, products). */
  public VigilPrincipal readGlobal() {
    return caller();
  }

  /** Only platform admins (admin of {@code *}) change global objects. */
  public VigilPrincipal writeGlobal() {
    VigilPrincipal p = caller();
    if (!p.isPlatformAdmin()) {
      throw new ApiException(ErrorCode.FORBIDDEN, null, "only platform admins change the access config");
    }
    return p;
  }
}
