package io.vigil.common.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
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
import org.springframework.core.env.Environment;

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

  private final ThrowableProxyConverter stackTraces;
  /** {@code ,"process":{"pid":N,"thread":{"name":} up to the thread name's value. */
  private final String processPrefix;
  /** {@code ,"service":{...}} as configured, computed once. */
  private final String service;
  private volatile Second second = new Second(Long.MIN_VALUE, "");

  /** The timestamp's text up to its seconds, for one epoch second (lines come many to a second). */
  private record Second(long epochSecond, String prefix) {}

  public EcsLineFormatter(Environment environment, ThrowableProxyConverter stackTraces) {
    this.stackTraces = stackTraces;
    Long pid = environment.getProperty("spring.application.pid", Long.class);
    this.processPrefix = pid == null ? ",\"process\":{\"thread\":{\"name\":"
        : ",\"process\":{\"pid\":" + pid + ",\"thread\":{\"name\":";
    StringBuilder s = new StringBuilder(",\"service\":{");
    String name = environment.getProperty("logging.structured.ecs.service.name",
        environment.getProperty("spring.application.name"));
    String version = environment.getProperty("logging.structured.ecs.service.version",
        environment.getProperty("spring.application.version"));
    String env = environment.getProperty("logging.structured.ecs.service.environment");
    String node = environment.getProperty("logging.structured.ecs.service.node-name");
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
    StringBuilder b = line(event);
    String out = b.toString();
    release(b);
    return out;
  }

  @Override
  public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
    StringBuilder b = line(event);
    byte[] out = b.toString().getBytes(charset == null ? StandardCharsets.UTF_8 : charset);
    release(b);
    return out;
  }

  private static void release(StringBuilder b) {
    if (b.capacity() > KEEP) {
      BUFFER.remove();
    }
  }

  private StringBuilder line(ILoggingEvent event) {
    StringBuilder b = BUFFER.get();
    b.setLength(0);
    b.append("{\"@timestamp\":\"");
    timestamp(b, event.getInstant());
    b.append("\",\"log\":{\"level\":\"").append(event.getLevel()).append("\",\"logger\":");
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
      string(b, stackTraces.convert(event));
      b.append('}');
    }
    List<Marker> markers = event.getMarkerList();
    if (markers != null && !markers.isEmpty()) {
      TreeSet<String> tags = new TreeSet<>();
      addMarkers(tags, markers.iterator());
      b.append(",\"tags\":[");
      boolean first = true;
      for (String tag : tags) {
        if (!first) {
          b.append(',');
        }
        first = false;
        string(b, tag);
      }
      b.append(']');
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

  /** The MDC's entries, then the event's key-value pairs, each a top-level field (dotted names nested). */
  private static void pairs(StringBuilder b, Map<String, String> mdc, List<KeyValuePair> kvs) {
    boolean dotted = false;
    if (mdc != null) {
      for (String k : mdc.keySet()) {
        dotted |= k.indexOf('.') >= 0;
      }
    }
    if (kvs != null) {
      for (KeyValuePair kv : kvs) {
        dotted |= kv.key.indexOf('.') >= 0;
      }
    }
    if (!dotted) {
      if (mdc != null) {
        mdc.forEach((k, v) -> {
          b.append(",");
          string(b, k);
          b.append(':');
          value(b, v);
        });
      }
      if (kvs != null) {
        for (KeyValuePair kv : kvs) {
          b.append(",");
          string(b, kv.key);
          b.append(':');
          value(b, kv.value);
        }
      }
      return;
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    if (mdc != null) {
      mdc.forEach((k, v) -> put(tree, k, v));
    }
    if (kvs != null) {
      for (KeyValuePair kv : kvs) {
        put(tree, kv.key, kv.value);
      }
    }
    tree.forEach((k, v) -> {
      b.append(",");
      string(b, k);
      b.append(':');
      value(b, v);
    });
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String key, Object value) {
    Map<String, Object> at = tree;
    int from = 0;
    int dot;
    while ((dot = key.indexOf('.', from)) >= 0) {
      String part = key.substring(from, dot);
      Object next = at.get(part);
      if (!(next instanceof Map)) {
        next = new LinkedHashMap<String, Object>();
        at.put(part, next);
      }
      at = (Map<String, Object>) next;
      from = dot + 1;
    }
    at.put(key.substring(from), value);
  }

  private static void value(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
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
        value(b, e.getValue());
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
        value(b, item);
      }
      b.append(']');
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof Short
        || v instanceof Byte || v instanceof java.math.BigInteger || v instanceof java.math.BigDecimal) {
      b.append(v);
    } else if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
      b.append(v);
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
    JsonText.escape(b.append('"'), s).append('"');
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
