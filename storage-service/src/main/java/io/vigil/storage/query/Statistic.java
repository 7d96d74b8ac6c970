package io.vigil.storage.query;

import java.util.Locale;

/** The statistic a series query returns per point, read from each window's sum, count, min, max and last. */
public enum Statistic {
  AVG,
  SUM,
  MIN,
  MAX,
  COUNT,
  LAST;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The statistic by its word ({@code avg}), or null for an unknown word. */
  public static Statistic of(String word) {
    for (Statistic s : values()) {
      if (s.word().equals(word)) {
        return s;
      }
    }
    return null;
  }
}
