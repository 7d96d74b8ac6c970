package io.vigil.common.observability;

import static io.vigil.common.observability.MetricNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The only way Vigil code makes a thread pool: bounded queue, named threads, and gauges for active,
 * idle, pool size, queue size and queue remaining, with counters for completed and rejected tasks,
 * all tagged with the pool's name.
 */
public final class InstrumentedExecutor {

  private InstrumentedExecutor() {}

  /**
   * @param name the pool's name: a fixed word per pool (it becomes a tag value), e.g. {@code
   *     notify-lanes}
   * @param rejection what to do when the queue is full; counted before it runs
   */
  public static ThreadPoolExecutor create(
      String name, int coreThreads, int maxThreads, int queueCapacity, RejectedExecutionHandler rejection,
      MeterRegistry registry) {
    checkName(name);
    ArrayBlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(queueCapacity);
    Counter rejected = Counter.builder(EXECUTOR_REJECTED)
        .description("tasks refused because the pool's queue was full")
        .tag(TAG_EXECUTOR, name)
        .register(registry);
    RejectedExecutionHandler counting = (task, pool) -> {
      rejected.increment();
      rejection.rejectedExecution(task, pool);
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(
        coreThreads, maxThreads, 60, TimeUnit.SECONDS, queue, namedThreads(name), counting);
    Tags tags = poolMeters(name, pool, registry);
    Gauge.builder(EXECUTOR_IDLE, pool, p -> Math.max(0, p.getPoolSize() - p.getActiveCount())).tags(tags)
        .description("threads waiting for a task").register(registry);
    Gauge.builder(EXECUTOR_QUEUE_SIZE, queue, ArrayBlockingQueue::size).tags(tags)
        .description("tasks waiting in the queue").register(registry);
    Gauge.builder(EXECUTOR_QUEUE_REMAINING, queue, ArrayBlockingQueue::remainingCapacity).tags(tags)
        .description("free places in the queue").register(registry);
    return pool;
  }

  /**
   * A single named thread for periodic work (timers, catch-ups), with the same gauges: whether it is
   * running a task, the tasks scheduled and the tasks finished.
   */
  public static ScheduledThreadPoolExecutor scheduled(String name, MeterRegistry registry) {
    checkName(name);
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, namedThreads(name));
    pool.setRemoveOnCancelPolicy(true);
    Tags tags = poolMeters(name, pool, registry);
    Gauge.builder(EXECUTOR_QUEUE_SIZE, pool, p -> p.getQueue().size()).tags(tags)
        .description("tasks waiting in the queue (for a timer: the periodic tasks scheduled)").register(registry);
    return pool;
  }

  private static void checkName(String name) {
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("executor name must be a fixed lower-case word: " + name);
    }
  }

  /** The meters every pool has: threads running a task, threads in the pool, tasks finished. */
  private static Tags poolMeters(String name, ThreadPoolExecutor pool, MeterRegistry registry) {
    Tags tags = Tags.of(TAG_EXECUTOR, name);
    Gauge.builder(EXECUTOR_ACTIVE, pool, ThreadPoolExecutor::getActiveCount).tags(tags)
        .description("threads running a task").register(registry);
    Gauge.builder(EXECUTOR_POOL_SIZE, pool, ThreadPoolExecutor::getPoolSize).tags(tags)
        .description("threads in the pool").register(registry);
    FunctionCounter.builder(EXECUTOR_COMPLETED, pool, ThreadPoolExecutor::getCompletedTaskCount).tags(tags)
        .description("tasks finished").register(registry);
    return tags;
  }

  static ThreadFactory namedThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "vigil-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
