package io.vigil.console.system;

import io.vigil.common.control.Names;

/**
 * Names checked before they go into a peer's path: a tenant and a namespace by common's rules, an
 * object id by the shape the control plane gives ids (letters, digits, {@code _ . : -}), so no
 * typed value becomes a path segment of its own or a {@code ..}.
 */
public final class TenantNames {

  private static final java.util.regex.Pattern OBJECT_ID = java.util.regex.Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}");

  private TenantNames() {}

  /** The tenant asked for, else the user's only tenant; null when the user must choose. */
  public static String orDefault(String tenant, io.vigil.console.security.ConsoleUser user) {
    if (tenant != null && !tenant.isBlank()) {
      return tenant.strip();
    }
    return user.tenants().size() == 1 && !user.allTenants() ? user.tenants().get(0) : null;
  }

  public static boolean valid(String tenant) {
    return tenant != null && Names.matches(Names.TENANT, tenant);
  }

  public static boolean validId(String id) {
    return id != null && OBJECT_ID.matcher(id).matches() && !id.contains("..");
  }

  public static boolean validNamespace(String namespace) {
    return namespace != null && Names.matches(Names.NAMESPACE, namespace);
  }
}
