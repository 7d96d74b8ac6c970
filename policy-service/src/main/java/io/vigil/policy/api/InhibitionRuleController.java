package io.vigil.policy.api;

import io.vigil.common.control.InhibitionRule;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's inhibition rules. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/inhibition-rules")
@Tag(name = "silences")
public class InhibitionRuleController extends TenantObjectController<InhibitionRule> {

  public InhibitionRuleController(ControlStore store, Access access) {
    super(new Kinds.InhibitionRules(), store, access);
  }
}
