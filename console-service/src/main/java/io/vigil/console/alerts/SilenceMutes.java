package io.vigil.console.alerts;

import io.vigil.common.control.Silence;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.semantics.AlertLabels;
import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.TimeWindow;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.system.Maps;
import io.vigil.console.system.TenantNames;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Which alerts of Firing now an active silence mutes, judged as the notifier judges it (common's
 * {@code AlertLabels}, {@code Filter}, {@code Silence.activeAt}); a silence on a policy's own labels
 * is not seen here, as the list reads no policies.
 *
 * <p>A tenant's silences are read once per {@code vigil.console.silence-cache} (10 s) for every user
 * and tab (the list refreshes itself every 15 s), and only for tenants whose alerts storage has just shown this user, so a user
 * sees nothing of a tenant it cannot read. The reads stop after {@link #BUDGET_MS}: a slow
 * policy-service leaves some tenants unjudged (said on the page), never the rows waiting.
 */
@Component
public class SilenceMutes {

  static final long BUDGET_MS = 1_500;
  static final int MAX_TENANTS = 50;

  /** An active silence as judged: its id, window and compiled matchers. */
  record Live(String id, Silence silence, TimeWindow window, List<Filter.Compiled> matchers) {}

  private record Read(long atMs, List<Live> silences) {}

  /** The alerts muted (alert key to silence id), and the tenants whose silences could not be read. */
  public record Muted(Map<String, String> byAlert, List<String> unknownTenants, String reason) {}

  private final Downstream downstream;
  private final DependencyMetrics metrics;
  private final Clock clock;
  private final Map<String, Read> cache = new ConcurrentHashMap<>();
  private final long ttlMs;

  public SilenceMutes(Downstream downstream, DependencyMetrics metrics, Clock clock,
      @org.springframework.beans.factory.annotation.Value("${vigil.console.silence-cache:10s}") java.time.Duration ttl) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
  }

  /**
   * Forgets what was read of a tenant's silences: a silence made or expired in this console shows on
   * the user's next look at Firing now, not up to the cache's time later.
   */
  public void forget(String tenant) {
    if (tenant != null) {
      cache.remove(tenant);
    }
  }

  public Muted of(List<AlertRow> alerts) {
    long start = clock.millis();
    Instant now = clock.instant();
    Map<String, String> muted = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    String reason = null;
    List<String> tenants = alerts.stream().map(AlertRow::tenant).filter(Objects::nonNull).distinct().toList();
    for (int i = 0; i < tenants.size(); i++) {
      String tenant = tenants.get(i);
      List<Live> live;
      try {
        if (i >= MAX_TENANTS || !TenantNames.valid(tenant)) {
          throw new IllegalStateException("too many tenants on one page");
        }
        live = silences(tenant, start);
      } catch (DependencyUnavailableException | ServiceCallException | IllegalStateException e) {
        unknown.add(tenant);
        reason = e instanceof DependencyUnavailableException ? "policy-service is not answering"
            : e instanceof ServiceCallException s ? "policy-service refused (" + s.status() + ")"
            : e.getMessage();
        continue;
      }
      for (AlertRow a : alerts) {
        if (!tenant.equals(a.tenant())) {
          continue;
        }
        Map<String, String> labels = AlertLabels.of(a.dimensions(), null, a.policyId(), a.namespace(), a.region(),
            a.severity(), a.metric(), a.objectId());
        for (Live s : live) {
          if (s.silence().activeAt(now, s.window()) && Filter.all(s.matchers(), labels)) {
            muted.put(a.alertKey(), s.id());
            break;
          }
        }
      }
    }
    if (!unknown.isEmpty()) {
      metrics.degraded("console", "silences_unknown");
    }
    return new Muted(muted, unknown, reason);
  }

  private List<Live> silences(String tenant, long start) {
    long now = clock.millis();
    Read cached = cache.get(tenant);
    if (cached != null && now - cached.atMs() < ttlMs) {
      return cached.silences();
    }
    if (now - start > BUDGET_MS) {
      throw new IllegalStateException("the page's time for reading silences ran out");
    }
    Map<String, Object> page = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "tenants", tenant,
        "silences").queryParam("limit", 1000)));
    List<Live> live = new ArrayList<>();
    for (Object o : Maps.list(page.get("items"))) {
      Map<String, Object> item = Maps.map(o);
      try {
        Silence silence = Maps.LENIENT.convertValue(item.get("spec"), Silence.class);
        TimeWindow window = silence.recurring() == null ? null : silence.recurring().toWindow("recurring");
        if (silence.endsAtMs() == null || silence.endsAtMs() > now) {
          live.add(new Live(String.valueOf(item.get("id")), silence, window, silence.compiledMatchers()));
        }
      } catch (RuntimeException unreadable) {
        metrics.degraded("console", "silence_unreadable");
      }
    }
    cache.put(tenant, new Read(now, List.copyOf(live)));
    if (cache.size() > 10_000) {
      cache.clear(); // bounded: a console never holds more than this many tenants' silences
    }
    return live;
  }
}
