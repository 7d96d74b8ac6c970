package io.vigil.common.model;

/**
 * A message on one of Vigil's topics. Every message carries the schema version it was written
 * with; a consumer reads the current version, and the previous one where the type has an upcast
 * step (see {@code docs/architecture.md}).
 */
public interface VigilMessage {

  int schemaVersion();

  /**
   * When the producer made this message, if the message says so (epoch ms; 0 when it does not).
   * Consume delay is measured from here rather than from the record's timestamp, so a rollup of a
   * 1 h window emitted a second ago counts one second of delay, not the window's age.
   */
  default long producedAtMs() {
    return 0;
  }
}
