package io.vigil.notifier.channel;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.Channel;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.semantics.OutboundUrlPolicy;
import io.vigil.notifier.channel.bot.BotSender;
import io.vigil.notifier.channel.email.EmailSender;
import io.vigil.notifier.channel.sms.HttpSmsProvider;
import io.vigil.notifier.channel.sms.SmsProvider;
import io.vigil.notifier.channel.sms.SmsSender;
import io.vigil.notifier.channel.webhook.WebhookSender;
import java.net.InetAddress;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Builds the channel senders from {@link ChannelProperties} and puts them behind the one
 * {@link Dispatcher} the pipeline's dispatch stage calls. A channel whose provider is not configured
 * still has a sender: it fails every message with a reason saying so, and the service starts.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChannelProperties.class)
public class ChannelConfig {

  /**
   * Which webhook and bot URLs may be called: the keys policy-service checks them with when they are
   * saved ({@code vigil.outbound.allow-http}, {@code vigil.outbound.allowed-cidrs}), so one setting
   * decides both, and a URL allowed at save is not refused at send for a setting set in one place only.
   */
  @Bean
  OutboundUrlPolicy outboundUrlPolicy(@Value("${vigil.outbound.allow-http:false}") boolean allowHttp,
      @Value("${vigil.outbound.allowed-cidrs:}") List<String> allowedCidrs) {
    return new OutboundUrlPolicy(allowHttp, allowedCidrs.stream().filter(c -> !c.isBlank()).map(String::trim)
        .toList(), InetAddress::getAllByName);
  }

  @Bean
  Dispatcher channelDispatcher(ChannelProperties properties, OutboundUrlPolicy urls,
      ObjectProvider<JavaMailSender> mail, MeterRegistry registry, ObjectProvider<DependencyMetrics> dependencies) {
    Map<Channel, ChannelSender> senders = senders(properties, urls, mail.getIfAvailable(), Clock.systemUTC(),
        dependencies.getIfAvailable());
    Map<Channel, Resilience> resilience = new EnumMap<>(Channel.class);
    resilience.put(Channel.SMS, properties.sms().resilience());
    resilience.put(Channel.PHONE, properties.phone().resilience());
    resilience.put(Channel.EMAIL, properties.email().resilience());
    resilience.put(Channel.WEBHOOK, properties.webhook().resilience());
    resilience.put(Channel.BOT, properties.bot().resilience());
    return new ChannelDispatcher(senders, resilience, properties.maxHostBreakers(), registry,
        dependencies.getIfAvailable());
  }

  /**
   * One sender per channel; {@code mail} is null when {@code spring.mail.host} is not set. A request
   * the HTTP channels send again after a kept connection was found closed is counted in {@code
   * vigil_degraded_total{component="channel_http",reason="kept_connection_closed"}}.
   */
  static Map<Channel, ChannelSender> senders(ChannelProperties p, OutboundUrlPolicy urls, JavaMailSender mail,
      Clock clock, DependencyMetrics dependencies) {
    Runnable resent = dependencies == null ? () -> { }
        : () -> dependencies.degraded("channel_http", "kept_connection_closed");
    Map<Channel, ChannelSender> senders = new EnumMap<>(Channel.class);
    senders.put(Channel.WEBHOOK, new WebhookSender(HttpCall.client(p.webhook().timeout(), resent),
        p.webhook().timeout(), urls, clock));
    senders.put(Channel.BOT, new BotSender(HttpCall.client(p.bot().timeout(), resent), p.bot().timeout(), urls,
        clock));
    senders.put(Channel.SMS, provider(p.sms(), SmsProvider.Kind.SMS, "sms_not_configured", resent));
    senders.put(Channel.PHONE, provider(p.phone(), SmsProvider.Kind.VOICE, "phone_not_configured", resent));
    if (mail == null) {
      senders.put(Channel.EMAIL, ChannelSender.unavailable("email_not_configured"));
    } else {
      if (mail instanceof JavaMailSenderImpl impl) {
        EmailSender.applyTimeouts(impl, p.email().timeout());
      }
      senders.put(Channel.EMAIL, new EmailSender(mail, p.email().from()));
    }
    return senders;
  }

  private static ChannelSender provider(ChannelProperties.Provider p, SmsProvider.Kind kind, String unconfigured,
      Runnable resent) {
    if (p.endpoint() == null) {
      return ChannelSender.unavailable(unconfigured);
    }
    return new SmsSender(new HttpSmsProvider(HttpCall.client(p.timeout(), resent), p.endpoint(), p.apiKey(),
        p.timeout()), kind);
  }
}
