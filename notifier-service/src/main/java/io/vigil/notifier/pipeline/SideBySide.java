package io.vigil.notifier.pipeline;

import io.vigil.common.tracing.TraceContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * How a stage's {@link Stage#applyAll} runs a batch's slow calls (a cmdb look-up, a webhook) side by
 * side rather than one after the other: every job but the last on the given pool (a full pool runs
 * them on the caller, by its rejection policy), the last on the calling thread, each under its notice's
 * trace. A job's failure stays in its future; {@link #failureOf} unwraps it for the stage's answer.
 */
public final class SideBySide {

  private SideBySide() {}

  /** One job of a batch: work for this notice, run under its trace. */
  public record Job<T>(Notice notice, Supplier<T> work) {}

  /** Starts the jobs; future {@code i} is job {@code i}'s. */
  public static <T> List<CompletableFuture<T>> start(List<Job<T>> jobs, Executor executor) {
    List<CompletableFuture<T>> running = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      Job<T> job = jobs.get(i);
      Supplier<T> traced = () -> {
        try (TraceContext.Scope s = TraceContext.bind(job.notice().trace())) {
          return job.work().get();
        }
      };
      running.add(i == jobs.size() - 1 ? CompletableFuture.completedFuture(null).thenApply(x -> traced.get())
          : CompletableFuture.supplyAsync(traced, executor));
    }
    return running;
  }

  /** What a job threw, for a stage's {@code failures}. */
  public static Exception failureOf(CompletionException e) {
    return e.getCause() instanceof Exception cause ? cause : e;
  }
}
