package io.vigil.gateway.ingest;

import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The steps every ingestion route shares: whose namespace it is, and Kafka's acknowledgement. */
final class Handoff {

  private Handoff() {}

  /** The namespace, when the product writes it (403 otherwise; 503 before the first load). */
  static NamespaceConfig ownNamespace(AccessConfigCache access, String product, String name) {
    return access.ownedBy(product, name);
  }

  /**
   * Waits until Kafka acknowledged every send. Nothing is answered 2xx that Kafka has not: past the
   * timeout the sender gets 503 and retries the whole request (readers drop what they already hold).
   */
  static void awaitAcks(List<CompletableFuture<?>> sends, Duration timeout, String what) {
    try {
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DependencyUnavailableException("kafka", "interrupted while waiting for Kafka", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new DependencyUnavailableException("kafka", "the " + what + " were not acknowledged by Kafka in time", e);
    }
  }
}
