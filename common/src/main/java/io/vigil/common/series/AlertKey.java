package io.vigil.common.series;

import java.util.Objects;

/**
 * The identity of one alert: a policy and the series it judges (metric alerts) or the object an
 * event named (event alerts). Every event of one alert carries it and is keyed by it on {@code
 * alerts.events}, so they stay in order. One written form everywhere (record keys, Redis keys, URLs,
 * logs):
 *
 * <ul>
 *   <li>metric alert: {@code <policyId>:s:<16 hex digits of the seriesId>}
 *   <li>event alert: {@code <policyId>:o:<objectId>}
 * </ul>
 *
 * The marker keeps an object id that happens to look like a series id from ever meaning one. A
 * policy id never contains ':'; an object id may.
 */
public record AlertKey(String policyId, long seriesId, String objectId) {

  private static final String SERIES = ":s:";
  private static final String OBJECT = ":o:";

  public AlertKey {
    if (policyId == null || policyId.isBlank() || policyId.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a policy id is non-blank and has no ':': " + policyId);
    }
    if (objectId == null ? seriesId == 0 : (seriesId != 0 || objectId.isEmpty())) {
      throw new IllegalArgumentException("an alert key names either a series or an object");
    }
  }

  public static AlertKey ofSeries(String policyId, long seriesId) {
    return new AlertKey(policyId, seriesId, null);
  }

  public static AlertKey ofObject(String policyId, String objectId) {
    return new AlertKey(policyId, 0, Objects.requireNonNull(objectId, "objectId"));
  }

  /** Reads the written form; throws {@link IllegalArgumentException} for anything else. */
  public static AlertKey parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("no alert key");
    }
    int colon = text.indexOf(':');
    if (colon <= 0 || text.length() < colon + 3) {
      throw new IllegalArgumentException("not an alert key: " + text);
    }
    String policyId = text.substring(0, colon);
    String marker = text.substring(colon, colon + 3);
    String rest = text.substring(colon + 3);
    if (marker.equals(SERIES)) {
      if (rest.length() != 16 || !rest.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException("not a series id in alert key: " + text);
      }
      return ofSeries(policyId, Long.parseUnsignedLong(rest, 16));
    }
    if (marker.equals(OBJECT) && !rest.isEmpty()) {
      return ofObject(policyId, rest);
    }
    throw new IllegalArgumentException("not an alert key: " + text);
  }

  public boolean isSeries() {
    return objectId == null;
  }

  /** The written form. */
  public String value() {
    return isSeries() ? policyId + SERIES + SeriesId.key(seriesId) : policyId + OBJECT + objectId;
  }

  @Override
  public String toString() {
    return value();
  }
}
