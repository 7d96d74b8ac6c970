package io.vigil.policy.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.security.VigilPrincipal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the presented key is: what a client (the console's sign-in) needs to know of its caller
 * before it shows anything. Never the key itself.
 */
@RestController
@Tag(name = "access config")
public class MeController {

  /** The caller: its credential's name, kind, roles and tenants ({@code *}: every tenant), sorted. */
  public record Me(String name, VigilPrincipal.Kind kind, List<String> roles, List<String> tenants) {}

  @GetMapping("/v1/me")
  @Operation(summary = "The caller of this request",
      description = "The name, kind (OPERATOR or SERVICE), roles and tenants of the key presented; 401 for an"
          + " unknown, revoked or expired key. A product credential is refused (403) as everywhere in the"
          + " control-plane API.")
  public Me me() {
    VigilPrincipal caller = CurrentCaller.authenticated();
    if (caller.kind() == VigilPrincipal.Kind.PRODUCT) {
      throw new io.vigil.common.error.ApiException(io.vigil.common.error.ErrorCode.FORBIDDEN, null,
          "a product credential has no place in the control plane");
    }
    return new Me(caller.name(), caller.kind(), caller.roles().stream().sorted().toList(),
        caller.tenants().stream().sorted().toList());
  }
}
