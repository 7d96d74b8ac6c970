package io.vigil.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.Channel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** The wiring: what starts with which configuration, and what the dispatcher then does. */
class ChannelConfigTest {

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class))
      .withUserConfiguration(ChannelConfig.class)
      .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  static Outbound email() {
    return new Outbound("ntf-cfg", "evt-1", "ak-1", "tenant-a", Channel.EMAIL,
        new Destination.Email("oncall@tenant.example"), "subject", "<p>body</p>");
  }

  static Outbound sms() {
    return new Outbound("ntf-cfg-sms", "evt-1", "ak-1", "tenant-a", Channel.SMS, new Destination.Phone("+100"), null,
        "text");
  }

  @Test
  void startsWithoutAnyProviderAndFailsTheirMessagesSayingWhy() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Dispatcher.class);
      Dispatcher dispatcher = context.getBean(Dispatcher.class);

      Delivery email = dispatcher.deliver(email());
      assertThat(email.delivered()).isFalse();
      assertThat(email.reason()).isEqualTo("email_not_configured");
      assertThat(email.attempts()).as("not worth retrying").isEqualTo(1);
      assertThat(dispatcher.deliver(sms()).reason()).isEqualTo("sms_not_configured");
    });
  }

  @Test
  void theDefaultsAreBoundAndAStrictUrlPolicyRefusesALocalWebhook() throws Exception {
    try (TestSink sink = new TestSink()) {
      runner.run(context -> {
        ChannelProperties p = context.getBean(ChannelProperties.class);
        assertThat(p.webhook().retry().maxAttempts()).isEqualTo(3);
        assertThat(p.email().from()).isEqualTo("vigil@localhost");

        Delivery d = context.getBean(Dispatcher.class).deliver(Fixtures.webhook(sink.url("/h")));
        assertThat(d.reason()).isEqualTo("url_refused");
        assertThat(sink.count()).isZero();
      });
    }
  }

  @Test
  void configuredProvidersAndOutboundRulesAreUsed() throws Exception {
    try (TestSink provider = new TestSink(); TestSink hook = new TestSink()) {
      runner.withPropertyValues(
              "vigil.notifier.channels.sms.endpoint=" + provider.url("/send"),
              "vigil.notifier.channels.sms.api-key=provider-key-1",
              "vigil.notifier.channels.webhook.retry.max-attempts=1",
              "vigil.outbound.allow-http=true",
              "vigil.outbound.allowed-cidrs=127.0.0.1/32",
              "spring.mail.host=127.0.0.1",
              "spring.mail.port=" + smtp.getSmtp().getPort(),
              "vigil.notifier.channels.email.from=alerts@vigil.example")
          .run(context -> {
            Dispatcher dispatcher = context.getBean(Dispatcher.class);

            assertThat(dispatcher.deliver(sms()).delivered()).isTrue();
            assertThat(provider.last().header("Authorization")).isEqualTo("Bearer provider-key-1");

            hook.answering(n -> TestSink.Answer.of(503));
            Delivery d = dispatcher.deliver(Fixtures.webhook(hook.url("/h")));
            assertThat(d.reason()).isEqualTo("http_503");
            assertThat(d.attempts()).isEqualTo(1);

            assertThat(dispatcher.deliver(email()).delivered()).isTrue();
            assertThat(smtp.getReceivedMessages()).hasSize(1);
            assertThat(smtp.getReceivedMessages()[0].getFrom()[0].toString()).isEqualTo("alerts@vigil.example");
            JavaMailSenderImpl mail = context.getBean(JavaMailSenderImpl.class);
            assertThat(mail.getJavaMailProperties()).containsEntry("mail.smtp.timeout", "10000");
          });
    }
  }

  @Test
  void anInvalidSettingStopsTheStart() {
    runner.withPropertyValues("vigil.notifier.channels.sms.retry.max-attempts=0")
        .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("maxAttempts"));
  }

  @Test
  void theApiKeyIsNotShownByTheProperties() {
    runner.withPropertyValues("vigil.notifier.channels.phone.api-key=phone-key-secret-7")
        .run(context -> assertThat(context.getBean(ChannelProperties.class).toString())
            .doesNotContain("phone-key-secret-7"));
  }

  @Test
  void dispatchMetersCarryOnlyChannelResultAndState() {
    runner.run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      context.getBean(Dispatcher.class).deliver(Fixtures.webhook("http://127.0.0.1:1/h"));
      var tagKeys = registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("vigil.dispatch"))
          .flatMap(m -> m.getId().getTags().stream()).map(t -> t.getKey()).distinct().toList();
      assertThat(tagKeys).containsExactlyInAnyOrder("channel", "result", "state");
      assertThat(registry.find("vigil.dispatch").tag("channel", "webhook").tag("result", "refused").timer().count())
          .isEqualTo(1);
    });
  }
}
