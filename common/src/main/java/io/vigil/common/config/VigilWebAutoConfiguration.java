package io.vigil.common.config;

import io.vigil.common.error.VigilFallbackProblemHandler;
import io.vigil.common.error.VigilProblemHandler;
import io.vigil.common.security.ConfiguredCredentials;
import io.vigil.common.security.CredentialResolver;
import io.vigil.common.security.VigilSecurity;
import io.vigil.common.security.VigilSecurityProperties;
import io.vigil.common.web.BodySizeLimitFilter;
import io.vigil.common.web.HandlerLogContext;
import io.vigil.common.web.TraceFilter;
import io.vigil.common.web.VigilWebProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * HTTP plumbing every service shares: problem+json errors, the body size limit, trace propagation,
 * and API-key security.
 */
@AutoConfiguration(before = UserDetailsServiceAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({VigilWebProperties.class, VigilSecurityProperties.class})
public class VigilWebAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  VigilProblemHandler vigilProblemHandler() {
    return new VigilProblemHandler();
  }

  /** The catch-all, apart and last, so a service's own advice is never hidden by it. */
  @Bean
  @ConditionalOnMissingBean
  VigilFallbackProblemHandler vigilFallbackProblemHandler() {
    return new VigilFallbackProblemHandler();
  }

  @Bean
  FilterRegistrationBean<TraceFilter> vigilTraceFilter(@Value("${spring.application.name}") String service,
      @Value("${vigil.region:local}") String region, @Value("${vigil.set:}") String set) {
    FilterRegistrationBean<TraceFilter> reg = new FilterRegistrationBean<>(new TraceFilter(service, region, set));
    reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
    return reg;
  }

  @Bean
  FilterRegistrationBean<BodySizeLimitFilter> vigilBodySizeLimitFilter(VigilWebProperties properties) {
    FilterRegistrationBean<BodySizeLimitFilter> reg =
        new FilterRegistrationBean<>(new BodySizeLimitFilter(properties.maxBodySize().toBytes(),
            properties.routeLimits().stream().collect(java.util.stream.Collectors.toMap(
                VigilWebProperties.RouteLimit::pattern, r -> r.maxBodySize().toBytes(), (a, b) -> a,
                java.util.LinkedHashMap::new))));
    reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return reg;
  }

  @Bean
  WebMvcConfigurer vigilHandlerLogContext() {
    return new WebMvcConfigurer() {
      @Override
      public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerLogContext());
      }
    };
  }

  @Bean
  @ConditionalOnMissingBean
  CredentialResolver credentialResolver(VigilSecurityProperties properties) {
    return new ConfiguredCredentials(properties);
  }

  /**
   * API keys (checked by {@code ApiKeyAuthenticationFilter}) are the only way in. This manager
   * accepts no other kind of authentication, and its presence keeps Boot from creating a default
   * user with a generated password (which Boot would log).
   */
  @Bean
  @ConditionalOnMissingBean
  AuthenticationManager vigilAuthenticationManager() {
    return new ProviderManager(new AuthenticationProvider() {
      @Override
      public Authentication authenticate(Authentication authentication) {
        return null; // not ours: ProviderManager then refuses it
      }

      @Override
      public boolean supports(Class<?> authentication) {
        return false;
      }
    });
  }

  @Bean
  @ConditionalOnMissingBean(SecurityFilterChain.class)
  SecurityFilterChain vigilSecurityFilterChain(HttpSecurity http, CredentialResolver resolver) throws Exception {
    return VigilSecurity.base(http, resolver)
        .authorizeHttpRequests(a -> a
            .requestMatchers(VigilSecurity.PUBLIC_PATHS).permitAll()
            .anyRequest().authenticated())
        .build();
  }
}
