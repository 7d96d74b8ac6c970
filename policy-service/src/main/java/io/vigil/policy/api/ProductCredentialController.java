package io.vigil.policy.api;

import io.vigil.common.web.Versions;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.policy.access.Access;
import io.vigil.policy.credentials.CredentialService;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A product's credentials (platform admins only): a key id with a secret shown once. Rotating makes
 * a new secret current and keeps the previous one valid for an overlap (default a day), so two
 * secrets are active and senders switch without a gap.
 */
@RestController
@RequestMapping("/v1/products/{product}/credentials")
@Tag(name = "access config")
public class ProductCredentialController {

  private final CredentialService credentials;
  private final Access access;

  public ProductCredentialController(CredentialService credentials, Access access) {
    this.credentials = credentials;
    this.access = access;
  }

  @PostMapping
  public ResponseEntity<CredentialService.CredentialView> create(@PathVariable String product) {
    var caller = access.writeGlobal();
    return ResponseEntity.status(HttpStatus.CREATED).body(credentials.createCredential(caller, product));
  }

  @GetMapping
  public List<CredentialService.CredentialView> list(@PathVariable String product) {
    access.writeGlobal();
    return credentials.credentials(product);
  }

  @PostMapping("/{keyId}/rotate")
  public CredentialService.CredentialView rotate(@PathVariable String product, @PathVariable String keyId,
      @RequestHeader(name = "If-Match", required = false) String ifMatch,
      @RequestParam(defaultValue = "P1D") String overlap) {
    var caller = access.writeGlobal();
    Duration d;
    try {
      d = Duration.parse(overlap);
    } catch (DateTimeParseException e) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "overlap", "an ISO duration such as PT1H or P1D");
    }
    if (d.isNegative() || d.compareTo(Duration.ofDays(30)) > 0) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "overlap", "between zero and 30 days");
    }
    return credentials.rotate(caller, product, keyId, Versions.ifMatch(ifMatch), d);
  }

  @DeleteMapping("/{keyId}")
  public ResponseEntity<Void> revoke(@PathVariable String product, @PathVariable String keyId,
      @RequestHeader(name = "If-Match", required = false) String ifMatch) {
    var caller = access.writeGlobal();
    credentials.revokeCredential(caller, product, keyId, Versions.ifMatch(ifMatch));
    return ResponseEntity.noContent().build();
  }
}
