package io.vigil.console.system;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The user's time zone: the browser reports it ({@code vigil_tz} cookie, set by console.js from
 * Intl), checked against the IANA names; UTC until then. Times on every page are shown in it.
 */
public record UserZone(ZoneId zone) {

  static final String COOKIE = "vigil_tz";
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  public static UserZone of(HttpServletRequest request) {
    if (request.getCookies() != null) {
      for (Cookie c : request.getCookies()) {
        if (COOKIE.equals(c.getName()) && c.getValue() != null && c.getValue().length() <= 64) {
          try {
            String id = java.net.URLDecoder.decode(c.getValue(), java.nio.charset.StandardCharsets.UTF_8);
            if (ZoneId.getAvailableZoneIds().contains(id)) { // an IANA name, not an offset such as +05:00
              return new UserZone(ZoneId.of(id));
            }
          } catch (DateTimeException | IllegalArgumentException e) {
            // not a zone: UTC
          }
          break;
        }
      }
    }
    return new UserZone(ZoneOffset.UTC);
  }

  /** An instant in the user's zone, e.g. {@code 2026-12-05 16:40:00}; empty for none. */
  public String format(long epochMs) {
    return epochMs <= 0 ? "" : FORMAT.format(Instant.ofEpochMilli(epochMs).atZone(zone));
  }

  public String name() {
    return zone.getId();
  }
}
