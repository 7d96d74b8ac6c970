package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.semantics.OutboundUrlPolicy;

/**
 * A group chat robot (WeCom, DingTalk, Feishu, or a Slack incoming webhook) a tenant's alerts are
 * posted to; DingTalk and Feishu sign with {@code secret}. The secret is write-only.
 */
public record ChatBot(String name, Style style, String url, String secret) {

  public enum Style { WECOM, DINGTALK, FEISHU, SLACK }

  public void validate(Violations v, OutboundUrlPolicy urls) {
    Names.displayName(v, "name", name);
    v.check(style != null, "style", "one of WECOM, DINGTALK, FEISHU, SLACK");
    v.capture("url", () -> urls.check("url", url));
    v.check(secret == null || (secret.length() >= 8 && secret.length() <= 256), "secret", "8 to 256 characters");
  }

  public ChatBot redacted() {
    return new ChatBot(name, style, url, secret == null ? null : Secrets.REDACTED);
  }
}
