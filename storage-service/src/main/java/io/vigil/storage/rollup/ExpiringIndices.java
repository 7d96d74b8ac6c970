package io.vigil.storage.rollup;

import java.util.Collection;
import java.util.List;

/** A kind of time-spanned index that retention deletes whole: where its indices are and which have expired. */
public interface ExpiringIndices {

  /** A wildcard pattern matching every index of this kind (of this deployment or test run). */
  String pattern();

  /** Of these index names, the ones of this kind whose whole span is past retention at {@code nowMs}. */
  List<String> expired(Collection<String> indexNames, long nowMs);
}
