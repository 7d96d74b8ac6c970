package io.vigil.cmdb.instances;

/** What a write older than the stored version gets: never applied, either refused or skipped. */
public enum OnStale {
  /** 409 problem+json naming the item; a batch writes nothing. */
  REJECT,
  /** Skipped and reported as {@link WriteOutcome#IGNORED_STALE}; the rest of a batch is written. */
  IGNORE
}
