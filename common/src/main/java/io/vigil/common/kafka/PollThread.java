package io.vigil.common.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.springframework.context.SmartLifecycle;

/**
 * The life of a consumer that runs on a thread of its own (lanes, broadcast): started and stopped
 * with the application context in the same phase as spring-kafka's containers; stopping wakes the
 * Kafka consumer out of its poll and waits for the thread to finish its own shutdown (drain, commit,
 * close).
 */
abstract class PollThread implements SmartLifecycle {

  protected volatile boolean stopping;
  protected volatile Consumer<String, byte[]> consumer;
  private volatile boolean running;
  private Thread thread;

  /** The thread's body; it returns once {@link #stopping} is set (checking it between polls). */
  protected abstract void loop();

  protected abstract String threadName();

  /** How long {@link #stop()} waits for the thread's own shutdown. */
  protected abstract long stopWaitMs();

  protected void beforeStart() {}

  /** Sleeps up to {@code millis}, ending early when the consumer is stopping. */
  protected void pause(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (!stopping && System.nanoTime() < deadline) {
      Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000L)));
    }
  }

  protected void afterStop() {}

  @Override
  public final synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    stopping = false;
    beforeStart();
    thread = new Thread(this::loop, threadName());
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public final void stop() {
    stopping = true;
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    Thread t = thread;
    if (t != null) {
      try {
        t.join(stopWaitMs());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    afterStop();
    running = false;
  }

  @Override
  public final boolean isRunning() {
    return running;
  }

  @Override
  public final int getPhase() {
    return Integer.MAX_VALUE - 100; // with spring-kafka's containers: stopped early, started late
  }
}
