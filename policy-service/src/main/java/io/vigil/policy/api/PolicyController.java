package io.vigil.policy.api;

import io.vigil.common.control.AlertPolicy;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's alert policies. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/policies")
@Tag(name = "policies")
public class PolicyController extends TenantObjectController<AlertPolicy> {

  /** The most items one batch call takes. */
  public static final int MAX_BATCH = 1000;

  private final ControlStore store;

  public PolicyController(ControlStore store, Access access) {
    super(new Kinds.Policies(), store, access);
    this.store = store;
  }

  /** One policy of a batch: new when {@code id} is absent, else a change of it over {@code version}. */
  public record BatchItem(String id, Long version, AlertPolicy object) {}

  public record BatchRequest(java.util.List<BatchItem> items) {}

  public record BatchResult(java.util.List<io.vigil.policy.store.ObjectView<AlertPolicy>> items) {}

  /**
   * Creates and updates up to {@value #MAX_BATCH} policies in one call, all or nothing (migrating
   * from another tool): every bad field of every item is named ({@code items[7].threshold}); nothing
   * is written unless all pass. The body limit of this route is its own (8 MB), larger than the
   * service's default.
   */
  @org.springframework.web.bind.annotation.PostMapping(path = "/batch", consumes = "application/json")
  public BatchResult batch(@org.springframework.web.bind.annotation.PathVariable String tenant,
      @org.springframework.web.bind.annotation.RequestBody BatchRequest request) {
    ObjectEndpoints.checkTenant(tenant);
    var caller = access.writeTenant(tenant);
    io.vigil.common.error.Violations v = new io.vigil.common.error.Violations();
    v.check(request != null && request.items() != null && !request.items().isEmpty()
        && request.items().size() <= MAX_BATCH, "items", "1 to " + MAX_BATCH + " items");
    v.throwIfAny();
    var items = request.items().stream().map(i -> i == null ? null
        : new ControlStore.BatchItem<>(i.id(), i.version(), i.object())).toList();
    return new BatchResult(store.batch(endpoints.kind(), tenant, items, caller.name()));
  }
}
