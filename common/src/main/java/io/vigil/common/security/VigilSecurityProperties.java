package io.vigil.common.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Credentials known from configuration. Keys are never configured in clear: only the SHA-256 of
 * the key, hex-encoded ({@code printf %s "$KEY" | sha256sum}). {@code bootstrapAdminSha256} is the
 * local admin token {@code bin/vigil keys} makes: an admin of every tenant, to write the first
 * access config and tokens.
 */
@Validated
@ConfigurationProperties("vigil.security")
public record VigilSecurityProperties(@DefaultValue @Valid List<Credential> credentials,
    @Pattern(regexp = "([0-9a-f]{64})?", message = "must be 64 lower-case hex digits (SHA-256)")
    String bootstrapAdminSha256) {

  /** The name audit entries and logs give the bootstrap admin. */
  public static final String BOOTSTRAP_ADMIN = "local-admin";

  public VigilSecurityProperties {
    credentials = List.copyOf(credentials);
    bootstrapAdminSha256 = bootstrapAdminSha256 == null ? "" : bootstrapAdminSha256;
  }

  public record Credential(
      @NotBlank String name,
      @NotBlank @Pattern(regexp = "[0-9a-f]{64}", message = "must be 64 lower-case hex digits (SHA-256)") String sha256,
      @NotNull VigilPrincipal.Kind kind,
      Set<String> tenants,
      Set<String> namespaces,
      Set<String> roles) {}
}
