package io.vigil.common.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import io.vigil.common.json.JsonText;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.logging.structured.StructuredLogFormatter;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.logging.StackTracePrinter;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Every service's log line: the Elastic Common Schema JSON of Spring Boot's {@code ecs} format,
 * field for field ({@code EcsLineFormatterTest} compares the two on the same events), written
 * straight into a reused buffer. Spring Boot's own formatter composes each line from a tree of
 * member writers; in the profiles of the detector and the notifier that was four fifths of the cost
 * of every line, and the lines (one per alert transition, one per pipeline exit) were a tenth of the
 * detector's consumer thread and a quarter of the notifier's lanes.
 *
 * <p>Selected with {@code logging.structured.format.console=io.vigil.common.logging.EcsLineFormatter}
 * (common's defaults); Spring Boot makes it with the environment and Logback's stack trace converter.
 * Field names with dots nest as ECS says ({@code a.b} becomes {@code "a":{"b":...}}).
 */
public final class EcsLineFormatter implements StructuredLogFormatter<ILoggingEvent> {

  private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(512));
  private static final int KEEP = 16 * 1024; // a buffer grown past this by one long line is not kept

  private final @Nullable StackTracePrinter stackTracePrinter;
  private final ThrowableProxyConverter stackTraces;
  /** {@code ,"process":{"pid":N,"thread":{"name":} up to the thread name's value. */
  private final String processPrefix;
  /** {@code ,"service":{...}} as configured, computed once. */
  private final String service;
  private volatile Second second = new Second(Long.MIN_VALUE, "");

  /** The timestamp's text up to its seconds, for one epoch second (lines come many to a second). */
  private record Second(long epochSecond, String prefix) {}

  public EcsLineFormatter(Environment environment, @Nullable StackTracePrinter stackTracePrinter,
      ThrowableProxyConverter stackTraces) {
    refuseWhatWeDoNotWrite(environment);
    this.stackTracePrinter = stackTracePrinter;
    this.stackTraces = stackTraces;
    Long pid = environment.getProperty("spring.application.pid", Long.class);
    this.processPrefix = pid == null ? ",\"process\":{\"thread\":{\"name\":"
        : ",\"process\":{\"pid\":" + pid + ",\"thread\":{\"name\":";
    StringBuilder s = new StringBuilder(",\"service\":{");
    String name = text(environment, "logging.structured.ecs.service.name", "spring.application.name");
    String version = text(environment, "logging.structured.ecs.service.version", "spring.application.version");
    String env = text(environment, "logging.structured.ecs.service.environment", null);
    String node = text(environment, "logging.structured.ecs.service.node-name", null);
    boolean first = true;
    first = member(s, first, "name", name);
    first = member(s, first, "version", version);
    first = member(s, first, "environment", env);
    if (!first) {
      s.append(',');
    }
    s.append("\"node\":{");
    member(s, true, "name", node);
    s.append("}}");
    this.service = s.toString();
  }

  /** A property's text, else the fallback property's (an empty value counts as unset, as Spring Boot has it). */
  private static String text(Environment environment, String key, String fallback) {
    String v = environment.getProperty(key);
    if ((v == null || v.isEmpty()) && fallback != null) {
      v = environment.getProperty(fallback);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * Spring Boot's JSON shaping settings ({@code logging.structured.json.*}: include, exclude, rename,
   * add, customizer, context) are not applied here: a deployment that sets one fails at start, rather
   * than logging lines that silently ignore it. The stack trace settings are honoured.
   */
  private static void refuseWhatWeDoNotWrite(Environment environment) {
    if (!(environment instanceof ConfigurableEnvironment c)) {
      return;
    }
    for (PropertySource<?> source : c.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> e) {
        for (String name : e.getPropertyNames()) {
          String canonical = name.toLowerCase(java.util.Locale.ROOT).replace('_', '.').replace("-", "");
          if (canonical.startsWith("logging.structured.json.") && !canonical.startsWith("logging.structured.json.stacktrace.")) {
            throw new IllegalStateException(name + " is set, but " + EcsLineFormatter.class.getName()
                + " writes the ecs fields as they are; unset it, or set logging.structured.format.console=ecs");
          }
        }
      }
    }
  }

  private static boolean member(StringBuilder s, boolean first, String key, String value) {
    if (value == null || value.isEmpty()) {
      return first;
    }
    if (!first) {
      s.append(',');
    }
    s.append('"').append(key).append("\":");
    string(s, value);
    return false;
  }

  @Override
  public String format(ILoggingEvent event) {
    StringBuilder b = buffer();
    try {
      return line(b, event).toString();
    } finally {
      release(b);
    }
  }

  @Override
  public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
    StringBuilder b = buffer();
    try {
      return line(b, event).toString().getBytes(charset == null ? StandardCharsets.UTF_8 : charset);
    } finally {
      release(b);
    }
  }

  /** The thread's buffer, or a new one when a line is being written on this thread already (a nested log call). */
  private static StringBuilder buffer() {
    StringBuilder b = BUFFER.get();
    return b.length() == 0 ? b : new StringBuilder(512);
  }

  private static void release(StringBuilder b) {
    b.setLength(0);
    if (b.capacity() > KEEP && b == BUFFER.get()) {
      BUFFER.remove();
    }
  }

  private StringBuilder line(StringBuilder b, ILoggingEvent event) {
    b.append("{\"@timestamp\":");
    Instant at = event.getInstant();
    if (at == null) {
      b.append("null");
    } else {
      b.append('"');
      timestamp(b, at);
      b.append('"');
    }
    b.append(",\"log\":{\"level\":\"").append(event.getLevel()).append("\",\"logger\":");
    string(b, event.getLoggerName());
    b.append('}').append(processPrefix);
    string(b, event.getThreadName());
    b.append("}}").append(service).append(",\"message\":");
    string(b, event.getFormattedMessage());
    pairs(b, event.getMDCPropertyMap(), event.getKeyValuePairs());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      b.append(",\"error\":{\"type\":");
      string(b, thrown.getClassName());
      b.append(",\"message\":");
      string(b, thrown.getMessage());
      b.append(",\"stack_trace\":");
      string(b, stackTracePrinter != null && thrown instanceof ThrowableProxy proxy
          ? stackTracePrinter.printStackTraceToString(proxy.getThrowable()) : stackTraces.convert(event));
      b.append('}');
    }
    List<Marker> markers = event.getMarkerList();
    if (markers != null && !markers.isEmpty()) {
      TreeSet<String> tags = new TreeSet<>();
      addMarkers(tags, markers.iterator());
      b.append(",\"tags\":");
      value(b, tags, 0);
    }
    b.append(",\"ecs\":{\"version\":\"8.11\"}}\n");
    return b;
  }

  private static void addMarkers(TreeSet<String> tags, Iterator<Marker> markers) {
    while (markers.hasNext()) {
      Marker m = markers.next();
      tags.add(m.getName());
      if (m.hasReferences()) {
        addMarkers(tags, m.iterator());
      }
    }
  }

  /** The top-level fields of every line: a context pair of the same name is not written. */
  private static final java.util.Set<String> RESERVED =
      java.util.Set.of("@timestamp", "log", "process", "service", "message", "error", "tags", "ecs");

  /**
   * The MDC's entries, then the event's key-value pairs, each a top-level field, dotted names nested
   * as ECS says. Never two fields of one name: a pair whose name is taken (by a line's own field, an
   * earlier pair, or a nesting, as {@code a} beside {@code a.b}) is left out, and so is one without a
   * name. Spring Boot's formatter drops the whole line for these; a line is worth more than the pair.
   */
  private static void pairs(StringBuilder b, Map<String, String> mdc, List<KeyValuePair> kvs) {
    boolean simple = true;
    if (mdc != null) {
      for (String k : mdc.keySet()) {
        simple &= plain(k);
      }
    }
    boolean anyKv = kvs != null && !kvs.isEmpty();
    if (simple && !anyKv) { // the common case: a few MDC keys, no dots
      if (mdc != null) {
        mdc.forEach((k, v) -> {
          b.append(',');
          string(b, k);
          b.append(':');
          string(b, v);
        });
      }
      return;
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    if (mdc != null) {
      mdc.forEach((k, v) -> put(tree, k, v));
    }
    if (anyKv) {
      for (KeyValuePair kv : kvs) {
        put(tree, kv.key, kv.value);
      }
    }
    tree.forEach((k, v) -> {
      b.append(',');
      string(b, k);
      b.append(':');
      value(b, v == NULL ? null : v, 0);
    });
  }

  /** A name written as it is: not empty, no dot, not a line's own field. */
  private static boolean plain(String k) {
    return k != null && !k.isEmpty() && k.indexOf('.') < 0 && !RESERVED.contains(k);
  }

  /** A pair's null value, told apart from an absent one while the tree is built. */
  private static final Object NULL = new Object();

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String key, Object value) {
    if (key == null) {
      return;
    }
    String[] parts = key.split("\\.");  // trailing empty parts dropped, as Spring Boot splits
    if (parts.length == 0) {
      return;
    }
    Map<String, Object> at = tree;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty() || (i == 0 && RESERVED.contains(part))) {
        return;
      }
      Object there = at.get(part);
      if (i == parts.length - 1) {
        if (there == null) {
          at.put(part, value == null ? NULL : value);
        }
        return; // taken: the first pair of a name stays
      }
      if (there == null) {
        there = new Nested();
        at.put(part, there);
      } else if (!(there instanceof Nested)) {
        return; // a value already, not a nesting
      }
      at = (Map<String, Object>) there;
    }
  }

  /** The maps this class nests names in, told apart from a map that is a pair's value. */
  private static final class Nested extends LinkedHashMap<String, Object> {}

  private static final int DEEPEST = 32;

  private static void value(StringBuilder b, Object v, int depth) {
    if (v == null || v == NULL) {
      b.append("null");
    } else if (depth > DEEPEST) {
      string(b, String.valueOf(v)); // a structure this deep (or holding itself) is written as its text
    } else if (v instanceof CharSequence || v instanceof java.nio.file.Path || v instanceof Character) {
      string(b, v.toString());
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        string(b, String.valueOf(e.getKey()));
        b.append(':');
        value(b, e.getValue(), depth + 1);
      }
      b.append('}');
    } else if (v instanceof Iterable<?> items) {
      b.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          b.append(',');
        }
        first = false;
        value(b, item, depth + 1);
      }
      b.append(']');
    } else if (v.getClass().isArray()) {
      b.append('[');
      int n = java.lang.reflect.Array.getLength(v);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          b.append(',');
        }
        value(b, java.lang.reflect.Array.get(v, i), depth + 1);
      }
      b.append(']');
    } else if (v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Number n) {
      if ((v instanceof Double || v instanceof Float) && !Double.isFinite(n.doubleValue())) {
        string(b, v.toString()); // NaN and the infinities are not JSON numbers
      } else {
        b.append(v);
      }
    } else {
      string(b, String.valueOf(v));
    }
  }

  /** A JSON string (common's escaping), null as null. */
  static void string(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    JsonText.escape(b.append('"'), s, true).append('"');
  }

  /** As {@link Instant#toString()}: seconds, then 3, 6 or 9 digits of fraction as needed, then Z. */
  private void timestamp(StringBuilder b, Instant t) {
    long epochSecond = t.getEpochSecond();
    Second s = second;
    if (s.epochSecond() != epochSecond) {
      LocalDateTime d = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
      if (d.getYear() < 1000 || d.getYear() > 9999) {
        b.append(t); // a clock far off: the JDK's own text, not cached
        return;
      }
      s = new Second(epochSecond, d.toString().length() == 16 ? d + ":00" : d.toString());
      second = s;
    }
    b.append(s.prefix());
    int nano = t.getNano();
    if (nano != 0) {
      b.append('.');
      if (nano % 1_000_000 == 0) {
        digits(b, nano / 1_000_000, 3);
      } else if (nano % 1_000 == 0) {
        digits(b, nano / 1_000, 6);
      } else {
        digits(b, nano, 9);
      }
    }
    b.append('Z');
  }

  private static void digits(StringBuilder b, int value, int width) {
    String v = Integer.toString(value);
    for (int i = v.length(); i < width; i++) {
      b.append('0');
    }
    b.append(v);
  }
}
