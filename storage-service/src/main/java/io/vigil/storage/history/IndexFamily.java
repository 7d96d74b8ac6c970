package io.vigil.storage.history;

import io.vigil.common.store.StoreNames;
import io.vigil.storage.rollup.ExpiringIndices;
import io.vigil.storage.rollup.RollupIndices.Retention;
import io.vigil.storage.rollup.RollupIndices.Span;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time-spanned indices of one kind of history ({@code alert-events-2026.12}, {@code
 * late-points-2026.12.04}): a document goes to the index of the span its time falls in, a query
 * reads the indices its range touches, and retention deletes an index once its whole span is older
 * than the family's retention.
 */
public final class IndexFamily implements ExpiringIndices {

  private final StoreNames names;
  private final String base;
  private final Retention retention;
  private final Pattern name;

  public IndexFamily(StoreNames names, String base, Retention retention) {
    if (!base.matches("[a-z][a-z-]*[a-z]")) {
      throw new IllegalArgumentException("bad index family name: " + base);
    }
    this.names = names;
    this.base = base;
    this.retention = retention;
    this.name = Pattern.compile(Pattern.quote(base) + "-(\\d{4})\\.(\\d{2})"
        + (retention.span() == Span.DAY ? "\\.(\\d{2})" : ""));
  }

  public String base() {
    return base;
  }

  public Retention retention() {
    return retention;
  }

  private Span span() {
    return retention.span();
  }

  /** The index a document of this time goes to. */
  public String indexFor(long epochMs) {
    return names.index(base + "-" + span().format(span().start(epochMs)));
  }

  /** Every index a query of [fromMs, toMs) reads, oldest first. */
  public List<String> indicesFor(long fromMs, long toMs) {
    if (toMs <= fromMs) {
      throw new IllegalArgumentException("empty range: " + fromMs + ".." + toMs);
    }
    List<String> out = new ArrayList<>();
    for (LocalDate d = span().start(fromMs); Span.epochMs(d) < toMs; d = span().next(d)) {
      out.add(names.index(base + "-" + span().format(d)));
    }
    return out;
  }

  @Override
  public String pattern() {
    return names.index(base + "-") + "*";
  }

  @Override
  public List<String> expired(Collection<String> indexNames, long nowMs) {
    List<String> out = new ArrayList<>();
    String prefix = names.indexPrefix();
    for (String index : indexNames) {
      if (index == null || !index.startsWith(prefix)) {
        continue;
      }
      Matcher m = name.matcher(index.substring(prefix.length()));
      if (!m.matches()) {
        continue;
      }
      LocalDate start;
      try {
        start = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
            retention.span() == Span.DAY ? Integer.parseInt(m.group(3)) : 1);
      } catch (java.time.DateTimeException e) {
        continue;
      }
      if (Span.epochMs(span().next(start)) + retention.keep().toMillis() <= nowMs) {
        out.add(index);
      }
    }
    out.sort(null);
    return out;
  }
}
