package io.vigil.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * One log line as the services write them: the detector's alert transition (six MDC keys), encoded
 * by Spring Boot's {@code ecs} format and by common's {@code EcsLineFormatter}, each through Spring
 * Boot's encoder as the services configure it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LogLineBenchmark {

  StructuredLogEncoder spring;
  StructuredLogEncoder ours;
  LoggingEvent transition;

  @Setup
  public void setUp() {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().addFirst(new MapPropertySource("bench", Map.of("spring.application.name", "detector",
        "logging.structured.ecs.service.name", "detector", "spring.application.pid", 4242)));
    LoggerContext context = new LoggerContext();
    context.putObject(Environment.class.getName(), env);
    spring = encoder(context, "ecs");
    ours = encoder(context, "io.vigil.common.logging.EcsLineFormatter");
    Logger logger = context.getLogger("io.vigil.detector.detect.AlertEngine");
    transition = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "alert {} {} (sequence {})", null,
        new Object[] {"p-42:s:1e6a06dadb3e556c", "FIRING", 1_796_625_060_000L});
    transition.setThreadName("rollupConsumer-0-C-1");
    transition.setInstant(Instant.ofEpochSecond(1_796_625_060L, 123_456_789));
    Map<String, String> mdc = new LinkedHashMap<>();
    mdc.put("traceId", "cf01b984454a043987ea4987321d86ee");
    mdc.put("eventId", "b68ec15a3140e712");
    mdc.put("policyId", "p-42");
    mdc.put("alertKey", "p-42:s:1e6a06dadb3e556c");
    mdc.put("tenant", "1251763868");
    mdc.put("status", "FIRING");
    transition.setMDCPropertyMap(mdc);
    transition.getFormattedMessage();
  }

  private static StructuredLogEncoder encoder(LoggerContext context, String format) {
    StructuredLogEncoder e = new StructuredLogEncoder();
    e.setContext(context);
    e.setFormat(format);
    e.start();
    return e;
  }

  @Benchmark
  public byte[] springBootEcs() {
    return spring.encode(transition);
  }

  @Benchmark
  public byte[] ecsLineFormatter() {
    return ours.encode(transition);
  }
}
