package io.vigil.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Our log line against Spring Boot's {@code ecs} format, both made by Spring Boot's own encoder (so
 * the configuration that names our class is what is tested): for the same events, random and
 * awkward (quotes, control characters, non-ASCII, MDC and key-value fields, dotted names, markers,
 * exceptions with causes, timestamps of every precision), the two lines are the same JSON.
 */
class EcsLineFormatterTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  static StructuredLogEncoder encoder(LoggerContext context, String format) {
    StructuredLogEncoder e = new StructuredLogEncoder();
    e.setContext(context);
    e.setFormat(format);
    e.start();
    return e;
  }

  static LoggerContext context(Map<String, Object> properties) {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().addFirst(new MapPropertySource("test", properties));
    LoggerContext context = new LoggerContext();
    context.putObject(Environment.class.getName(), env);
    return context;
  }

  static final String[] TEXTS = {"plain", "", "with \"quotes\" and \\backslashes\\", "tab\tnew\nline\rcr",
      "control \u0001\u001f\u007f\u009b[31m", "bell\u0007 back\b feed\f", "非 ASCII ✓ and 😀", "</script>", "a/b", "{\"json\":1}"};

  static String text(Random r) {
    return TEXTS[r.nextInt(TEXTS.length)] + (r.nextBoolean() ? "" : " " + r.nextInt(1000));
  }

  static List<LoggingEvent> events(LoggerContext context, int n) {
    Random r = new Random(42);
    List<LoggingEvent> out = new ArrayList<>();
    Level[] levels = {Level.TRACE, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR};
    for (int i = 0; i < n; i++) {
      Logger logger = context.getLogger(r.nextBoolean() ? "io.vigil.detector.detect.AlertEngine" : "x." + text(r));
      Throwable thrown = null;
      if (r.nextInt(5) == 0) {
        thrown = new IllegalStateException(r.nextBoolean() ? null : text(r),
            r.nextBoolean() ? null : new java.io.IOException(text(r)));
      }
      LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, levels[r.nextInt(levels.length)],
          r.nextInt(4) == 0 ? "value {} of {}" : text(r), thrown,
          new Object[] {r.nextInt(), text(r)});
      e.setThreadName(r.nextBoolean() ? "rollupConsumer-0-C-1" : text(r));
      long second = 1_796_000_000L + r.nextInt(100_000);
      int nano = switch (r.nextInt(4)) {
        case 0 -> 0;
        case 1 -> r.nextInt(1000) * 1_000_000;
        case 2 -> r.nextInt(1_000_000) * 1_000;
        default -> r.nextInt(1_000_000_000);
      };
      e.setInstant(Instant.ofEpochSecond(r.nextInt(8) == 0 ? second - second % 60 : second, nano));
      if (r.nextBoolean()) {
        Map<String, String> mdc = new java.util.LinkedHashMap<>();
        mdc.put("traceId", Long.toHexString(r.nextLong()));
        mdc.put("alertKey", text(r));
        if (r.nextInt(4) == 0) {
          mdc.put("http.status", "503"); // a dotted name nests
          mdc.put("http.method", "GET");
        }
        e.setMDCPropertyMap(mdc);
      } else {
        e.setMDCPropertyMap(Map.of());
      }
      if (r.nextInt(4) == 0) {
        e.addKeyValuePair(new KeyValuePair("count", r.nextInt(100)));
        e.addKeyValuePair(new KeyValuePair("ratio", r.nextDouble()));
        e.addKeyValuePair(new KeyValuePair("ok", r.nextBoolean()));
        e.addKeyValuePair(new KeyValuePair("what", text(r)));
        e.addKeyValuePair(new KeyValuePair("items", r.nextBoolean() ? List.of(1, "two") : new int[] {1, 2}));
        e.addKeyValuePair(new KeyValuePair("big", new java.util.concurrent.atomic.AtomicLong(r.nextLong())));
        e.addKeyValuePair(new KeyValuePair("file", java.nio.file.Path.of("/var/lib", text(r).replace('/', '_'))));
        e.addKeyValuePair(new KeyValuePair("none", null));
      }
      if (r.nextInt(6) == 0) { // names that clash: Spring Boot drops such a line, ours drops the pair
        switch (r.nextInt(5)) {
          case 0 -> e.addKeyValuePair(new KeyValuePair("message", "not the message"));
          case 1 -> e.addKeyValuePair(new KeyValuePair("dup", 1));
          case 2 -> e.addKeyValuePair(new KeyValuePair("http", "beside http.status"));
          case 3 -> e.addKeyValuePair(new KeyValuePair("", "no name"));
          default -> e.addKeyValuePair(new KeyValuePair(null, "null name"));
        }
        e.addKeyValuePair(new KeyValuePair("dup", 2));
        e.addKeyValuePair(new KeyValuePair("http.status", "200"));
      }
      if (r.nextInt(5) == 0) {
        var marker = MarkerFactory.getDetachedMarker("B-" + r.nextInt(3));
        if (r.nextBoolean()) {
          marker.add(MarkerFactory.getDetachedMarker("A-inner"));
        }
        e.addMarker(marker);
        if (r.nextBoolean()) {
          e.addMarker(MarkerFactory.getDetachedMarker("COMMONS-LOGGING"));
        }
      }
      out.add(e);
    }
    return out;
  }

  /** Our lines are read with duplicate names refused (a plain read keeps the last, and would hide one). */
  static final JsonMapper STRICT = JsonMapper.builder()
      .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  static JsonNode parse(byte[] line) {
    String s = new String(line, StandardCharsets.UTF_8);
    assertThat(s).endsWith("\n");
    assertThat(s.indexOf('\n')).as("one line").isEqualTo(s.length() - 1);
    assertThat(s.chars().filter(Character::isISOControl).count()).as("only the newline is a raw control: " + s)
        .isEqualTo(1);
    return STRICT.readTree(s);
  }

  void sameAsSpringBoots(Map<String, Object> properties) {
    LoggerContext context = context(properties);
    StructuredLogEncoder spring = encoder(context, "ecs");
    StructuredLogEncoder ours = encoder(context, EcsLineFormatter.class.getName());
    int compared = 0;
    int dropped = 0;
    for (LoggingEvent e : events(context, 3000)) {
      JsonNode actual = parse(ours.encode(e));
      JsonNode expected;
      try {
        expected = JSON.readTree(new String(spring.encode(e), StandardCharsets.UTF_8));
      } catch (RuntimeException refused) { // Spring Boot refuses clashing names: we write the line without them
        dropped++;
        assertThat(actual.path("message").asString()).isEqualTo(e.getFormattedMessage());
        assertThat(actual.path("dup").asInt()).isEqualTo(e.getKeyValuePairs().stream()
            .filter(kv -> "dup".equals(kv.key)).findFirst().map(kv -> (Integer) kv.value).orElseThrow());
        continue;
      }
      compared++;
      assertThat(actual).as("%s", expected).isEqualTo(expected);
    }
    assertThat(compared).isGreaterThan(2500);
    assertThat(dropped).as("lines Spring Boot refuses").isGreaterThan(100);
  }

  @Test
  void writesWhatSpringBootsEcsFormatWritesAsTheServicesConfigureIt() {
    sameAsSpringBoots(Map.of("spring.application.name", "detector", "logging.structured.ecs.service.name", "detector",
        "spring.application.pid", 4242));
  }

  @Test
  void writesTheOptionalServiceFieldsAndNoPidWhenUnknown() {
    sameAsSpringBoots(Map.of("logging.structured.ecs.service.name", "notifier",
        "logging.structured.ecs.service.version", "1.2.3", "logging.structured.ecs.service.environment", "prod",
        "logging.structured.ecs.service.node-name", "pod-7"));
  }

  @Test
  void honoursSpringBootsStackTraceSettings() {
    sameAsSpringBoots(Map.of("spring.application.name", "detector",
        "logging.structured.json.stacktrace.max-length", 300, "logging.structured.json.stacktrace.root", "first"));
  }

  @Test
  void refusesShapingSettingsItWouldIgnore() {
    LoggerContext context = context(Map.of("logging.structured.json.exclude", "process"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> encoder(context, EcsLineFormatter.class.getName()))
        .hasStackTraceContaining("logging.structured.json.exclude");
  }

  @Test
  void aValueHoldingItselfIsWrittenNotFollowedForever() {
    LoggerContext context = context(Map.of("spring.application.name", "x"));
    StructuredLogEncoder ours = encoder(context, EcsLineFormatter.class.getName());
    LoggingEvent e = new LoggingEvent(Logger.class.getName(), context.getLogger("x"), Level.INFO, "m", null, null);
    e.setInstant(Instant.ofEpochSecond(1_796_000_000L));
    e.setMDCPropertyMap(Map.of());
    List<Object> loop = new ArrayList<>();
    loop.add(loop);
    e.addKeyValuePair(new KeyValuePair("loop", loop));
    assertThat(parse(ours.encode(e)).path("loop").isArray()).isTrue();
  }

  @Test
  void aLongLineDoesNotStayInTheThreadsBuffer() {
    LoggerContext context = context(Map.of("spring.application.name", "x"));
    StructuredLogEncoder ours = encoder(context, EcsLineFormatter.class.getName());
    Logger logger = context.getLogger("x");
    String big = "y".repeat(100_000);
    LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, big, null, null);
    e.setInstant(Instant.ofEpochSecond(1_796_000_000L));
    e.setMDCPropertyMap(Map.of());
    assertThat(parse(ours.encode(e)).path("message").asString()).isEqualTo(big);
    LoggingEvent small = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "small", null, null);
    small.setInstant(Instant.ofEpochSecond(1_796_000_000L));
    small.setMDCPropertyMap(Map.of());
    assertThat(parse(ours.encode(small)).path("message").asString()).isEqualTo("small");
  }
}
