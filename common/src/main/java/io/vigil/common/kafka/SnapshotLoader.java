package io.vigil.common.kafka;

/**
 * Loads a broadcast consumer's in-memory copy from the owner's tables before the changes after it
 * are applied. Throwing a dependency error (MySQL down) retries with backoff while readiness stays
 * down; the consumer never applies changes to a copy that was not loaded.
 */
@FunctionalInterface
public interface SnapshotLoader {

  /** For a topic that carries whole content and is read from its beginning: nothing to load. */
  SnapshotLoader NONE = () -> {};

  void load() throws Exception;
}
