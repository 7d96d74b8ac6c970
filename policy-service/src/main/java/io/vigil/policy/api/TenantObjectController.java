package io.vigil.policy.api;

import io.vigil.common.security.VigilPrincipal;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.ObjectKind;
import io.vigil.policy.store.AuditEntry;
import io.vigil.policy.store.ControlStore;
import io.vigil.policy.store.ObjectPage;
import io.vigil.policy.store.ObjectView;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The routes of one tenant-owned object type under {@code /v1/tenants/{tenant}/<objects>}: list (by
 * namespace, name prefix, enabled; cursor paged), get, create, update and delete over the version
 * read ({@code If-Match}), and the object's audit trail. Every route checks the tenant first: another
 * tenant's object is 404.
 */
@Validated
public abstract class TenantObjectController<T> {

  protected final ObjectEndpoints<T> endpoints;
  protected final Access access;

  protected TenantObjectController(ObjectKind<T> kind, ControlStore store, Access access) {
    this.endpoints = new ObjectEndpoints<>(kind, store);
    this.access = access;
  }

  @GetMapping
  public ObjectPage<T> list(@PathVariable String tenant,
      @RequestParam(required = false) String namespace,
      @RequestParam(required = false) String name,
      @RequestParam(required = false) Boolean enabled,
      @RequestParam(required = false) String cursor,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    ObjectEndpoints.checkTenant(tenant);
    access.readTenant(tenant);
    return endpoints.list(tenant, namespace, name, enabled, cursor, limit);
  }

  @GetMapping("/{id}")
  public ResponseEntity<ObjectView<T>> get(@PathVariable String tenant, @PathVariable String id) {
    ObjectEndpoints.checkTenant(tenant);
    access.readTenant(tenant);
    return endpoints.get(tenant, id);
  }

  @PostMapping(consumes = "application/json")
  public ResponseEntity<ObjectView<T>> create(@PathVariable String tenant, @RequestBody T body) {
    ObjectEndpoints.checkTenant(tenant);
    VigilPrincipal caller = access.writeTenant(tenant);
    return endpoints.create(caller, tenant, body);
  }

  @PutMapping(path = "/{id}", consumes = "application/json")
  public ResponseEntity<ObjectView<T>> update(@PathVariable String tenant, @PathVariable String id,
      @RequestHeader(name = "If-Match", required = false) String ifMatch, @RequestBody T body) {
    ObjectEndpoints.checkTenant(tenant);
    VigilPrincipal caller = access.writeTenant(tenant);
    return endpoints.update(caller, tenant, id, ifMatch, body);
  }

  @DeleteMapping("/{id}")
  public ResponseEntity<Void> delete(@PathVariable String tenant, @PathVariable String id,
      @RequestHeader(name = "If-Match", required = false) String ifMatch) {
    ObjectEndpoints.checkTenant(tenant);
    VigilPrincipal caller = access.writeTenant(tenant);
    return endpoints.delete(caller, tenant, id, ifMatch);
  }

  @GetMapping("/{id}/audit")
  public List<AuditEntry> audit(@PathVariable String tenant, @PathVariable String id,
      @RequestParam(required = false) Long before,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    ObjectEndpoints.checkTenant(tenant);
    access.readTenant(tenant);
    return endpoints.audit(tenant, id, before, limit);
  }
}
