package io.vigil.policy.api;

import io.vigil.common.control.Silence;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's silences: one-off and recurring. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/silences")
@Tag(name = "silences")
public class SilenceController extends TenantObjectController<Silence> {

  public SilenceController(ControlStore store, Access access) {
    super(new Kinds.Silences(), store, access);
  }
}
