package io.vigil.notifier.channel.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a webhook receiver can tell that a request came from Vigil and was not changed on the way
 * (signature scheme {@code v1}).
 *
 * <p>Every request carries {@code X-Vigil-Timestamp}: the time Vigil signed it, in milliseconds since
 * the Unix epoch, as a decimal number. When the webhook has a secret it also carries
 * {@code X-Vigil-Signature: v1=<signature>}, where {@code <signature>} is the HMAC-SHA256, written
 * as 64 lower-case hexadecimal digits, computed
 *
 * <ul>
 *   <li>with the key: the secret's UTF-8 bytes;
 *   <li>over: the bytes of the {@code X-Vigil-Timestamp} value exactly as received, then one
 *       {@code .} (0x2E), then the request body's bytes exactly as received (before any JSON parsing
 *       or re-encoding).
 * </ul>
 *
 * <p>To verify, a receiver
 *
 * <ol>
 *   <li>reads both headers; a request without them is not from Vigil (or the webhook has no secret);
 *   <li>computes the signature as above with its copy of the secret;
 *   <li>splits {@code X-Vigil-Signature} at commas, trims each entry, ignores entries that do not start
 *       with {@code v1=} (a later scheme may be added beside it), and accepts the request if any
 *       {@code v1=} entry equals its own result, comparing in constant time;
 *   <li>rejects a timestamp further from its own clock than it tolerates (five minutes is a fair
 *       choice), so a captured request cannot be replayed later;
 *   <li>deduplicates by {@code Idempotency-Key} (the notificationId, also in
 *       {@code X-Vigil-Notification-Id}): a retry is the same notification sent again and is signed
 *       again with a new timestamp.
 * </ol>
 *
 * <p>Example: secret {@code whsec-test-0123456789}, timestamp {@code 1700000000000}, body
 * {@code {"alert":"cpu high"}} give
 * {@code v1=c16d248fb65d61c65d23277d7150dcc3ad1b9895e7c6db59c3a75bd79495d90a}.
 */
public final class WebhookSignature {

  public static final String TIMESTAMP_HEADER = "X-Vigil-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Vigil-Signature";
  public static final String SCHEME = "v1";

  private static final String PREFIX = SCHEME + "=";

  private WebhookSignature() {}

  /** The {@code X-Vigil-Signature} value for a body sent at {@code timestampMs}. */
  public static String sign(String secret, long timestampMs, byte[] body) {
    return PREFIX + hex(secret, Long.toString(timestampMs), body);
  }

  /**
   * Whether {@code signatureHeader} is a valid signature of {@code body} sent with {@code timestampHeader}
   * under {@code secret}. It does not judge the timestamp's age: see the overload with a clock.
   */
  public static boolean verify(String secret, String timestampHeader, byte[] body, String signatureHeader) {
    if (secret == null || timestampHeader == null || body == null || signatureHeader == null) {
      return false;
    }
    byte[] expected = hex(secret, timestampHeader, body).getBytes(StandardCharsets.US_ASCII);
    boolean matches = false;
    for (String entry : signatureHeader.split(",")) {
      String e = entry.trim();
      if (e.startsWith(PREFIX)) {
        matches |= MessageDigest.isEqual(expected, e.substring(PREFIX.length()).getBytes(StandardCharsets.US_ASCII));
      }
    }
    return matches;
  }

  /** As {@link #verify(String, String, byte[], String)}, and the timestamp within {@code tolerance} of the clock. */
  public static boolean verify(String secret, String timestampHeader, byte[] body, String signatureHeader,
      Clock clock, Duration tolerance) {
    long sentMs;
    try {
      sentMs = Long.parseLong(timestampHeader == null ? "" : timestampHeader.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    return Math.abs(clock.millis() - sentMs) <= tolerance.toMillis()
        && verify(secret, timestampHeader, body, signatureHeader);
  }

  private static String hex(String secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
