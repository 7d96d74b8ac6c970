package io.vigil.policy.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.outbox.OutboxRelay;
import io.vigil.common.security.CredentialResolver;
import io.vigil.common.security.VigilSecurity;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.net.InetAddress;
import io.vigil.policy.outbox.ControlOutbox;
import io.vigil.policy.store.ControlStore;
import io.vigil.policy.store.OutboxRow;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class PolicyConfig {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** The relay of control changes, woken at every commit. */
  @Bean
  OutboxRelay<OutboxRow> controlOutboxRelay(ControlOutbox outbox, TransactionTemplate tx, Clock clock,
      ControlStore store, MeterRegistry registry, @Value("${vigil.policy.outbox-poll:1s}") Duration idlePoll) {
    OutboxRelay<OutboxRow> relay = new OutboxRelay<>("control changes", outbox, tx, clock, registry, idlePoll);
    store.onCommit(relay::wake);
    return relay;
  }

  /** The watchdog's product, namespace and policy, made at start when missing (common's Watchdog). */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "vigil.watchdog.enabled",
      matchIfMissing = true)
  io.vigil.policy.objects.WatchdogObjects watchdogObjects(ControlStore store,
      org.springframework.jdbc.core.JdbcTemplate jdbc) {
    return new io.vigil.policy.objects.WatchdogObjects(store, jdbc);
  }

  /**
   * The outbound URL policy webhooks and bots are checked against when saved (the notifier checks
   * again when it sends). Allowing http or internal ranges is for local sinks in development only.
   */
  @Bean
  OutboundUrlPolicy outboundUrlPolicy(@Value("${vigil.outbound.allow-http:false}") boolean allowHttp,
      @Value("${vigil.outbound.allowed-cidrs:}") List<String> allowedCidrs) {
    return new OutboundUrlPolicy(allowHttp, allowedCidrs.stream().filter(s -> !s.isBlank()).toList(),
        InetAddress::getAllByName);
  }

  /** The shared chain, with the OpenAPI document and Swagger UI readable without a key. */
  @Bean
  SecurityFilterChain policySecurityFilterChain(HttpSecurity http, CredentialResolver resolver) throws Exception {
    return VigilSecurity.withPublicApiDocs(http, resolver);
  }
}
