package io.vigil.policy.api;

import io.vigil.common.web.Versions;
import io.vigil.common.control.Names;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.policy.objects.ObjectKind;
import io.vigil.policy.store.AuditEntry;
import io.vigil.policy.store.ControlStore;
import io.vigil.policy.store.ListQuery;
import io.vigil.policy.store.ObjectPage;
import io.vigil.policy.store.ObjectView;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The CRUD every object type offers, shared by the tenant and the global controllers. */
final class ObjectEndpoints<T> {

  private static final Logger log = LoggerFactory.getLogger(ObjectEndpoints.class);

  private final ObjectKind<T> kind;
  private final ControlStore store;

  ObjectEndpoints(ObjectKind<T> kind, ControlStore store) {
    this.kind = kind;
    this.store = store;
  }

  ObjectKind<T> kind() {
    return kind;
  }

  ObjectPage<T> list(String tenant, String namespace, String name, Boolean enabled, String cursor, int limit) {
    return store.list(kind, tenant, new ListQuery(namespace, name, enabled, cursor, limit));
  }

  ResponseEntity<ObjectView<T>> get(String tenant, String id) {
    ObjectView<T> v = store.get(kind, tenant, id);
    return ResponseEntity.ok().eTag(Versions.etag(v.version())).body(v);
  }

  ResponseEntity<ObjectView<T>> create(VigilPrincipal caller, String tenant, T body) {
    if (body == null) {
      throw new ApiException(ErrorCode.MALFORMED_BODY, null, "a JSON object is required");
    }
    ObjectView<T> v = store.create(kind, tenant, body, caller.name());
    logChange("created", v);
    URI location = ServletUriComponentsBuilder.fromCurrentRequestUri().path("/{id}").buildAndExpand(v.id()).toUri();
    return ResponseEntity.status(HttpStatus.CREATED).location(location).eTag(Versions.etag(v.version())).body(v);
  }

  ResponseEntity<ObjectView<T>> update(VigilPrincipal caller, String tenant, String id, String ifMatch, T body) {
    long expected = Versions.ifMatch(ifMatch);
    if (body == null) {
      throw new ApiException(ErrorCode.MALFORMED_BODY, null, "a JSON object is required");
    }
    ObjectView<T> v = store.update(kind, tenant, id, expected, body, caller.name());
    logChange("updated", v);
    return ResponseEntity.ok().eTag(Versions.etag(v.version())).body(v);
  }

  ResponseEntity<Void> delete(VigilPrincipal caller, String tenant, String id, String ifMatch) {
    long expected = Versions.ifMatch(ifMatch);
    ObjectView<T> v = store.delete(kind, tenant, id, expected, caller.name());
    logChange("deleted", v);
    return ResponseEntity.noContent().eTag(Versions.etag(v.version())).build();
  }

  List<AuditEntry> audit(String tenant, String id, Long before, int limit) {
    return store.audit(kind, tenant, id, before, limit);
  }

  static void checkTenant(String tenant) {
    if (!Names.matches(Names.TENANT, tenant)) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "tenant", "a tenant id: letters, digits, '_', '-'");
    }
  }

  private void logChange(String what, ObjectView<T> v) {
    String key = switch (kind.type()) {
      case POLICY -> LogKeys.POLICY_ID;
      case SILENCE -> LogKeys.SILENCE_ID;
      default -> LogKeys.OBJECT_ID;
    };
    org.slf4j.MDC.put(key, v.id());
    org.slf4j.MDC.put(LogKeys.OBJECT_TYPE, kind.type().name());
    try {
      log.info("{} {} {} at version {}", what, kind.type().name().toLowerCase(java.util.Locale.ROOT), v.id(),
          v.version());
    } finally {
      org.slf4j.MDC.remove(key);
      org.slf4j.MDC.remove(LogKeys.OBJECT_TYPE);
    }
  }
}
