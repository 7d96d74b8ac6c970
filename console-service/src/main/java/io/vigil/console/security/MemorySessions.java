package io.vigil.console.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.session.MapSession;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;

/**
 * Spring Session's map repository with the one thing it lacks: a session nobody comes back to is
 * removed. A look-up drops an expired session it finds; making a session sweeps every expired one,
 * at most once a minute, so the map holds no more than the sessions of the last idle timeout.
 */
public final class MemorySessions implements SessionRepository<MapSession> {

  static final long SWEEP_EVERY_MS = 60_000;

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final MapSessionRepository delegate = new MapSessionRepository(sessions);
  private final Clock clock;
  private final AtomicLong lastSweepMs;

  public MemorySessions(Duration idleTimeout, Clock clock) {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("server.servlet.session.timeout must be positive: " + idleTimeout);
    }
    delegate.setDefaultMaxInactiveInterval(idleTimeout);
    this.clock = clock;
    this.lastSweepMs = new AtomicLong(clock.millis());
  }

  @Override
  public MapSession createSession() {
    long now = clock.millis();
    long last = lastSweepMs.get();
    if (now - last >= SWEEP_EVERY_MS && lastSweepMs.compareAndSet(last, now)) {
      sessions.values().removeIf(s -> expired(s, now));
    }
    return delegate.createSession();
  }

  @Override
  public void save(MapSession session) {
    delegate.save(session);
  }

  @Override
  public MapSession findById(String id) {
    MapSession session = delegate.findById(id);
    if (session != null && expired(session, clock.millis())) {
      deleteById(id); // the map repository judges by the system clock; this one by the console's
      return null;
    }
    return session;
  }

  @Override
  public void deleteById(String id) {
    delegate.deleteById(id);
  }

  public int size() {
    return sessions.size();
  }

  private static boolean expired(Session s, long nowMs) {
    Duration max = s.getMaxInactiveInterval();
    return !max.isNegative() && nowMs - s.getLastAccessedTime().toEpochMilli() >= max.toMillis();
  }
}
