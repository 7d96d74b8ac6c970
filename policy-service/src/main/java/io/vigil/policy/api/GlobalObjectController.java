package io.vigil.policy.api;

import io.vigil.common.control.ControlTables;
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
 * The routes of a global object type (the access config): every operator and service reads, only
 * platform admins write. Ids are names ({@code qce}, {@code qce/cvm}) and a namespace's holds a
 * slash, so the item routes take the rest of the path as the id: {@code GET /v1/namespaces/qce/cvm};
 * an object's audit trail is {@code GET /v1/namespaces/qce/cvm?audit}.
 */
@Validated
public abstract class GlobalObjectController<T> {

  protected final ObjectEndpoints<T> endpoints;
  protected final Access access;

  protected GlobalObjectController(ObjectKind<T> kind, ControlStore store, Access access) {
    this.endpoints = new ObjectEndpoints<>(kind, store);
    this.access = access;
  }

  @GetMapping
  public ObjectPage<T> list(@RequestParam(required = false) String name,
      @RequestParam(required = false) String cursor,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    access.readGlobal();
    return endpoints.list(ControlTables.GLOBAL, null, name, null, cursor, limit);
  }

  @GetMapping(path = "/{*id}", params = "!audit")
  public ResponseEntity<ObjectView<T>> get(@PathVariable String id) {
    access.readGlobal();
    return endpoints.get(ControlTables.GLOBAL, strip(id));
  }

  @PostMapping(consumes = "application/json")
  public ResponseEntity<ObjectView<T>> create(@RequestBody T body) {
    VigilPrincipal caller = access.writeGlobal();
    return endpoints.create(caller, ControlTables.GLOBAL, body);
  }

  @PutMapping(path = "/{*id}", consumes = "application/json")
  public ResponseEntity<ObjectView<T>> update(@PathVariable String id,
      @RequestHeader(name = "If-Match", required = false) String ifMatch, @RequestBody T body) {
    VigilPrincipal caller = access.writeGlobal();
    return endpoints.update(caller, ControlTables.GLOBAL, strip(id), ifMatch, body);
  }

  @DeleteMapping("/{*id}")
  public ResponseEntity<Void> delete(@PathVariable String id,
      @RequestHeader(name = "If-Match", required = false) String ifMatch) {
    VigilPrincipal caller = access.writeGlobal();
    return endpoints.delete(caller, ControlTables.GLOBAL, strip(id), ifMatch);
  }

  @GetMapping(path = "/{*id}", params = "audit")
  public List<AuditEntry> audit(@PathVariable String id, @RequestParam(required = false) Long before,
      @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
    access.readGlobal();
    return endpoints.audit(ControlTables.GLOBAL, strip(id), before, limit);
  }

  /** A rest-of-path variable starts with its slash. */
  private static String strip(String id) {
    return id.startsWith("/") ? id.substring(1) : id;
  }
}
