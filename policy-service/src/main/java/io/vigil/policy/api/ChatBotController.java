package io.vigil.policy.api;

import io.vigil.common.control.ChatBot;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's chat bots: WeCom, DingTalk, Feishu, Slack (secrets write-only). */
@RestController
@RequestMapping("/v1/tenants/{tenant}/chat-bots")
@Tag(name = "receivers")
public class ChatBotController extends TenantObjectController<ChatBot> {

  public ChatBotController(io.vigil.common.semantics.OutboundUrlPolicy urls, ControlStore store, Access access) {
    super(new Kinds.ChatBots(urls), store, access);
  }
}
