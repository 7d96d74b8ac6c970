package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The test vectors of docs/request-signing.md, and every way a request is refused. */
class RequestSigningTest {

  private static final String SECRET = "s3cr3t-example-not-real";
  private static final long T = 1_764_000_000_000L;

  private static RequestSigning.Request vectorOne() {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("region", List.of("ap-guangzhou"));
    query.put("a b", List.of("\u00e9", "1"));
    query.put("a-", List.of("x"));
    query.put("a", List.of("y"));
    return new RequestSigning.Request("post", "/v1/metrics", query, T, "n0nce-0123456789abcdef",
        "{\"points\":[]}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSpecsVectors() {
    assertThat(RequestSigning.canonical(vectorOne())).isEqualTo(String.join("\n", "VIGIL-HMAC-SHA256", "POST",
        "/v1/metrics", "a=y&a%20b=%C3%A9&a%20b=1&a-=x&region=ap-guangzhou", "1764000000000", "n0nce-0123456789abcdef",
        "ebaa7b33eb9e11c6693b0835eca01e254b1398f5b093a5c2316f05fa1cca223b"));
    assertThat(RequestSigning.sign(SECRET, vectorOne()))
        .isEqualTo("28b5acb802327c52aabc9e2eb00914635ceb2498930cdd4752fbf1bedba2f134");
    var health = new RequestSigning.Request("GET", "/v1/health", Map.of(), T, "abcdefghijklmnop", new byte[0]);
    assertThat(RequestSigning.sign(SECRET, health))
        .isEqualTo("1c2f02a0cea8764858b56b1bd7c2c497fd6a2a67e90a4934522b6c5e53a27975");
  }

  @Test
  void theAuthorizationHeaderRoundTrips() {
    String header = RequestSigning.authorization("key-1", RequestSigning.sign(SECRET, vectorOne()));
    assertThat(RequestSigning.parseAuthorization(header)).containsExactly("key-1",
        "28b5acb802327c52aabc9e2eb00914635ceb2498930cdd4752fbf1bedba2f134");
    assertThat(RequestSigning.parseAuthorization("Bearer abc")).isNull();
    assertThat(RequestSigning.parseAuthorization(header.replace("Signature=2", "Signature=X"))).isNull();
  }

  @Test
  void verificationRefusesStaleForgedAlteredAndReplayedRequests() {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T + 60_000), ZoneOffset.UTC);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    RequestSigning.NonceStore nonces = (key, nonce, keep) -> seen.add(key + "/" + nonce);
    Duration skew = Duration.ofMinutes(5);
    var request = vectorOne();
    String signature = RequestSigning.sign(SECRET, request);

    assertThat(RequestSigning.verify(request, "key-1", signature, List.of(SECRET), clock, skew, nonces)).isNull();
    assertThat(RequestSigning.verify(request, "key-1", signature, List.of(SECRET), clock, skew, nonces))
        .isEqualTo(RequestSigning.Failure.REPLAYED);

    var altered = new RequestSigning.Request("POST", "/v1/metrics", request.query(), T, "n0nce-fedcba9876543210",
        "{\"points\":[1]}".getBytes(StandardCharsets.UTF_8));
    assertThat(RequestSigning.verify(altered, "key-1", signature, List.of(SECRET), clock, skew, nonces))
        .isEqualTo(RequestSigning.Failure.BAD_SIGNATURE);
    assertThat(seen).as("a forged request burns no nonce").doesNotContain("key-1/n0nce-fedcba9876543210");

    Clock late = Clock.fixed(Instant.ofEpochMilli(T + 301_000), ZoneOffset.UTC);
    assertThat(RequestSigning.verify(request, "key-1", signature, List.of(SECRET), late, skew, nonces))
        .isEqualTo(RequestSigning.Failure.STALE);

    var shortNonce = new RequestSigning.Request("POST", "/v1/metrics", Map.of(), T, "short", new byte[0]);
    assertThat(RequestSigning.verify(shortNonce, "key-1", "00", List.of(SECRET), clock, skew, nonces))
        .isEqualTo(RequestSigning.Failure.MALFORMED);
  }

  @Test
  void eitherOfTwoActiveSecretsVerifiesDuringARotation() {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(T), ZoneOffset.UTC);
    var request = new RequestSigning.Request("POST", "/v1/events", Map.of(), T, "rotation-nonce-0001", new byte[0]);
    String withNew = RequestSigning.sign("the-new-secret", request);
    assertThat(RequestSigning.verify(request, "k", withNew, List.of(SECRET, "the-new-secret"), clock,
        Duration.ofMinutes(5), (k, n, keep) -> true)).isNull();
    assertThat(RequestSigning.verify(request, "k", withNew, List.of(SECRET), clock, Duration.ofMinutes(5),
        (k, n, keep) -> true)).isEqualTo(RequestSigning.Failure.BAD_SIGNATURE);
  }

  @Test
  void aRawQueryIsReadOneWayDecodedInOrderAndANameAloneHasTheEmptyValue() {
    assertThat(RequestSigning.query("b=x%20y&a=2&flag&a=1&&c=%E2%9C%93"))
        .containsExactly(Map.entry("b", List.of("x y")), Map.entry("a", List.of("2", "1")),
            Map.entry("flag", List.of("")), Map.entry("c", List.of("\u2713")));
    assertThat(RequestSigning.query(null)).isEmpty();
    assertThat(RequestSigning.query("")).isEmpty();
    // the same query however it is written: one canonical form, so one signature
    var a = new RequestSigning.Request("GET", "/v1/x", RequestSigning.query("a=1&b=2"), T, "abcdefghijklmnop", null);
    var b = new RequestSigning.Request("GET", "/v1/x", RequestSigning.query("b=2&a=%31"), T, "abcdefghijklmnop", null);
    assertThat(RequestSigning.canonical(a)).isEqualTo(RequestSigning.canonical(b));
  }
}
