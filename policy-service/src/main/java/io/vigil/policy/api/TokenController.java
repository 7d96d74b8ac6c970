package io.vigil.policy.api;

import io.vigil.common.web.Versions;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.policy.access.Access;
import io.vigil.policy.credentials.CredentialService;
import io.vigil.policy.store.AuditEntry;
import io.vigil.policy.store.ControlStore;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Operator tokens (platform admins only): a token is shown once, when created; afterwards only its
 * name, role, tenants and expiry. Revoking takes effect in every service within the cache TTL, at
 * once in those that follow {@code control.changes}.
 */
@RestController
@RequestMapping("/v1/tokens")
@Tag(name = "access config")
@Validated
public class TokenController {

  private final CredentialService credentials;
  private final ControlStore store;
  private final Access access;

  public TokenController(CredentialService credentials, ControlStore store, Access access) {
    this.credentials = credentials;
    this.store = store;
    this.access = access;
  }

  @PostMapping(consumes = "application/json")
  public ResponseEntity<CredentialService.TokenView> create(@RequestBody CredentialService.TokenRequest request) {
    var caller = access.writeGlobal();
    return ResponseEntity.status(HttpStatus.CREATED).body(credentials.createToken(caller, request));
  }

  @GetMapping
  public List<CredentialService.TokenView> list(@RequestParam(required = false) String after,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    access.writeGlobal();
    return credentials.tokens(after, limit);
  }

  @DeleteMapping("/{id}")
  public ResponseEntity<Void> revoke(@PathVariable String id,
      @RequestHeader(name = "If-Match", required = false) String ifMatch) {
    var caller = access.writeGlobal();
    credentials.revokeToken(caller, id, Versions.ifMatch(ifMatch));
    return ResponseEntity.noContent().build();
  }

  @GetMapping("/{id}/audit")
  public List<AuditEntry> audit(@PathVariable String id, @RequestParam(required = false) Long before,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    access.writeGlobal();
    return store.auditOf(EntityType.OPERATOR_TOKEN, id, before, limit);
  }
}
