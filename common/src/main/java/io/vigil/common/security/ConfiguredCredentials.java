package io.vigil.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/** Credentials from {@code vigil.security.credentials}, looked up by the SHA-256 of the key. */
public class ConfiguredCredentials implements CredentialResolver {

  private final Map<String, VigilPrincipal> byHash = new HashMap<>();

  public ConfiguredCredentials(VigilSecurityProperties properties) {
    for (VigilSecurityProperties.Credential c : properties.credentials()) {
      VigilPrincipal previous = byHash.put(c.sha256(),
          new VigilPrincipal(c.name(), c.kind(), c.tenants(), c.namespaces(), c.roles()));
      if (previous != null) {
        throw new IllegalArgumentException("credentials " + previous.name() + " and " + c.name() + " share a key");
      }
    }
    if (!properties.bootstrapAdminSha256().isEmpty()) {
      byHash.put(properties.bootstrapAdminSha256(), new VigilPrincipal(VigilSecurityProperties.BOOTSTRAP_ADMIN,
          VigilPrincipal.Kind.OPERATOR, java.util.Set.of(VigilPrincipal.ALL_TENANTS), null,
          java.util.Set.of(VigilPrincipal.ADMIN)));
    }
  }

  @Override
  public Optional<VigilPrincipal> resolve(String presentedKey) {
    return Optional.ofNullable(byHash.get(sha256(presentedKey)));
  }

  public static String sha256(String key) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
