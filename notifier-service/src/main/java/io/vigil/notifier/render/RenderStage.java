package io.vigil.notifier.render;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.MessageTemplate;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Channel;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.semantics.Template;
import io.vigil.notifier.ack.AckLinks;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Notice.Message;
import io.vigil.notifier.pipeline.Notice.Recipient;
import io.vigil.notifier.pipeline.Notice.Target;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders every recipient's messages (通知模版): per channel, the template the policy names for it,
 * else the built-in one, in common's sandboxed engine, escaped for the channel. A webhook without a
 * template of its own gets the alert model as a JSON document. An SMS longer than the limit is cut
 * with an ellipsis.
 *
 * <p>A stored template that fails to render (it passed the same renderer against the sample when
 * saved, so only data it never saw can break it) falls back to the built-in template, counted and
 * noted on the trail: a broken template costs a nicer message, never the page.
 */
public final class RenderStage implements Stage {

  private static final Logger log = LoggerFactory.getLogger(RenderStage.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ControlView control;
  private final AckLinks links;
  private final DependencyMetrics dependencies;
  private final int smsMaxChars;
  private final Map<Channel, Compiled> builtIn = new EnumMap<>(Channel.class);
  private final Counter fallbacks;

  private record Compiled(Template subject, Template body) {}

  /** @param links the acknowledgement links put in messages; null when they are not configured */
  public RenderStage(ControlView control, AckLinks links, DependencyMetrics dependencies, int smsMaxChars,
      MeterRegistry registry) {
    this.control = control;
    this.links = links;
    this.dependencies = dependencies;
    this.smsMaxChars = smsMaxChars;
    DefaultTemplates.ALL.forEach((channel, t) -> builtIn.put(channel, new Compiled(
        t.subject() == null ? null : Template.compile("subject", t.subject()), Template.compile("body", t.body()))));
    this.fallbacks = Counter.builder("vigil.notifier.render.fallbacks")
        .description("messages rendered with the built-in template because the stored one failed").register(registry);
  }

  @Override
  public String name() {
    return "render";
  }

  @Override
  public Outcome apply(Notice n) {
    Map<String, Object> model = AlertModel.of(n);
    Map<Channel, String> chosen = n.policy() == null || n.policy().policy().notification().templates() == null
        ? Map.of() : n.policy().policy().notification().templates();
    boolean open = n.event().status() != AlertEvent.AlertStatus.RESOLVED;
    List<Recipient> out = new ArrayList<>(n.recipients().size());
    for (Recipient r : n.recipients()) {
      // each recipient's messages carry its own acknowledgement link (an open alert's only)
      model.put("ackUrl", links == null || !open ? "" : links.link(n.event().alertKey(), r.id(), n.event().firstFiredAtMs()));
      List<Target> ladder = new ArrayList<>(r.ladder().size());
      for (Target t : r.ladder()) {
        ladder.add(t.rendered(render(n, t.channel(), chosen.get(t.channel()), model)));
      }
      out.add(new Recipient(r.id(), ladder));
    }
    n.recipients(out);
    return Outcome.CONTINUE;
  }

  private Message render(Notice n, Channel channel, String templateId, Map<String, Object> model) {
    if (templateId != null) {
      MessageTemplate t = control.template(n.event().tenant(), templateId);
      if (t == null || t.channel() != channel) {
        note(n, channel, "template " + templateId + " is gone or not for " + channel);
      } else {
        try {
          String subject = t.subject() == null ? null : t.render("subject", t.subject(), model, false);
          return limit(channel, new Message(subject, t.render("body", t.body(), model, false)));
        } catch (RuntimeException e) {
          note(n, channel, "template " + templateId + " failed: " + e.getMessage());
        }
      }
    }
    if (channel == Channel.WEBHOOK) {
      return new Message(null, JSON.writeValueAsString(model));
    }
    Compiled c = builtIn.get(channel);
    Template.Escape escape = MessageTemplate.escapeFor(channel);
    return limit(channel, new Message(c.subject() == null ? null : c.subject().render("subject", model, escape, false),
        c.body().render("body", model, escape, false)));
  }

  private void note(Notice n, Channel channel, String what) {
    fallbacks.increment();
    dependencies.degraded("render", "template_failed");
    log.warn("alert {}: {}; the built-in template is used", n.event().alertKey(), what);
    n.step(name(), "NOTE", "template_fallback", what, null, channel, null, n.receivedAtMs());
  }

  private Message limit(Channel channel, Message m) {
    if (channel == Channel.SMS && m.body().length() > smsMaxChars) {
      return new Message(m.subject(), m.body().substring(0, smsMaxChars - 1) + "…");
    }
    return m;
  }
}
