package io.vigil.policy.api;

import io.vigil.common.control.Webhook;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's webhooks (URLs checked against the outbound policy; secrets write-only). */
@RestController
@RequestMapping("/v1/tenants/{tenant}/webhooks")
@Tag(name = "receivers")
public class WebhookController extends TenantObjectController<Webhook> {

  public WebhookController(io.vigil.common.semantics.OutboundUrlPolicy urls, ControlStore store, Access access) {
    super(new Kinds.Webhooks(urls), store, access);
  }
}
