package io.vigil.gateway.ingest;

import io.vigil.common.semantics.RequestSigning;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nonces seen by this instance, kept for the replay window. One instance's memory: a replay sent to
 * another instance is caught only when the nonces move to Redis (the next step of the ingestion
 * issue); bounded, so a flood cannot grow it without limit.
 */
public class NonceCache implements RequestSigning.NonceStore {

  private static final int MAX = 1_000_000;

  private final Clock clock;
  private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
  private long lastSweep;

  public NonceCache(Clock clock) {
    this.clock = clock;
  }

  @Override
  public boolean firstSeen(String keyId, String nonce, Duration keep) {
    long now = clock.millis();
    sweep(now);
    if (seen.size() >= MAX) {
      return false; // full of live nonces: refuse rather than forget one that may be replayed
    }
    return seen.putIfAbsent(keyId + '\u0000' + nonce, now + keep.toMillis()) == null;
  }

  private void sweep(long now) {
    if (now - lastSweep < 1000) {
      return;
    }
    lastSweep = now;
    seen.values().removeIf(expires -> expires <= now);
  }
}
