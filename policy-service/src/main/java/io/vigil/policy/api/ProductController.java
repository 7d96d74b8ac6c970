package io.vigil.policy.api;

import io.vigil.common.control.Product;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Products: the cloud products that push data (global; platform admins write). */
@RestController
@RequestMapping("/v1/products")
@Tag(name = "access config")
public class ProductController extends GlobalObjectController<Product> {

  public ProductController(ControlStore store, Access access) {
    super(new Kinds.Products(), store, access);
  }
}
