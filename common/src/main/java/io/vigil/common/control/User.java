package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.model.Channel;
import java.util.Map;
import java.util.regex.Pattern;

/** A person of a tenant who can be notified, with an address per channel (订阅关系). */
public record User(String name, String displayName, Map<Channel, String> contacts) {

  static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
  static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s.]{2,63}");

  public void validate(Violations v) {
    v.check(Names.matches(Names.TENANT, name), "name", "a login name: letters, digits, '_', '-' (at most 64)");
    Names.optionalText(v, "displayName", displayName, Names.MAX_DISPLAY);
    if (contacts == null) {
      return;
    }
    contacts.forEach((channel, address) -> {
      String at = "contacts." + channel;
      switch (channel) {
        case EMAIL -> v.check(address != null && EMAIL.matcher(address).matches(), at, "an e-mail address");
        case SMS, PHONE -> v.check(address != null && E164.matcher(address).matches(), at,
            "a phone number in E.164 form, e.g. +8613800138000");
        case WEBHOOK, BOT -> v.add(at, "webhooks and chat bots are receivers of their own, not user contacts");
      }
    });
  }
}
