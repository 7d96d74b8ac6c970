package io.vigil.console.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;

/** A session ends after the idle time counted from what a person asked for, not from htmx refreshes. */
class IdleSessionsTest {

  private final ManualClock clock = new ManualClock(1_000_000);
  private final IdleSessions idle = new IdleSessions(Duration.ofHours(12), clock);
  private final MockHttpSession session = new MockHttpSession();

  private MockHttpServletResponse request(boolean htmx) {
    MockHttpServletRequest r = new MockHttpServletRequest("GET", "/");
    r.setSession(session);
    if (htmx) {
      r.addHeader("HX-Request", "true");
    }
    MockHttpServletResponse response = new MockHttpServletResponse();
    boolean go = idle.preHandle(r, response, null);
    assertThat(go).isEqualTo(response.getStatus() == 200);
    return response;
  }

  @Test
  void refreshesDoNotKeepAForgottenTabSignedIn() {
    assertThat(request(false).getStatus()).isEqualTo(200);
    for (int i = 0; i < 12 * 60; i++) { // a refresh a minute for twelve hours
      clock.advance(Duration.ofMinutes(1));
      assertThat(request(true).getStatus()).isEqualTo(200);
    }
    clock.advance(Duration.ofMinutes(1));
    MockHttpServletResponse ended = request(true);
    assertThat(ended.getStatus()).isEqualTo(401);
    assertThat(ended.getHeader("HX-Redirect")).isEqualTo("/sign-in?expired");
    assertThat(session.isInvalid()).isTrue();
  }

  @Test
  void aPageAskedForKeepsTheSessionAndALatePageIsSentToSignIn() {
    request(false);
    clock.advance(Duration.ofHours(11));
    assertThat(request(false).getStatus()).isEqualTo(200);
    clock.advance(Duration.ofHours(11));
    assertThat(request(true).getStatus()).as("11 h since the last page").isEqualTo(200);
    clock.advance(Duration.ofHours(2));
    MockHttpServletResponse late = request(false);
    assertThat(late.getStatus()).isEqualTo(302);
    assertThat(late.getHeader("Location")).isEqualTo("/sign-in?expired");
  }
}
