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

  public PolicyController(ControlStore store, Access access) {
    super(new Kinds.Policies(), store, access);
  }
}
