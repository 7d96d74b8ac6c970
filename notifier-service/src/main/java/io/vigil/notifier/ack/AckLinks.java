package io.vigil.notifier.ack;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring, per-recipient acknowledgement links: an on-call engineer at 3 a.m. holds no API
 * token, so every message carries a link that acknowledges its alert as its recipient.
 *
 * <p>A token is {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))} with the payload
 * {@code alertKey \n recipient \n expiresAtMs \n episodeMs}. The key is derived from the service's key file (by
 * default the master key file) with a label of its own, so no other signature made with that file
 * can pass as a link. Opening the link (GET) only shows a confirmation; the acknowledgement is the
 * form's POST, so a chat app's link preview cannot acknowledge an alert by fetching it.
 */
public final class AckLinks {

  /**
   * What a valid token says.
   *
   * @param episodeMs when the alert's episode began (its {@code firstFiredAtMs}): a link acknowledges
   *     the episode it was sent for, never a later one of the same alert
   */
  public record Claim(String alertKey, String recipient, long expiresAtMs, long episodeMs) {}

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final byte[] key;
  private final String baseUrl;
  private final long ttlMs;
  private final Clock clock;

  /**
   * @param secret the file's bytes the link key is derived from
   * @param baseUrl where recipients reach the notifier, e.g. {@code https://vigil.example.com/notifier}
   */
  public AckLinks(byte[] secret, String baseUrl, Duration ttl, Clock clock) {
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException("the acknowledgement link key needs at least 16 bytes of secret");
    }
    this.key = hmac(secret, "vigil-notifier-ack-links-v1".getBytes(StandardCharsets.UTF_8));
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.ttlMs = ttl.toMillis();
    this.clock = clock;
  }

  /** The link a recipient acknowledges the alert's episode with. */
  public String link(String alertKey, String recipient, long episodeMs) {
    return baseUrl + "/v1/ack-links/" + token(alertKey, recipient, clock.millis() + ttlMs, episodeMs);
  }

  String token(String alertKey, String recipient, long expiresAtMs, long episodeMs) {
    byte[] payload = (alertKey + "\n" + recipient + "\n" + expiresAtMs + "\n" + episodeMs)
        .getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(payload) + "." + B64.encodeToString(hmac(key, payload));
  }

  /**
   * The claim of a token that is well formed, signed with this key and not expired; null otherwise
   * (the caller says no more than "invalid or expired").
   */
  public Claim verify(String token) {
    if (token == null || token.length() > 2048) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    byte[] payload;
    byte[] mac;
    try {
      payload = B64D.decode(token.substring(0, dot));
      mac = B64D.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!MessageDigest.isEqual(mac, hmac(key, payload))) {
      return null;
    }
    String[] parts = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
    if (parts.length != 4) {
      return null;
    }
    long expires;
    long episode;
    try {
      expires = Long.parseLong(parts[2]);
      episode = Long.parseLong(parts[3]);
    } catch (NumberFormatException e) {
      return null;
    }
    if (clock.millis() >= expires) {
      return null;
    }
    return new Claim(parts[0], parts[1], expires, episode);
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
