package io.vigil.console.security;

import java.io.Serial;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A signed-in console session: the user, its roles as authorities, no credentials exposed. */
public final class ConsoleAuthentication extends AbstractAuthenticationToken {

  @Serial
  private static final long serialVersionUID = 1L;

  private final ConsoleUser user;

  public ConsoleAuthentication(ConsoleUser user) {
    super(user.roles().stream().map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList());
    this.user = user;
    setAuthenticated(true);
  }

  @Override
  public Object getCredentials() {
    return null; // the token stays inside the user, reachable only through Downstream
  }

  @Override
  public ConsoleUser getPrincipal() {
    return user;
  }

  @Override
  public String getName() {
    return user.name();
  }

}
