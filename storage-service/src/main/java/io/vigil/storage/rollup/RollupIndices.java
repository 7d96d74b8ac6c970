package io.vigil.storage.rollup;

import io.vigil.common.series.SeriesId;
import io.vigil.common.store.StoreNames;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where rollups live in Elasticsearch, and when they go: one index per period and time span, named
 * by the UTC start of the span the window starts in ({@code rollups-60s-2026.12.04} for a day, {@code
 * rollups-3600s-2026.12} for a month). Retention deletes whole indices, never documents: an index
 * goes once its whole span is older than its period's retention. A query for a range names exactly
 * the indices the range touches.
 *
 * <p>A rollup's document id is its window's identity (series, period, window start), so a rollup
 * delivered again overwrites its own document instead of adding one.
 */
public final class RollupIndices implements ExpiringIndices {

  /** How much time one index holds. */
  public enum Span {
    DAY("uuuu.MM.dd"),
    MONTH("uuuu.MM");

    private final DateTimeFormatter format;

    Span(String pattern) {
      this.format = DateTimeFormatter.ofPattern(pattern);
    }

    /** The first day of the span this instant (UTC) falls in. */
    public LocalDate start(long epochMs) {
      LocalDate day = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC).toLocalDate();
      return this == DAY ? day : day.withDayOfMonth(1);
    }

    /** The first day of the span after the one starting on this day. */
    public LocalDate next(LocalDate start) {
      return this == DAY ? start.plusDays(1) : start.plusMonths(1);
    }

    /** A span's name part: {@code 2026.12.04} for a day, {@code 2026.12} for a month. */
    public String format(LocalDate start) {
      return format.format(start);
    }

    /** Midnight UTC of a day, in epoch ms. */
    public static long epochMs(LocalDate day) {
      return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
  }

  /** A period's index span and how long its rollups are kept. */
  public record Retention(Span span, Duration keep) {
    public Retention {
      if (span == null || keep == null || keep.isNegative() || keep.isZero()) {
        throw new IllegalArgumentException("a retention needs a span and a positive duration: " + span + ", " + keep);
      }
    }
  }

  /** The defaults: 60 s for 15 days, 300 s for 31, 900 s for 62, 1 h for 93, 1 d for 366. */
  public static Map<Integer, Retention> defaults() {
    Map<Integer, Retention> out = new TreeMap<>();
    out.put(60, new Retention(Span.DAY, Duration.ofDays(15)));
    out.put(300, new Retention(Span.DAY, Duration.ofDays(31)));
    out.put(900, new Retention(Span.DAY, Duration.ofDays(62)));
    out.put(3600, new Retention(Span.MONTH, Duration.ofDays(93)));
    out.put(86400, new Retention(Span.MONTH, Duration.ofDays(366)));
    return out;
  }

  private static final Pattern NAME = Pattern.compile("rollups-(\\d{1,6})s-(\\d{4})\\.(\\d{2})(?:\\.(\\d{2}))?");

  private final StoreNames names;
  private final Map<Integer, Retention> retention;

  public RollupIndices(StoreNames names, Map<Integer, Retention> retention) {
    if (retention.isEmpty()) {
      throw new IllegalArgumentException("no period has a retention");
    }
    this.names = names;
    this.retention = Map.copyOf(retention);
  }

  /** The periods rollups are kept for. */
  public Collection<Integer> periods() {
    return new TreeMap<>(retention).keySet();
  }

  /** The index a rollup of this period and window start goes to. */
  public String indexFor(int periodSeconds, long windowStartMs) {
    Retention r = retentionOf(periodSeconds);
    return names.index("rollups-" + periodSeconds + "s-" + r.span().format(r.span().start(windowStartMs)));
  }

  /** The index template's pattern: every rollup index of this deployment (or test run). */
  @Override
  public String pattern() {
    return names.index("rollups-") + "*";
  }

  /** Every index a query of windows starting in [fromMs, toMs) reads, oldest first. */
  public List<String> indicesFor(int periodSeconds, long fromMs, long toMs) {
    if (toMs <= fromMs) {
      throw new IllegalArgumentException("empty range: " + fromMs + ".." + toMs);
    }
    Retention r = retentionOf(periodSeconds);
    List<String> out = new ArrayList<>();
    for (LocalDate d = r.span().start(fromMs); Span.epochMs(d) < toMs; d = r.span().next(d)) {
      out.add(indexFor(periodSeconds, Span.epochMs(d)));
    }
    return out;
  }

  /**
   * Of these index names, the rollup indices whose whole span is older than their period's retention
   * at {@code nowMs}. Anything else is left alone: indices of other kinds or prefixes, and those of a
   * period without a retention (kept until one is configured).
   */
  @Override
  public List<String> expired(Collection<String> indexNames, long nowMs) {
    List<String> out = new ArrayList<>();
    for (String name : indexNames) {
      parse(name).ifPresent(index -> {
        Retention r = retention.get(index.periodSeconds());
        if (r != null && index.spanEndMs() + r.keep().toMillis() <= nowMs) {
          out.add(name);
        }
      });
    }
    out.sort(null);
    return out;
  }

  /** A rollup index of this deployment by its name: its period and the span it holds. */
  public record Index(int periodSeconds, long spanStartMs, long spanEndMs) {}

  /** The period and span of one of this deployment's rollup indices; empty for any other name. */
  public Optional<Index> parse(String indexName) {
    String prefix = names.indexPrefix();
    if (indexName == null || !indexName.startsWith(prefix)) {
      return Optional.empty();
    }
    Matcher m = NAME.matcher(indexName.substring(prefix.length()));
    if (!m.matches()) {
      return Optional.empty();
    }
    int period = Integer.parseInt(m.group(1));
    Retention r = retention.get(period);
    Span span = m.group(4) == null ? Span.MONTH : Span.DAY;
    if (r != null && r.span() != span) {
      return Optional.empty(); // not a name this deployment writes for the period
    }
    try {
      LocalDate start = LocalDate.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
          span == Span.DAY ? Integer.parseInt(m.group(4)) : 1);
      return Optional.of(new Index(period, Span.epochMs(start), Span.epochMs(span.next(start))));
    } catch (java.time.DateTimeException e) {
      return Optional.empty();
    }
  }

  /** A rollup's document id: its series (16 hex digits), period and window start. */
  public static String documentId(long seriesId, int periodSeconds, long windowStartMs) {
    return SeriesId.hex(seriesId) + "-" + periodSeconds + "-" + windowStartMs;
  }

  /** A period's span and retention; throws {@link IllegalArgumentException} for a period not kept. */
  public Retention retention(int periodSeconds) {
    return retentionOf(periodSeconds);
  }

  private Retention retentionOf(int periodSeconds) {
    Retention r = retention.get(periodSeconds);
    if (r == null) {
      throw new IllegalArgumentException("no retention for rollups of " + periodSeconds + " s (kept: "
          + periods() + ")");
    }
    return r;
  }
}
