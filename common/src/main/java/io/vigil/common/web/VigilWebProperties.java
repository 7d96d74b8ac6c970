package io.vigil.common.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * HTTP limits shared by every service.
 *
 * @param maxBodySize the largest request body accepted; larger ones get 413 problem+json before the
 *     body is read (by Content-Length) or as soon as the read passes the limit (chunked bodies)
 * @param routeLimits routes that declare a limit of their own (a batch endpoint), by path pattern
 *     such as {@code /v1/tenants/*}{@code /policies/batch}; the first that matches wins
 */
@Validated
@ConfigurationProperties("vigil.web")
public record VigilWebProperties(@DefaultValue("1MB") DataSize maxBodySize,
    @DefaultValue @jakarta.validation.Valid java.util.List<RouteLimit> routeLimits) {

  public VigilWebProperties {
    routeLimits = java.util.List.copyOf(routeLimits);
  }

  public record RouteLimit(@jakarta.validation.constraints.NotBlank String pattern,
      @jakarta.validation.constraints.NotNull DataSize maxBodySize) {}
}
