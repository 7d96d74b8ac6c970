package io.vigil.policy.config;

import io.vigil.common.security.CredentialResolver;
import io.vigil.common.security.VigilSecurity;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

@Configuration(proxyBeanMethods = false)
class PolicyConfig {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
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
    return VigilSecurity.base(http, resolver)
        .authorizeHttpRequests(a -> a
            .requestMatchers(VigilSecurity.PUBLIC_PATHS).permitAll()
            .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll()
            .anyRequest().authenticated())
        .build();
  }
}
