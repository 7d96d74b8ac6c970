package io.vigil.common.semantics;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a product signs its requests with its credential (key id + secret), and how Vigil checks them:
 * HMAC-SHA256 over the method, path, query, timestamp, nonce and the body's hash. The written spec,
 * with test vectors, is {@code docs/request-signing.md}; this class is the one implementation, used
 * by the gateway to verify and by {@code bin/vigil push} and the tests to sign.
 */
public final class RequestSigning {

  public static final String ALGORITHM = "VIGIL-HMAC-SHA256";
  public static final String TIMESTAMP_HEADER = "X-Vigil-Timestamp";
  public static final String NONCE_HEADER = "X-Vigil-Nonce";
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
  private static final Pattern AUTHORIZATION = Pattern.compile(
      ALGORITHM + " Credential=([A-Za-z0-9_.-]{1,128}), Signature=([0-9a-f]{64})");

  private RequestSigning() {}

  /** A request as signed: the parts the signature covers. */
  public record Request(String method, String path, Map<String, List<String>> query, long timestampMs, String nonce,
      byte[] body) {}

  /**
   * The query a signature covers, from a request's raw query string (as sent, still percent-encoded;
   * null or empty for none): each name with its values in order, decoded; a name without {@code =}
   * has the value "". The verifier and every signer read a query this one way.
   */
  public static Map<String, List<String>> query(String rawQuery) {
    Map<String, List<String>> q = new java.util.LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return q;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return q;
  }

  /** The canonical string of a request (see the spec): what the HMAC is computed over. */
  public static String canonical(Request r) {
    if (r.path() == null || !r.path().startsWith("/")) {
      throw new IllegalArgumentException("the path starts with /");
    }
    List<String[]> pairs = new ArrayList<>();
    if (r.query() != null) {
      r.query().forEach((name, values) -> {
        for (String v : values) {
          pairs.add(new String[] {encode(name), encode(v == null ? "" : v)});
        }
      });
    }
    // by encoded name, then by encoded value (both ASCII after encoding, so byte order)
    pairs.sort(java.util.Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
    List<String> joined = new ArrayList<>();
    pairs.forEach(p -> joined.add(p[0] + "=" + p[1]));
    return ALGORITHM + "\n" + r.method().toUpperCase(java.util.Locale.ROOT) + "\n" + r.path() + "\n"
        + String.join("&", joined) + "\n" + r.timestampMs() + "\n" + r.nonce() + "\n"
        + HexFormat.of().formatHex(sha256(r.body() == null ? new byte[0] : r.body()));
  }

  /** The hex signature of a request under a secret. */
  public static String sign(String secret, Request r) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(canonical(r).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** The {@code Authorization} header value for a signed request. */
  public static String authorization(String keyId, String signature) {
    return ALGORITHM + " Credential=" + keyId + ", Signature=" + signature;
  }

  /** The key id and signature of an {@code Authorization} header, or null if it is not ours. */
  public static String[] parseAuthorization(String header) {
    var m = header == null ? null : AUTHORIZATION.matcher(header);
    return m != null && m.matches() ? new String[] {m.group(1), m.group(2)} : null;
  }

  /** Why a signed request is refused. */
  public enum Failure { MALFORMED, STALE, REPLAYED, BAD_SIGNATURE }

  /** Remembers nonces for the allowed clock skew; answers false for one seen before. */
  @FunctionalInterface
  public interface NonceStore {
    boolean firstSeen(String keyId, String nonce, Duration keep);
  }

  /**
   * Checks a request signed with one of the credential's active secrets (two during a rotation).
   * Order: shape, time, signature, then the nonce (so a forged request cannot burn a nonce).
   *
   * @return null when the request is authentic, else why not
   */
  public static Failure verify(Request r, String keyId, String signature, List<String> activeSecrets, Clock clock,
      Duration maxSkew, NonceStore nonces) {
    if (r.nonce() == null || !NONCE.matcher(r.nonce()).matches() || signature == null) {
      return Failure.MALFORMED;
    }
    if (Math.abs(clock.millis() - r.timestampMs()) > maxSkew.toMillis()) {
      return Failure.STALE;
    }
    byte[] given = signature.getBytes(StandardCharsets.US_ASCII);
    boolean matches = false;
    for (String secret : activeSecrets) {
      matches |= MessageDigest.isEqual(given, sign(secret, r).getBytes(StandardCharsets.US_ASCII));
    }
    if (!matches) {
      return Failure.BAD_SIGNATURE;
    }
    return nonces.firstSeen(keyId, r.nonce(), maxSkew.multipliedBy(2)) ? null : Failure.REPLAYED;
  }

  /** RFC 3986 percent-encoding: unreserved characters stay, every other UTF-8 byte is %XX upper-case. */
  static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
