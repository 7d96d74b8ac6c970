package io.vigil.gateway.ingest;

import io.vigil.common.control.AccessConfigCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.ProductEvent;
import io.vigil.common.series.SeriesId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Product events onto {@code events.raw}, keyed by object so one object's events stay in order:
 * checked like points (a registered event type of the product's own namespace, its dimensions,
 * bounded times), accepted partially like points, answered only after Kafka acknowledged them. An
 * event's id is the product's own when it sends one (its idempotency key), else derived from what
 * the event says, so a retried event keeps its id and readers drop the repeat.
 */
public class EventsIngestor {

  /** One event as sent. */
  public record EventIn(String eventId, String eventType, String objectId, String status, String severity,
      Map<String, String> dimensions, Long timestampMs, String message, Map<String, String> payload) {}

  private final AccessConfigCache access;
  private final RateLimiter rateLimiter;
  private final VigilPublisher publisher;
  private final Clock clock;
  private final String region;
  private final Duration maxFuture;
  private final Duration ackTimeout;
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public EventsIngestor(AccessConfigCache access, RateLimiter rateLimiter, VigilPublisher publisher, Clock clock,
      String region, Duration maxFuture, Duration ackTimeout, MeterRegistry registry) {
    this.access = access;
    this.rateLimiter = rateLimiter;
    this.publisher = publisher;
    this.clock = clock;
    this.region = region;
    this.maxFuture = maxFuture;
    this.ackTimeout = ackTimeout;
    this.registry = registry;
  }

  public MetricsIngestor.Result ingest(String product, String namespaceName, List<EventIn> events) {
    NamespaceConfig ns = Handoff.ownNamespace(access, product, namespaceName);
    if (events == null || events.isEmpty() || events.size() > 1000) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "events", "1 to 1000 events");
    }
    rateLimiter.take(product, events.size());
    long now = clock.millis();
    java.util.Set<String> declared = ns.dimensions();
    List<MetricsIngestor.Rejected> refused = new ArrayList<>();
    List<ProductEvent> good = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      EventIn e = events.get(i);
      String at = "events[" + i + "]";
      String field = at;
      String why = null;
      String code = null;
      Map<String, String> dims = null;
      if (e == null) {
        why = "an event is required";
        code = "no_event";
      } else if (e.eventType() == null || !ns.eventTypes().contains(e.eventType())) {
        field = at + ".eventType";
        why = "'" + e.eventType() + "' is not an event type of " + ns.name();
        code = "unknown_event_type";
      } else if (e.objectId() == null || e.objectId().isBlank() || e.objectId().length() > 256) {
        field = at + ".objectId";
        why = "the object the event is about, 1 to 256 characters";
        code = "bad_object";
      } else if (e.timestampMs() == null || e.timestampMs() < now - ns.acceptedPastMs()
          || e.timestampMs() > now + maxFuture.toMillis()) {
        field = at + ".timestampMs";
        why = "within the namespace's accepted past and at most " + maxFuture.toMillis() + " ms ahead";
        code = "bad_time";
      } else if (e.status() != null && !e.status().equals("ABNORMAL") && !e.status().equals("RECOVERED")) {
        field = at + ".status";
        why = "ABNORMAL or RECOVERED";
        code = "bad_status";
      } else if (e.eventId() != null && !e.eventId().matches("[A-Za-z0-9_.:-]{1,128}")) {
        field = at + ".eventId";
        why = "1 to 128 letters, digits or _.:-";
        code = "bad_event_id";
      } else {
        DimensionCheck.Outcome checked = DimensionCheck.check(ns, declared, e.dimensions(), at);
        if (checked.ok()) {
          dims = checked.dimensions();
        } else {
          field = checked.field();
          why = checked.why();
          code = checked.code();
        }
      }
      if (why == null) {
        ProductEvent.EventStatus status = e.status() == null ? ProductEvent.EventStatus.ABNORMAL
            : ProductEvent.EventStatus.valueOf(e.status());
        String id = e.eventId() != null ? e.eventId() : derivedId(ns.name(), e, status);
        try {
          good.add(new ProductEvent(ProductEvent.SCHEMA_VERSION, id, ns.name(), region, e.eventType(), e.objectId(),
              status, dims, e.message(), e.timestampMs(), now, e.severity(), e.payload(),
              dims.get(ns.tenantDimension())));
        } catch (InvalidRecordException invalid) {
          field = at + "." + invalid.field();
          why = invalid.reason();
          code = "invalid";
        }
      }
      if (why != null) {
        refused.add(new MetricsIngestor.Rejected(i, field, why));
        count("vigil.events.rejected", ns.name(), code);
      }
    }
    if (good.isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED,
          refused.stream().map(r -> new FieldProblem(r.field(), r.reason())).toList());
    }
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (ProductEvent event : good) {
      sends.add(publisher.publish(Topics.EVENTS_RAW, event));
    }
    Handoff.awaitAcks(sends, ackTimeout, "events");
    count("vigil.events.accepted", ns.name(), null, good.size());
    return new MetricsIngestor.Result(good.size(), refused);
  }

  /** The same event sent twice gets the same id. */
  static String derivedId(String namespace, EventIn e, ProductEvent.EventStatus status) {
    long h = SeriesId.of(namespace, e.eventType(), e.objectId(), Map.of("status", status.name(), "t",
        Long.toString(e.timestampMs())));
    return "ev-" + SeriesId.hex(h);
  }

  private void count(String name, String namespace, String reason) {
    count(name, namespace, reason, 1);
  }

  private void count(String name, String namespace, String reason, int n) {
    String key = name + '\u0000' + namespace + '\u0000' + reason;
    counters.computeIfAbsent(key, k -> {
      Counter.Builder b = Counter.builder(name).tag("namespace", namespace);
      if (reason != null) {
        b.tag("reason", reason);
      }
      return b.register(registry);
    }).increment(n);
  }
}
