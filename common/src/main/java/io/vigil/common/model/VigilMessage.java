package io.vigil.common.model;

/**
 * A message on one of Vigil's topics. Every message carries the schema version it was written
 * with; a consumer reads the current and the previous version (see {@code docs/architecture.md}).
 */
public interface VigilMessage {

  int schemaVersion();
}
