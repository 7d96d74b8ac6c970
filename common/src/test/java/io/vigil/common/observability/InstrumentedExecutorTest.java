package io.vigil.common.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InstrumentedExecutorTest {

  @Test
  void gaugesFollowThePoolAndRejectionsAreCounted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ThreadPoolExecutor pool = InstrumentedExecutor.create("test-pool", 1, 1, 2,
        new ThreadPoolExecutor.AbortPolicy(), registry);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    pool.execute(() -> {
      started.countDown();
      await(release);
    });
    started.await(5, TimeUnit.SECONDS);
    pool.execute(() -> {});
    pool.execute(() -> {});
    assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);

    assertThat(gauge(registry, MetricNames.EXECUTOR_ACTIVE)).isEqualTo(1);
    assertThat(gauge(registry, MetricNames.EXECUTOR_POOL_SIZE)).isEqualTo(1);
    assertThat(gauge(registry, MetricNames.EXECUTOR_IDLE)).isEqualTo(0);
    assertThat(gauge(registry, MetricNames.EXECUTOR_QUEUE_SIZE)).isEqualTo(2);
    assertThat(gauge(registry, MetricNames.EXECUTOR_QUEUE_REMAINING)).isEqualTo(0);
    assertThat(registry.get(MetricNames.EXECUTOR_REJECTED).tag("executor", "test-pool").counter().count())
        .isEqualTo(1);

    release.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(registry.get(MetricNames.EXECUTOR_COMPLETED).functionCounter().count()).isEqualTo(3);
  }

  @Test
  void aPoolNameMustBeAFixedWord() {
    assertThatThrownBy(() -> InstrumentedExecutor.create("Pool for user 42", 1, 1, 1,
        new ThreadPoolExecutor.AbortPolicy(), new SimpleMeterRegistry())).isInstanceOf(IllegalArgumentException.class);
  }

  private static double gauge(SimpleMeterRegistry registry, String name) {
    return registry.get(name).tag("executor", "test-pool").gauge().value();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
