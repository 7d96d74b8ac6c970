package io.vigil.policy.api;

import io.vigil.common.control.UserGroup;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's user groups. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/user-groups")
@Tag(name = "receivers")
public class UserGroupController extends TenantObjectController<UserGroup> {

  public UserGroupController(ControlStore store, Access access) {
    super(new Kinds.UserGroups(), store, access);
  }
}
