package io.vigil.cmdb.instances;

/** What a write did. */
public enum WriteOutcome {
  /** The new version was stored (and published). */
  APPLIED,
  /** The same version with the same content was already stored: a retry, nothing to do. */
  UNCHANGED,
  /** The stored version is newer (or equal with other content) and the writer asked to ignore that. */
  IGNORED_STALE
}
