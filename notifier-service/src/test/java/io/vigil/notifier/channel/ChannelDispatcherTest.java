package io.vigil.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.Channel;
import io.vigil.notifier.channel.webhook.WebhookSender;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The dispatcher against real local HTTP servers, through the webhook sender. */
class ChannelDispatcherTest {

  TestSink sink;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    sink = new TestSink();
  }

  @AfterEach
  void stop() {
    sink.close();
  }

  ChannelDispatcher dispatcher(Resilience resilience, Duration timeout) {
    WebhookSender webhook = new WebhookSender(HttpCall.client(timeout), timeout, Fixtures.LOCAL_SINKS,
        Clock.systemUTC());
    return new ChannelDispatcher(Map.of(Channel.WEBHOOK, webhook), Map.of(Channel.WEBHOOK, resilience), 100,
        registry, null);
  }

  double timerCount(String result) {
    var timer = registry.find("vigil.dispatch").tag("channel", "webhook").tag("result", result).timer();
    return timer == null ? -1 : timer.count();
  }

  @Test
  void a503IsTriedAgainAndTheSecondTryDelivers() {
    sink.answering(n -> TestSink.Answer.of(n == 0 ? 503 : 200));

    Delivery d = dispatcher(Fixtures.quick(3), Duration.ofSeconds(2)).deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.delivered()).isTrue();
    assertThat(d.attempts()).isEqualTo(2);
    assertThat(d.reason()).isNull();
    assertThat(sink.count()).isEqualTo(2);
    // both tries carried the same idempotency key
    assertThat(sink.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly("ntf-1");
    assertThat(timerCount("delivered")).isEqualTo(1);
    assertThat(registry.get("vigil.dispatch.attempts").tag("channel", "webhook").counter().count()).isEqualTo(2);
  }

  @Test
  void a400IsNotTriedAgain() {
    sink.answering(n -> TestSink.Answer.of(400));

    Delivery d = dispatcher(Fixtures.quick(3), Duration.ofSeconds(2)).deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.delivered()).isFalse();
    assertThat(d.attempts()).isEqualTo(1);
    assertThat(d.reason()).isEqualTo("http_400");
    assertThat(sink.count()).isEqualTo(1);
    assertThat(timerCount("failed")).isEqualTo(1);
  }

  @Test
  void aSlowReceiverTimesOutIsTriedAgainAndFailsTimeout() {
    sink.answering(n -> new TestSink.Answer(200, "", 5_000));

    long started = System.nanoTime();
    Delivery d = dispatcher(Fixtures.quick(2), Duration.ofMillis(200)).deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.delivered()).isFalse();
    assertThat(d.reason()).isEqualTo("timeout");
    assertThat(d.attempts()).isEqualTo(2);
    assertThat(sink.count()).isEqualTo(2);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(d.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
  }

  @Test
  void repeatedFailuresOpenTheBreakerWhichThenFailsFastWithoutARequest() {
    sink.answering(n -> TestSink.Answer.of(503));
    ChannelDispatcher dispatcher = dispatcher(Fixtures.quick(1), Duration.ofSeconds(2));

    // the breaker judges from 2 calls on (half its window of 4): two failures of two open it
    assertThat(dispatcher.deliver(Fixtures.webhook(sink.url("/h"))).reason()).isEqualTo("http_503");
    assertThat(dispatcher.deliver(Fixtures.webhook(sink.url("/h"))).reason()).isEqualTo("http_503");
    Delivery refused = dispatcher.deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(refused.delivered()).isFalse();
    assertThat(refused.reason()).isEqualTo("breaker_open");
    assertThat(refused.attempts()).isEqualTo(1);
    assertThat(sink.count()).isEqualTo(2);
    assertThat(timerCount("breaker_open")).isEqualTo(1);
    assertThat(registry.get("vigil.dispatch.breakers").tag("channel", "webhook").tag("state", "open").gauge().value())
        .isEqualTo(1);
  }

  @Test
  void permanentFailuresDoNotOpenTheBreaker() {
    sink.answering(n -> TestSink.Answer.of(404));
    ChannelDispatcher dispatcher = dispatcher(Fixtures.quick(1), Duration.ofSeconds(2));

    for (int i = 0; i < 5; i++) {
      assertThat(dispatcher.deliver(Fixtures.webhook(sink.url("/h"))).reason()).isEqualTo("http_404");
    }
    assertThat(sink.count()).isEqualTo(5);
  }

  @Test
  void oneHostsFailuresDoNotOpenTheBreakerOfAnother() throws Exception {
    sink.answering(n -> TestSink.Answer.of(500));
    try (TestSink healthy = new TestSink()) {
      ChannelDispatcher dispatcher = dispatcher(Fixtures.quick(1), Duration.ofSeconds(2));
      dispatcher.deliver(Fixtures.webhook(sink.url("/h")));
      dispatcher.deliver(Fixtures.webhook(sink.url("/h")));
      assertThat(dispatcher.deliver(Fixtures.webhook(sink.url("/h"))).reason()).isEqualTo("breaker_open");

      Delivery other = dispatcher.deliver(Fixtures.webhook(healthy.url("/h")));

      assertThat(other.delivered()).isTrue();
      assertThat(healthy.count()).isEqualTo(1);
      assertThat(registry.get("vigil.dispatch.breakers").tag("channel", "webhook").tag("state", "open").gauge()
          .value()).isEqualTo(1);
      assertThat(registry.get("vigil.dispatch.breakers").tag("channel", "webhook").tag("state", "closed").gauge()
          .value()).isEqualTo(1);
    }
  }

  @Test
  void aFullBulkheadWaitsBrieflyThenFailsBulkheadFull() throws Exception {
    // one place; the first message holds it until the sink is closed
    sink.answering(n -> n == 0 ? new TestSink.Answer(200, "", 10_000) : TestSink.Answer.of(200));
    Resilience onePlace = new Resilience(2, Duration.ofMillis(5), 2.0, Duration.ofMillis(10), 50, 4,
        Duration.ofMinutes(1), 1, Duration.ofMillis(30));
    ChannelDispatcher dispatcher = dispatcher(onePlace, Duration.ofSeconds(20));
    CompletableFuture<Delivery> holder = CompletableFuture.supplyAsync(
        () -> dispatcher.deliver(Fixtures.webhook(sink.url("/slow"))));
    while (sink.count() == 0) {
      Thread.sleep(5);
    }

    Delivery d = dispatcher.deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.delivered()).isFalse();
    assertThat(d.reason()).isEqualTo("bulkhead_full");
    assertThat(d.attempts()).as("a full bulkhead is worth another try").isEqualTo(2);
    assertThat(sink.count()).isEqualTo(1);
    assertThat(timerCount("bulkhead_full")).isEqualTo(1);
    sink.release();
    assertThat(holder.get(5, TimeUnit.SECONDS).delivered()).isTrue();
  }

  @Test
  void aRefusedUrlIsNotTriedAgainAndCountsAsRefused() {
    ChannelDispatcher dispatcher = new ChannelDispatcher(
        Map.of(Channel.WEBHOOK, new WebhookSender(HttpCall.client(Duration.ofSeconds(1)), Duration.ofSeconds(1),
            io.vigil.common.semantics.OutboundUrlPolicy.strict(), Clock.systemUTC())),
        Map.of(Channel.WEBHOOK, Fixtures.quick(3)), 100, registry, null);

    Delivery d = dispatcher.deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.reason()).isEqualTo("url_refused");
    assertThat(d.attempts()).isEqualTo(1);
    assertThat(sink.count()).isZero();
    assertThat(timerCount("refused")).isEqualTo(1);
  }

  @Test
  void neverThrowsEvenWhenASenderBreaks() {
    ChannelSender broken = message -> {
      throw new IllegalStateException("a bug");
    };
    ChannelDispatcher dispatcher = new ChannelDispatcher(Map.of(Channel.WEBHOOK, broken),
        Map.of(Channel.WEBHOOK, Fixtures.quick(3)), 100, registry, null);

    Delivery d = dispatcher.deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.delivered()).isFalse();
    assertThat(d.reason()).isEqualTo("internal_error");
    assertThat(d.attempts()).isEqualTo(1);
  }

  @Test
  void aChannelWithoutASenderFails() {
    ChannelDispatcher dispatcher = new ChannelDispatcher(Map.of(), Map.of(), 100, registry, null);

    Delivery d = dispatcher.deliver(Fixtures.webhook(sink.url("/h")));

    assertThat(d.delivered()).isFalse();
    assertThat(d.reason()).isEqualTo("channel_not_configured");
  }

  @Test
  void aFailedDeliveryIsLoggedOnceWithItsKeysButNotTheBodyOrTheSecret() {
    sink.answering(n -> TestSink.Answer.of(503));
    Logger logger = (Logger) LoggerFactory.getLogger(ChannelDispatcher.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      String secret = "whsec-never-in-a-log-000";
      Outbound message = Fixtures.webhook("ntf-log", sink.url("/h"), secret, Map.of("X-Token", "tok-never-logged"),
          "{\"body\":\"body-never-logged\"}");

      dispatcher(Fixtures.quick(2), Duration.ofSeconds(2)).deliver(message);

      var failures = appender.list.stream().filter(e -> e.getFormattedMessage().contains("delivery failed")).toList();
      assertThat(failures).hasSize(1);
      ILoggingEvent line = failures.get(0);
      assertThat(line.getFormattedMessage()).contains("http_503").contains("2 attempt");
      assertThat(line.getMDCPropertyMap()).containsEntry("notificationId", "ntf-log")
          .containsEntry("channel", "WEBHOOK").containsEntry("alertKey", "ak-1").containsEntry("tenant", "tenant-a");
      for (ILoggingEvent e : appender.list) {
        assertThat(e.getFormattedMessage()).doesNotContain(secret, "tok-never-logged", "body-never-logged");
      }
    } finally {
      logger.detachAppender(appender);
    }
  }
}
