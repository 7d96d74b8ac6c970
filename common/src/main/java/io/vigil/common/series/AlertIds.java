package io.vigil.common.series;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The stable ids of the alert path, derived, never drawn at random, so every retry and redelivery
 * of the same thing carries the same id and readers deduplicate by it:
 *
 * <ul>
 *   <li>{@code eventId} = hash(alertKey, sequence): one alert event, whoever sends it how often;
 *   <li>{@code notificationId} = hash(eventId, recipient, channel): one delivery to one person on one
 *       channel, sent to receivers as the idempotency header.
 * </ul>
 *
 * The hash is XXH64 over length-prefixed UTF-8 parts (like {@link SeriesId}) with seeds of their
 * own, written as 16 lower-case hex digits. Golden values pin them in {@code AlertIdsTest}.
 */
public final class AlertIds {

  /** ASCII {@code vigilE} then form version 1. */
  public static final long EVENT_SEED = 0x76_69_67_69_6C_45_00_01L;
  /** ASCII {@code vigilN} then form version 1. */
  public static final long NOTIFICATION_SEED = 0x76_69_67_69_6C_4E_00_01L;

  private AlertIds() {}

  public static String eventId(String alertKey, long sequence) {
    byte[] form = form(alertKey, Long.toString(sequence));
    return SeriesId.hex(XxHash64.hash(form, 0, form.length, EVENT_SEED));
  }

  public static String notificationId(String eventId, String recipient, String channel) {
    byte[] form = form(eventId, recipient, channel);
    return SeriesId.hex(XxHash64.hash(form, 0, form.length, NOTIFICATION_SEED));
  }

  private static byte[] form(String... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String part : parts) {
      if (part == null) {
        throw new IllegalArgumentException("an id part is missing");
      }
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      out.write(b.length >>> 24);
      out.write(b.length >>> 16);
      out.write(b.length >>> 8);
      out.write(b.length);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }
}
