package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.model.Channel;
import io.vigil.common.semantics.Template;
import java.util.List;
import java.util.Map;

/**
 * A tenant's message template for one channel (通知模版), in common's logic-less template language.
 * It is checked when saved by rendering {@link #SAMPLE_ALERT} strictly: a variable the alert model
 * does not have is refused then, not discovered at 3 a.m.
 *
 * @param subject the e-mail subject or chat title; unused by SMS and phone
 */
public record MessageTemplate(String name, Channel channel, String subject, String body) {

  /** The alert model a template renders, with a value for every variable it offers. */
  public static final Map<String, Object> SAMPLE_ALERT = Map.ofEntries(
      Map.entry("status", "FIRING"),
      Map.entry("severity", "CRITICAL"),
      Map.entry("policyId", "pol_01JB8Z3V8E2K5Q7T9W1Y3A5C7E"),
      Map.entry("policyName", "CPU above 90%"),
      Map.entry("tenant", "1251763868"),
      Map.entry("namespace", "qce/cvm"),
      Map.entry("region", "ap-guangzhou"),
      Map.entry("metric", "cpu_usage"),
      Map.entry("value", "93.5"),
      Map.entry("threshold", "90"),
      Map.entry("period", "60"),
      Map.entry("startsAt", "2026-11-26T02:30:00Z"),
      Map.entry("endsAt", ""),
      Map.entry("alertKey", "pol_01JB8Z3V8E2K5Q7T9W1Y3A5C7E:s:9f86d081884c7d65"),
      Map.entry("summary", "CPU of ins-abc123 is 93.5%"),
      Map.entry("runbookUrl", "https://runbooks.example.com/cpu"),
      Map.entry("dimensions", Map.of("appid", "1251763868", "instance", "ins-abc123")),
      // the dimensions again as a list of {key, value}, sorted by key, for templates that list them all
      Map.entry("dimensionList", List.of(Map.of("key", "appid", "value", "1251763868"),
          Map.of("key", "instance", "value", "ins-abc123"))),
      Map.entry("labels", Map.of("team", "compute")),
      // the cmdb's instance (its attributes, id and tags); empty when the namespace names no instance dimension
      Map.entry("instance", Map.of("id", "ins-abc123", "name", "web-01", "ip", "10.0.0.12", "owner", "ann",
          "tags", Map.of("team", "compute"))),
      // the alerts a message tells of: this one, or a convergence group's (up to 10 examples)
      Map.entry("alerts", List.of(Map.of("dimensions", Map.of("instance", "ins-abc123"), "value", "93.5",
          "status", "FIRING", "alertKey", "pol_01JB8Z3V8E2K5Q7T9W1Y3A5C7E:s:9f86d081884c7d65",
          "dimensionText", "instance=ins-abc123"))),
      Map.entry("alertCount", "1"),
      Map.entry("firingCount", "1"),
      Map.entry("resolvedCount", "0"),
      Map.entry("moreAlerts", "0"),
      // a convergence group's notification, and the values its alerts share
      Map.entry("grouped", false),
      Map.entry("groupText", "region=ap-guangzhou"),
      Map.entry("enrichmentDegraded", false),
      // the recipient's signed link that acknowledges the alert (empty where links are not configured)
      Map.entry("ackUrl", "https://vigil.example.com/v1/ack-links/eyJhIjoiYiJ9.c2ln"),
      // 0 for the event's own notification, n for the n-th repeat; the escalation level reached
      Map.entry("repeat", "0"),
      // a repeat's value now (the window it is of) and the recent windows as text bars
      Map.entry("valueAt", "2026-11-26T03:29:00Z"),
      Map.entry("sparkline", "▁▂▃▅▇▇▆"),
      // set on the one message that goes out when a tenant's or a policy's cap is reached
      Map.entry("limitNote", "This policy reached its limit of 100 notifications in 10m; further alerts are"
          + " recorded but not sent until the window has room again."),
      Map.entry("escalationLevel", "0"));

  /**
   * How a channel's text is escaped: HTML for e-mail; JSON for webhooks, whose template is the whole
   * JSON document posted; none for SMS, phone and chat bots, whose text the sender puts into the
   * message format itself (a bot's JSON is built by the sender, so escaping here would double it).
   */
  public static Template.Escape escapeFor(Channel channel) {
    return switch (channel) {
      case EMAIL -> Template.Escape.HTML;
      case WEBHOOK -> Template.Escape.JSON;
      case BOT, SMS, PHONE -> Template.Escape.NONE;
    };
  }

  public void validate(Violations v) {
    Names.displayName(v, "name", name);
    if (!v.check(channel != null, "channel", "one of " + List.of(Channel.values()))) {
      return;
    }
    v.check(body != null && !body.isBlank(), "body", "a template is required");
    if (subject != null) {
      v.capture("subject", () -> render("subject", subject, SAMPLE_ALERT, true));
    }
    if (body != null && !body.isBlank()) {
      String out = v.capture("body", () -> render("body", body, SAMPLE_ALERT, true));
      if (out != null && channel == Channel.SMS) {
        v.check(out.length() <= 500, "body", "an SMS renders to at most 500 characters (the sample gave "
            + out.length() + ")");
      }
    }
  }

  /** Renders one part of the template with an alert's data; strict refuses unknown variables. */
  public String render(String part, String source, Map<String, ?> alert, boolean strict) {
    return Template.compile(part, source).render(part, alert, escapeFor(channel), strict);
  }
}
