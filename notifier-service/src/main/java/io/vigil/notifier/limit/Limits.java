package io.vigil.notifier.limit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.notifier.state.Lru;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Sliding-window caps per tenant and per policy, counted in Redis by every notifier instance together
 * (one script: trim the windows, check both caps, count the notice, and past a cap let the first one
 * of the window through as the summary). A notice counted already (its event run again after a
 * restart) passes without counting twice. Redis down: each instance counts alone in memory, which
 * can let up to one cap per instance through; counted as degraded.
 */
public final class Limits {

  /** What the caps say of one notice. */
  public enum Decision { PASS, SUMMARY, LIMITED }

  /** @param scope {@code tenant} or {@code policy} when capped */
  public record Verdict(Decision decision, String scope, int cap, long windowMs) {}

  private static final DefaultRedisScript<Long> TAKE = new DefaultRedisScript<>("""
      local now = tonumber(ARGV[1])
      local window = tonumber(ARGV[2])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
      if redis.call('ZSCORE', KEYS[2], ARGV[5]) then return 0 end
      local scope
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then scope = 1
      elseif redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then scope = 2
      else
        redis.call('ZADD', KEYS[1], now, ARGV[5])
        redis.call('ZADD', KEYS[2], now, ARGV[5])
        redis.call('PEXPIRE', KEYS[1], window)
        redis.call('PEXPIRE', KEYS[2], window)
        return 0
      end
      if redis.call('SET', KEYS[2 + scope], '1', 'NX', 'PX', window) then return scope end
      return scope + 2""", Long.class);

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final long windowMs;
  private final int tenantCap;
  private final int policyCap;
  private final CircuitBreaker breaker;
  private final Lru<String, Window> memory;

  /** An in-memory window of one scope, used while Redis is away. */
  private static final class Window {
    final ArrayDeque<Long> times = new ArrayDeque<>();
    long summaryUntilMs;
  }

  public Limits(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      Duration window, int tenantCap, int policyCap, int memoryEntries) {
    if (tenantCap < 1 || policyCap < 1 || window.toMillis() < 1000) {
      throw new IllegalArgumentException("limits: caps >= 1 and a window of at least a second");
    }
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.windowMs = window.toMillis();
    this.tenantCap = tenantCap;
    this.policyCap = policyCap;
    this.memory = new Lru<>(memoryEntries);
    this.breaker = CircuitBreaker.of("notifier-limits-redis", CircuitBreakerConfig.custom()
        .slidingWindowSize(20).minimumNumberOfCalls(5).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(2)
        .recordExceptions(DataAccessException.class).build());
  }

  /**
   * Counts one notice against its tenant's and its policy's caps.
   *
   * @param occurrence the notice's id (event id, or a repeat's): counted once however often it runs
   */
  public Verdict take(String tenant, String policyId, String occurrence) {
    long now = clock.millis();
    Long code;
    try {
      code = breaker.executeSupplier(() -> redis.execute(TAKE, keysOf(tenant, policyId),
          argsOf(now, occurrence).toArray()));
    } catch (CallNotPermittedException e) {
      dependencies.degraded("limits", "redis_down");
      code = inMemory(tenant, policyId, now);
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      dependencies.degraded("limits", "redis_down");
      code = inMemory(tenant, policyId, now);
    }
    return verdict(code == null ? 0 : code.intValue());
  }

  /** One notice to count: its tenant, policy and occurrence ({@link #take}'s arguments). */
  public record Ask(String tenant, String policyId, String occurrence) {}

  /**
   * Counts several notices ({@link #take} of each, in order) in one pipelined round trip; while
   * Redis is away, in memory as {@link #take} does.
   */
  public Verdict[] takeAll(List<Ask> asks) {
    long now = clock.millis();
    byte[] script = TAKE.getScriptAsString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Object> answers;
    try {
      answers = breaker.executeSupplier(() -> pipelinedAnswers(() -> redis.executePipelined(
          (org.springframework.data.redis.core.RedisCallback<Object>) connection -> {
            for (Ask a : asks) {
              List<String> keys = keysOf(a.tenant(), a.policyId());
              connection.scriptingCommands().eval(script, org.springframework.data.redis.connection.ReturnType.INTEGER,
                  keys.size(), java.util.stream.Stream.concat(keys.stream(), argsOf(now, a.occurrence()).stream())
                      .map(Limits::bytes).toArray(byte[][]::new));
            }
            return null;
          })));
    } catch (CallNotPermittedException e) {
      dependencies.degraded("limits", "redis_down");
      answers = null;
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      dependencies.degraded("limits", "redis_down");
      answers = null;
    }
    Verdict[] out = new Verdict[asks.size()];
    boolean complete = answers != null && answers.size() == out.length;
    for (int i = 0; i < out.length; i++) {
      Ask a = asks.get(i);
      // a notice Redis did not count (the round trip failed, or its script did) is counted here, as take does
      long code;
      if (complete && answers.get(i) instanceof Number c) {
        code = c.longValue();
      } else {
        if (answers != null) {
          dependencies.degraded("limits", "redis_down"); // the round trip's own failure is counted above
        }
        code = inMemory(a.tenant(), a.policyId(), now);
      }
      out[i] = verdict((int) code);
    }
    return out;
  }

  /** The script's keys for one notice: its tenant's and its policy's windows, and their summary marks. */
  private List<String> keysOf(String tenant, String policyId) {
    return List.of(names.redisKey("notifier", "limit", "tenant", tenant),
        names.redisKey("notifier", "limit", "policy", policyId),
        names.redisKey("notifier", "limit", "summary", "tenant", tenant),
        names.redisKey("notifier", "limit", "summary", "policy", policyId));
  }

  /** The script's arguments for one notice, after its keys. */
  private List<String> argsOf(long now, String occurrence) {
    return List.of(Long.toString(now), Long.toString(windowMs), Integer.toString(tenantCap),
        Integer.toString(policyCap), occurrence);
  }

  /** A pipeline's answers; where some commands failed, each answer or its error by its place. */
  private static List<Object> pipelinedAnswers(java.util.function.Supplier<List<Object>> pipeline) {
    try {
      return pipeline.get();
    } catch (org.springframework.data.redis.connection.RedisPipelineException partly) {
      return partly.getPipelineResult();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private Verdict verdict(int c) {
    return switch (c) {
      case 0 -> new Verdict(Decision.PASS, null, 0, windowMs);
      case 1 -> new Verdict(Decision.SUMMARY, "tenant", tenantCap, windowMs);
      case 2 -> new Verdict(Decision.SUMMARY, "policy", policyCap, windowMs);
      case 3 -> new Verdict(Decision.LIMITED, "tenant", tenantCap, windowMs);
      default -> new Verdict(Decision.LIMITED, "policy", policyCap, windowMs);
    };
  }

  private long inMemory(String tenant, String policyId, long now) {
    Window t = window("t:" + tenant);
    Window p = window("p:" + policyId);
    synchronized (this) {
      trim(t, now);
      trim(p, now);
      Window capped;
      long scope;
      if (t.times.size() >= tenantCap) {
        capped = t;
        scope = 1;
      } else if (p.times.size() >= policyCap) {
        capped = p;
        scope = 2;
      } else {
        t.times.addLast(now);
        p.times.addLast(now);
        return 0;
      }
      if (capped.summaryUntilMs <= now) {
        capped.summaryUntilMs = now + windowMs;
        return scope;
      }
      return scope + 2;
    }
  }

  private Window window(String key) {
    synchronized (this) {
      Window w = memory.get(key);
      if (w == null) {
        w = new Window();
        memory.put(key, w);
      }
      return w;
    }
  }

  private void trim(Window w, long now) {
    while (!w.times.isEmpty() && w.times.peekFirst() <= now - windowMs) {
      w.times.pollFirst();
    }
  }
}
