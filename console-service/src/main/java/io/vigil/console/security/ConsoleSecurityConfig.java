package io.vigil.console.security;

import io.vigil.common.security.VigilSecurity;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;

/**
 * The console's own rules, unlike the APIs': a server-side session (cookie HttpOnly, SameSite=Strict,
 * Secure behind TLS: {@code server.servlet.session.cookie.*}), CSRF tokens on every form (Spring
 * Security's synchronizer token, also sent by htmx as a header), sign-out by POST, and a strict
 * content security policy: scripts and styles only from this origin.
 */
@Configuration
public class ConsoleSecurityConfig {

  /** Sessions a person has left end after {@code vigil.console.idle-timeout} (12 h), refreshes or not. */
  @Bean
  org.springframework.web.servlet.config.annotation.WebMvcConfigurer consoleIdleSessions(
      @org.springframework.beans.factory.annotation.Value("${vigil.console.idle-timeout:12h}") java.time.Duration idle,
      java.time.Clock clock) {
    IdleSessions sessions = new IdleSessions(idle, clock);
    return new org.springframework.web.servlet.config.annotation.WebMvcConfigurer() {
      @Override
      public void addInterceptors(org.springframework.web.servlet.config.annotation.InterceptorRegistry registry) {
        registry.addInterceptor(sessions).excludePathPatterns("/webjars/**", "/console/**", "/actuator/**");
      }
    };
  }

  /** Where a session's user is kept; the sign-in controller saves into the same place. */
  @Bean
  SecurityContextRepository consoleSecurityContextRepository() {
    return new HttpSessionSecurityContextRepository();
  }

  @Bean
  RequestCache consoleRequestCache() {
    HttpSessionRequestCache cache = new HttpSessionRequestCache();
    cache.setMatchingRequestParameterName(null); // no "?continue" in URLs
    // only a page a person asked for is where sign-in returns: never an htmx refresh (a fragment)
    cache.setRequestMatcher(request -> "GET".equals(request.getMethod())
        && !"true".equals(request.getHeader("HX-Request")));
    return cache;
  }

  @Bean
  SecurityFilterChain consoleSecurityFilterChain(HttpSecurity http, SecurityContextRepository contexts,
      RequestCache requestCache) throws Exception {
    LoginUrlAuthenticationEntryPoint toSignIn = new LoginUrlAuthenticationEntryPoint("/sign-in");
    return http
        .securityContext(c -> c.securityContextRepository(contexts))
        .requestCache(r -> r.requestCache(requestCache))
        .authorizeHttpRequests(a -> a
            .requestMatchers(VigilSecurity.PUBLIC_PATHS).permitAll()
            .requestMatchers(VigilSecurity.API_DOC_PATHS).permitAll()
            .requestMatchers("/sign-in", "/webjars/**", "/console/**", "/favicon.ico").permitAll()
            .anyRequest().authenticated())
        .exceptionHandling(e -> e
            // an htmx refresh of an expired session: tell htmx to load the sign-in page instead
            .defaultAuthenticationEntryPointFor((request, response, ex) -> {
              response.setHeader("HX-Redirect", "/sign-in?expired");
              response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            }, new RequestHeaderRequestMatcher("HX-Request", "true"))
            .defaultAuthenticationEntryPointFor(toSignIn, request -> true))
        .logout(l -> l.logoutUrl("/sign-out").logoutSuccessUrl("/sign-in?signed-out")
            .invalidateHttpSession(true).clearAuthentication(true).deleteCookies("VIGIL_CONSOLE"))
        .headers(h -> h
            .contentSecurityPolicy(c -> c.policyDirectives("default-src 'self'; script-src 'self'; style-src 'self';"
                + " img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self';"
                + " frame-ancestors 'none'"))
            .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .build();
  }
}
