package io.vigil.policy.api;

import io.vigil.common.control.User;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's users with their contacts. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/users")
@Tag(name = "receivers")
public class UserController extends TenantObjectController<User> {

  public UserController(ControlStore store, Access access) {
    super(new Kinds.Users(), store, access);
  }
}
