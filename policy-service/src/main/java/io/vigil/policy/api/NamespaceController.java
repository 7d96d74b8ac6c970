package io.vigil.policy.api;

import io.vigil.common.control.NamespaceConfig;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Namespaces: metrics, dimensions, periods, grace and shard of each (global; platform admins write). */
@RestController
@RequestMapping("/v1/namespaces")
@Tag(name = "access config")
public class NamespaceController extends GlobalObjectController<NamespaceConfig> {

  public NamespaceController(ControlStore store, Access access) {
    super(new Kinds.Namespaces(), store, access);
  }
}
