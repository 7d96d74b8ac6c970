package io.vigil.notifier.state;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Group commit of the notifier's Redis writes: writes submitted from any thread queue up, and one
 * writer thread sends whatever is queued as one pipelined round trip, then completes each write's
 * future. While a round trip is out the next batch gathers, so under load dozens of events share a
 * round trip and no thread waits on Redis per command; with nothing else queued a write goes out at
 * once (no linger).
 *
 * <p>Writes run in submission order, batch after batch, so a {@link #barrier()} completes once every
 * write submitted before it is answered: an event is finished (its offset may be committed) only
 * when its state is durable. A future answers {@code false} when Redis did not take the batch (down,
 * or the breaker open): the caller's in-memory copy serves, the degraded path counted.
 */
public final class StateWrites implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StateWrites.class);
  private static final int MAX_BATCH = 1024;
  private static final String COMPONENT = "notifier_state";

  /**
   * One write (or, through {@link #pipelined}, a read), given the pipeline's operations; the group
   * commit does not read answers.
   */
  @FunctionalInterface
  public interface Write {
    void apply(RedisOperations<String, String> ops);
  }

  private record Pending(Write write, CompletableFuture<Boolean> done) {}

  private static final Write NOTHING = ops -> {};

  private final StringRedisTemplate redis;
  private final CircuitBreaker breaker;
  private final DependencyMetrics dependencies;
  private final BlockingQueue<Pending> queue;
  private final DistributionSummary batches;
  private final Thread writer;
  private volatile boolean closed;

  public StateWrites(StringRedisTemplate redis, CircuitBreaker breaker, DependencyMetrics dependencies, int capacity,
      MeterRegistry registry) {
    this.redis = redis;
    this.breaker = breaker;
    this.dependencies = dependencies;
    this.queue = new LinkedBlockingQueue<>(capacity);
    Gauge.builder("vigil.notifier.state.writes.queued", queue, BlockingQueue::size)
        .description("Redis writes of the pipeline's state waiting for the next round trip").register(registry);
    this.batches = DistributionSummary.builder("vigil.notifier.state.writes.batch")
        .description("Redis writes sent in one pipelined round trip").register(registry);
    this.writer = new Thread(this::loop, "vigil-notify-state-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Queues a write; its future answers true once Redis took it, false when Redis did not (then it is
   * not retried: the in-memory copy and the next write of the same key carry on). Blocks while the
   * queue is full (backpressure to the lanes).
   */
  public CompletableFuture<Boolean> submit(Write write) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    if (closed) {
      done.complete(false);
      return done;
    }
    try {
      queue.put(new Pending(write, done));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.complete(false);
    }
    return done;
  }

  /** Completes once every write submitted before it was answered (true if Redis took this barrier's batch). */
  public CompletableFuture<Boolean> barrier() {
    return submit(NOTHING);
  }

  /** Waits for a barrier, at most {@code timeoutMs}; false when Redis did not answer in time. */
  public boolean sync(long timeoutMs) {
    try {
      return barrier().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private void loop() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        boolean ok = send(batch);
        for (Pending p : batch) {
          p.done().complete(ok);
        }
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } catch (RuntimeException | Error e) {
        // the writer must live on: the batch counts as not taken
        log.error("the notifier's state writer failed on a batch of {}", batch.size(), e);
        batch.forEach(p -> p.done().complete(false));
      } finally {
        batch.clear();
      }
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().complete(false);
    }
  }

  /**
   * Runs commands as one pipelined round trip, now, on the caller's thread, and answers what they
   * answered, in order (a group flush reads its hashes this way); a failure throws (Spring's {@code
   * DataAccessException}). The group commit's writer sends its batches with it.
   */
  @SuppressWarnings("unchecked")
  public static List<Object> pipelined(StringRedisTemplate redis, Write writes) {
    return redis.executePipelined(new SessionCallback<Object>() {
      @Override
      public <K, V> Object execute(RedisOperations<K, V> operations) {
        writes.apply((RedisOperations<String, String>) operations);
        return null;
      }
    });
  }

  private boolean send(List<Pending> batch) {
    boolean anything = batch.stream().anyMatch(p -> p.write() != NOTHING);
    if (!anything) {
      return true;
    }
    batches.record(batch.size());
    try {
      breaker.executeRunnable(() -> pipelined(redis, ops -> {
        for (Pending p : batch) {
          p.write().apply(ops);
        }
      }));
      return true;
    } catch (CallNotPermittedException e) {
      dependencies.degraded(COMPONENT, "redis_down");
      return false;
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      dependencies.degraded(COMPONENT, "redis_down");
      return false;
    }
  }

  @Override
  public void close() {
    closed = true; // the writer sends what is queued, then ends
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
