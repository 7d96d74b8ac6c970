package io.vigil.policy.api;

import io.vigil.common.control.MessageTemplate;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's message templates, checked by rendering a sample alert. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/templates")
@Tag(name = "templates")
public class MessageTemplateController extends TenantObjectController<MessageTemplate> {

  public MessageTemplateController(ControlStore store, Access access) {
    super(new Kinds.Templates(), store, access);
  }

  /**
   * A template and an alert to render it with; the alert's fields are those of {@link
   * MessageTemplate#SAMPLE_ALERT}, and an absent alert renders the sample.
   */
  public record PreviewRequest(MessageTemplate template, java.util.Map<String, Object> alert) {}

  public record Preview(String subject, String body) {}

  /**
   * Renders a template (saved or not) with the alert posted, exactly as the notifier would: unknown
   * variables render empty here (a saved template was already checked strictly).
   */
  @org.springframework.web.bind.annotation.PostMapping(path = "/preview", consumes = "application/json")
  public Preview preview(@org.springframework.web.bind.annotation.PathVariable String tenant,
      @org.springframework.web.bind.annotation.RequestBody PreviewRequest request) {
    ObjectEndpoints.checkTenant(tenant);
    access.readTenant(tenant);
    io.vigil.common.error.Violations v = new io.vigil.common.error.Violations();
    MessageTemplate t = request == null ? null : request.template();
    if (t == null) {
      v.add("template", "the template to render");
      v.throwIfAny();
    }
    t.validate(v);
    v.throwIfAny();
    java.util.Map<String, Object> alert = request.alert() == null ? MessageTemplate.SAMPLE_ALERT : request.alert();
    String subject = t.subject() == null ? null : t.render("template.subject", t.subject(), alert, false);
    return new Preview(subject, t.render("template.body", t.body(), alert, false));
  }
}
