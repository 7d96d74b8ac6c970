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
 * {@code AlertLabels}, {@code Filter}, {@code Silence.activeAt}), the policy's own labels included.
 * A policy's labels are read only for a tenant with a live silence on a field an alert's own
 * fields cannot answer alone (anything but the built-in labels), once per
 * {@code vigil.console.policy-label-cache} (60 s) per policy.
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

  /** The labels every alert carries by itself: a policy's labels never override them. */
  private static final java.util.Set<String> BUILT_IN = java.util.Set.of(AlertLabels.POLICY_ID, AlertLabels.NAMESPACE,
      AlertLabels.REGION, AlertLabels.SEVERITY, AlertLabels.METRIC, AlertLabels.OBJECT_ID);

  /**
   * An active silence as judged: its id, window and compiled matchers, and whether a policy's labels
   * can decide it (a matcher on a field other than the built-in labels).
   */
  record Live(String id, Silence silence, TimeWindow window, List<Filter.Compiled> matchers, boolean policyLabels) {}

  private record Read(long atMs, List<Live> silences) {}

  private record Labels(long atMs, Map<String, String> labels) {}

  /** The alerts muted (alert key to silence id), and the tenants whose silences could not be read. */
  public record Muted(Map<String, String> byAlert, List<String> unknownTenants, String reason) {}

  private final Downstream downstream;
  private final DependencyMetrics metrics;
  private final Clock clock;
  private final Map<String, Read> cache = new ConcurrentHashMap<>();
  private final Map<String, Labels> policyLabels = new ConcurrentHashMap<>();
  private final long ttlMs;
  private final long labelTtlMs;

  public SilenceMutes(Downstream downstream, DependencyMetrics metrics, Clock clock,
      @org.springframework.beans.factory.annotation.Value("${vigil.console.silence-cache:10s}") java.time.Duration ttl,
      @org.springframework.beans.factory.annotation.Value("${vigil.console.policy-label-cache:60s}")
      java.time.Duration labelTtl) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
    this.labelTtlMs = labelTtl.toMillis();
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
      boolean needsPolicyLabels = live.stream().anyMatch(Live::policyLabels);
      boolean labelsUnknown = false;
      for (AlertRow a : alerts) {
        if (!tenant.equals(a.tenant())) {
          continue;
        }
        Map<String, String> own = null;
        if (needsPolicyLabels && a.policyId() != null) {
          try {
            own = policyLabels(tenant, a.policyId(), start);
          } catch (DependencyUnavailableException | ServiceCallException | IllegalStateException e) {
            labelsUnknown = true;
            reason = e instanceof DependencyUnavailableException ? "policy-service is not answering"
                : e instanceof ServiceCallException s ? "policy-service refused a policy (" + s.status() + ")"
                : e.getMessage();
          }
        }
        Map<String, String> labels = AlertLabels.of(a.dimensions(), own, a.policyId(), a.namespace(), a.region(),
            a.severity(), a.metric(), a.objectId());
        for (Live s : live) {
          if (s.silence().activeAt(now, s.window()) && Filter.all(s.matchers(), labels)) {
            muted.put(a.alertKey(), s.id());
            break;
          }
        }
      }
      if (labelsUnknown) {
        unknown.add(tenant); // an alert not shown muted may be muted by its policy's labels
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
          boolean onPolicyLabels = silence.matchers().stream().anyMatch(m -> !BUILT_IN.contains(m.field()));
          live.add(new Live(String.valueOf(item.get("id")), silence, window, silence.compiledMatchers(),
              onPolicyLabels));
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

  /**
   * A policy's own labels, read once per {@code policy-label-cache}; a policy deleted since has none.
   * Past the page's budget it throws, and the tenant is said to be unjudged.
   */
  private Map<String, String> policyLabels(String tenant, String policyId, long start) {
    String key = tenant + "\n" + policyId;
    long now = clock.millis();
    Labels cached = policyLabels.get(key);
    if (cached != null && now - cached.atMs() < labelTtlMs) {
      return cached.labels();
    }
    if (now - start > BUDGET_MS) {
      throw new IllegalStateException("the page's time for reading policies' labels ran out");
    }
    Map<String, String> labels = new HashMap<>();
    try {
      Map<String, Object> policy = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "tenants", tenant,
          "policies", policyId)));
      Maps.map(Maps.map(policy.get("spec")).get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
    } catch (ServiceCallException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
    policyLabels.put(key, new Labels(now, Map.copyOf(labels)));
    if (policyLabels.size() > 100_000) {
      policyLabels.clear(); // bounded, as the silences
    }
    return labels;
  }
}
