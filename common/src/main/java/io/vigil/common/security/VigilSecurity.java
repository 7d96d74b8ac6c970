package io.vigil.common.security;

import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Problems;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * The security every service shares: stateless API-key authentication, the three public actuator
 * endpoints open (health, prometheus, info), everything else authenticated, and 401/403 answered
 * as problem+json (these run before the controller advice can). A service that needs role rules
 * builds its own chain: {@code VigilSecurity.base(http, resolver).authorizeHttpRequests(...)}.
 */
public final class VigilSecurity {

  public static final String[] PUBLIC_PATHS = {
    "/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info", "/error"
  };

  /** The OpenAPI document and Swagger UI, readable without a key where a service serves them. */
  public static final String[] API_DOC_PATHS = {
    "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**"
  };

  private VigilSecurity() {}

  /** The shared chain of a service whose API document is public: every other route authenticated. */
  public static org.springframework.security.web.SecurityFilterChain withPublicApiDocs(HttpSecurity http,
      CredentialResolver resolver) throws Exception {
    return base(http, resolver)
        .authorizeHttpRequests(a -> a
            .requestMatchers(PUBLIC_PATHS).permitAll()
            .requestMatchers(API_DOC_PATHS).permitAll()
            .anyRequest().authenticated())
        .build();
  }

  public static HttpSecurity base(HttpSecurity http, CredentialResolver resolver) throws Exception {
    return http
        .csrf(c -> c.disable()) // API keys in headers, no cookies: nothing for CSRF to ride on
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .addFilterBefore(new ApiKeyAuthenticationFilter(resolver), BasicAuthenticationFilter.class)
        .exceptionHandling(e -> e
            .authenticationEntryPoint((req, res, ex) ->
                Problems.write(req, res, ErrorCode.UNAUTHENTICATED, "a valid API key is required", "Authorization"))
            .accessDeniedHandler((req, res, ex) ->
                Problems.write(req, res, ErrorCode.FORBIDDEN, "not allowed for this credential", null)));
  }
}
