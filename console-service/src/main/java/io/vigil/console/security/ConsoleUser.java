package io.vigil.console.security;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/**
 * The signed-in user as the control plane named it, with the API token every downstream call carries.
 * Lives only in the server-side session: the token is never rendered, logged or put in a URL, and
 * {@link #toString()} leaves it out.
 */
public final class ConsoleUser implements Serializable {

  @Serial
  private static final long serialVersionUID = 1L;

  public static final String ALL_TENANTS = "*";

  private final String name;
  private final List<String> roles;
  private final List<String> tenants;
  private final String token;

  public ConsoleUser(String name, List<String> roles, List<String> tenants, String token) {
    this.name = name;
    this.roles = List.copyOf(roles);
    this.tenants = List.copyOf(tenants);
    this.token = token;
  }

  public String name() {
    return name;
  }

  public List<String> roles() {
    return roles;
  }

  /** The user's tenants; {@code *} for a platform admin (every tenant). */
  public List<String> tenants() {
    return tenants;
  }

  /**
   * The token for downstream calls (Downstream alone calls this). It is serialized only into a
   * shared session store, where every value is sealed (ConsoleSessions).
   */
  public String token() {
    return token;
  }

  public boolean allTenants() {
    return tenants.contains(ALL_TENANTS);
  }

  /** Whether the pages offer changes (the APIs decide again on every call). */
  public boolean writes() {
    return roles.contains("ADMIN") || roles.contains("OPERATOR");
  }

  @Override
  public String toString() {
    return "ConsoleUser[" + name + ", roles=" + roles + ", tenants=" + tenants + "]";
  }
}
