package io.vigil.notifier.ack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AckLinksTest {

  static final byte[] KEY = "k20261205:bWFzdGVyIGtleSBvZiB0aGUgdGVzdA==".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2026-12-05T03:00:00Z");

  static AckLinks links(Instant at) {
    return new AckLinks(KEY, "https://vigil.example.com/notifier/", Duration.ofHours(24), Clock.fixed(at,
        ZoneOffset.UTC));
  }

  static String token(String link) {
    return link.substring(link.lastIndexOf('/') + 1);
  }

  @Test
  void aLinkNamesItsAlertRecipientAndEpisodeUntilItExpires() {
    String link = links(NOW).link("p1:s:000000000000002a", "user:ann", 1_700_000_000_000L);
    assertThat(link).startsWith("https://vigil.example.com/notifier/v1/ack-links/");
    AckLinks.Claim c = links(NOW.plusSeconds(3600)).verify(token(link));
    assertThat(c.alertKey()).isEqualTo("p1:s:000000000000002a");
    assertThat(c.recipient()).isEqualTo("user:ann");
    assertThat(c.episodeMs()).isEqualTo(1_700_000_000_000L);
    assertThat(links(NOW.plus(Duration.ofHours(24))).verify(token(link))).as("expired").isNull();
  }

  @Test
  void aTamperedOrForeignTokenIsRefused() {
    String t = token(links(NOW).link("p1:s:000000000000002a", "user:ann", 1L));
    String payload = t.substring(0, t.indexOf('.'));
    String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "p1:s:000000000000002a\nuser:eve\n9999999999999\n1".getBytes(StandardCharsets.UTF_8));
    assertThat(links(NOW).verify(forged + t.substring(t.indexOf('.')))).as("another payload, same mac").isNull();
    assertThat(links(NOW).verify(payload + ".AAAA")).isNull();
    assertThat(links(NOW).verify("no-dot")).isNull();
    assertThat(links(NOW).verify("%%%.%%%")).isNull();
    AckLinks other = new AckLinks("another key of sixteen bytes at least".getBytes(StandardCharsets.UTF_8),
        "https://x", Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(other.verify(t)).as("signed with another key").isNull();
    assertThatThrownBy(() -> new AckLinks(new byte[8], "https://x", Duration.ofHours(1), Clock.systemUTC()))
        .hasMessageContaining("16 bytes");
  }
}
