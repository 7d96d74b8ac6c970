package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.model.ControlChange.EntityType;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An alert policy of one tenant on one namespace: conditions on its metrics combined by ANY or ALL,
 * event rules on its product events, filters on the dimensions, and who is told how. The detector
 * evaluates it (with {@code tenantDimension == tenant} ANDed in); the notifier routes by it.
 *
 * @param combine how several conditions combine: ANY fires when one holds, ALL when every one does
 * @param filters ANDed; every field a dimension of the namespace
 * @param eventRules event types of the namespace with filters; an event matching any rule fires
 * @param enabled a disabled policy fires nothing; its open alerts resolve (reason policy_disabled)
 */
public record AlertPolicy(
    String name,
    String namespace,
    List<Condition> conditions,
    Combine combine,
    List<FilterSpec> filters,
    List<EventRule> eventRules,
    Severity severity,
    Map<String, String> labels,
    Annotations annotations,
    Receivers receivers,
    Notification notification,
    Boolean enabled) {

  public static final int MAX_CONDITIONS = 10;

  public enum Combine { ANY, ALL }

  public enum Severity { CRITICAL, WARNING, INFO }

  /** The value a condition compares: the statistic itself, or its change against an earlier window. */
  public enum Compare { VALUE, PREVIOUS_WINDOW, DAY_AGO, WEEK_AGO }

  public enum ChangeUnit { PERCENT, ABSOLUTE }

  public enum Statistic { AVG, MAX, MIN, SUM, COUNT, LAST }

  public enum Operator {
    GT, GE, LT, LE, EQ, NE;

    public boolean test(double value, double threshold) {
      return switch (this) {
        case GT -> value > threshold;
        case GE -> value >= threshold;
        case LT -> value < threshold;
        case LE -> value <= threshold;
        case EQ -> value == threshold;
        case NE -> value != threshold;
      };
    }
  }

  /**
   * One condition on one metric.
   *
   * @param period the rollup period it reads, one of the namespace's
   * @param forPeriods fires after this many consecutive breaching windows (default 1; a missing
   *     window breaks the streak)
   * @param recoverPeriods resolves after this many consecutive windows past recovery (default 1)
   * @param recoveryThreshold the value it must be back past to recover (hysteresis); default the
   *     threshold
   * @param noDataPeriods reports NO_DATA after this many missing windows; null for never
   * @param changeUnit for a change comparison: percent of the earlier value or absolute difference
   */
  public record Condition(
      String metric,
      Integer period,
      Statistic statistic,
      Compare compare,
      ChangeUnit changeUnit,
      Operator operator,
      Double threshold,
      Integer forPeriods,
      Integer recoverPeriods,
      Double recoveryThreshold,
      Integer noDataPeriods) {

    public Condition withDefaults() {
      return new Condition(metric, period, statistic == null ? Statistic.AVG : statistic,
          compare == null ? Compare.VALUE : compare,
          compare == null || compare == Compare.VALUE ? null : changeUnit == null ? ChangeUnit.PERCENT : changeUnit,
          operator, threshold, forPeriods == null ? 1 : forPeriods, recoverPeriods == null ? 1 : recoverPeriods,
          recoveryThreshold, noDataPeriods);
    }
  }

  public record EventRule(List<String> eventTypes, List<FilterSpec> filters) {}

  public record Annotations(String summary, String description, String runbookUrl) {}

  /** Who is told: ids of the tenant's users, user groups, on-call schedules, webhooks and chat bots. */
  public record Receivers(List<String> users, List<String> groups, List<String> schedules, List<String> webhooks,
      List<String> bots) {

    public boolean isEmpty() {
      return Names.orEmpty(users).isEmpty() && Names.orEmpty(groups).isEmpty() && Names.orEmpty(schedules).isEmpty()
          && Names.orEmpty(webhooks).isEmpty() && Names.orEmpty(bots).isEmpty();
    }
  }

  /**
   * How the notifier treats the policy's alerts while they stay open.
   *
   * @param repeatIntervalSec a still-firing alert is notified again after this long (default 1 h)
   * @param groupBy alerts of the policy with equal values of these dimensions go out as one
   * @param groupWaitSec how long a new group waits for more alerts before the first notification
   * @param groupIntervalSec how long a group waits before notifying of alerts added to it
   * @param escalations who is told next when an alert stays unacknowledged
   * @param templates the template id per channel; absent channels use the built-in one
   */
  public record Notification(Integer repeatIntervalSec, List<String> groupBy, Integer groupWaitSec,
      Integer groupIntervalSec, List<Escalation> escalations, Map<io.vigil.common.model.Channel, String> templates) {}

  public record Escalation(Integer afterSec, Receivers receivers) {}

  /**
   * The statistic the condition on {@code metric} at {@code periodSeconds} judges (AVG when none
   * says): what a chart of the alert's series must show for its threshold line to mean anything.
   */
  public Statistic statisticFor(String metric, int periodSeconds) {
    if (conditions == null || metric == null) {
      return Statistic.AVG;
    }
    return conditions.stream()
        .filter(c -> c != null && metric.equals(c.metric()) && Integer.valueOf(periodSeconds).equals(c.period()))
        .map(c -> c.statistic() == null ? Statistic.AVG : c.statistic())
        .findFirst().orElse(Statistic.AVG);
  }

  /** This policy with absent settings at their defaults (what is stored). */
  public AlertPolicy withDefaults() {
    return new AlertPolicy(name, namespace,
        Names.orEmpty(conditions).stream().map(c -> c == null ? null : c.withDefaults()).toList(),
        combine == null ? Combine.ANY : combine, Names.orEmpty(filters), Names.orEmpty(eventRules),
        severity == null ? Severity.WARNING : severity, labels == null ? Map.of() : labels,
        annotations == null ? new Annotations(null, null, null) : annotations,
        receivers == null ? new Receivers(List.of(), List.of(), List.of(), List.of(), List.of()) : receivers,
        notification == null ? new Notification(3600, List.of(), 30, 300, List.of(), Map.of()) : notification,
        enabled == null ? Boolean.TRUE : enabled);
  }

  /**
   * Checks the policy (after {@link #withDefaults}) against its namespace; references to receivers
   * and templates are checked by {@link #references}.
   */
  public void validate(Violations v, NamespaceConfig ns) {
    Names.displayName(v, "name", name);
    if (ns == null) {
      return; // the caller reports the unknown namespace
    }
    Set<String> dimensions = ns.dimensions();
    v.check(!conditions.isEmpty() || !eventRules.isEmpty(), "conditions", "a policy needs a condition or an event rule");
    v.check(conditions.size() <= MAX_CONDITIONS, "conditions", "at most " + MAX_CONDITIONS + " conditions");
    for (int i = 0; i < conditions.size(); i++) {
      validateCondition(v, "conditions[" + i + "]", conditions.get(i), ns);
    }
    for (var c : FilterSpec.compileAll(v, "filters", filters)) {
      String field = c.filter().field();
      int i = indexOf(filters, field);
      v.check(dimensions.contains(field), "filters[" + i + "].Field",
          "'" + field + "' is not a dimension of " + ns.name());
    }
    v.check(eventRules.size() <= 50, "eventRules", "at most 50 event rules");
    for (int i = 0; i < eventRules.size(); i++) {
      EventRule r = eventRules.get(i);
      String at = "eventRules[" + i + "]";
      if (r == null || r.eventTypes() == null || r.eventTypes().isEmpty()) {
        v.add(at + ".eventTypes", "one or more event types of the namespace");
        continue;
      }
      for (int j = 0; j < r.eventTypes().size(); j++) {
        String type = r.eventTypes().get(j);
        v.check(ns.eventTypes().contains(type), at + ".eventTypes[" + j + "]",
            "'" + type + "' is not an event type of " + ns.name());
      }
      FilterSpec.compileAll(v, at + ".filters", r.filters());
    }
    v.check(labels.size() <= 32, "labels", "at most 32 labels");
    labels.forEach((k, val) -> {
      v.check(Names.matches(Names.KEY, k), "labels." + k, "a label key: letters, digits, '_', '.'");
      v.check(val != null && val.length() <= Names.MAX_DISPLAY, "labels." + k, "a value of at most 256 characters");
    });
    Names.optionalText(v, "annotations.summary", annotations.summary(), 1024);
    Names.optionalText(v, "annotations.description", annotations.description(), Names.MAX_TEXT);
    if (annotations.runbookUrl() != null) {
      v.check(isWebLink(annotations.runbookUrl()), "annotations.runbookUrl", "an http or https URL");
    }
    validateNotification(v, dimensions);
  }

  private static int indexOf(List<FilterSpec> filters, String field) {
    for (int i = 0; i < filters.size(); i++) {
      if (filters.get(i) != null && field.equals(filters.get(i).field())) {
        return i;
      }
    }
    return 0;
  }

  private static void validateCondition(Violations v, String at, Condition c, NamespaceConfig ns) {
    if (c == null) {
      v.add(at, "a condition is required");
      return;
    }
    v.check(c.metric() != null && ns.hasMetric(c.metric()), at + ".metric",
        "'" + c.metric() + "' is not a metric of " + ns.name());
    v.check(c.period() != null && ns.periods().contains(c.period()), at + ".period",
        "one of the namespace's periods " + ns.periods());
    v.check(c.operator() != null, at + ".operator", "one of GT, GE, LT, LE, EQ, NE");
    v.check(c.threshold() != null && Double.isFinite(c.threshold()), at + ".threshold", "a finite number");
    v.check(c.forPeriods() >= 1 && c.forPeriods() <= 1440, at + ".forPeriods", "between 1 and 1440");
    v.check(c.recoverPeriods() >= 1 && c.recoverPeriods() <= 1440, at + ".recoverPeriods", "between 1 and 1440");
    v.check(c.noDataPeriods() == null || (c.noDataPeriods() >= 1 && c.noDataPeriods() <= 1440), at + ".noDataPeriods",
        "between 1 and 1440, or absent for never");
    if (c.compare() == Compare.DAY_AGO || c.compare() == Compare.WEEK_AGO) {
      v.check(c.period() == null || c.period() <= 86_400, at + ".period", "at most a day for a day/week comparison");
    }
    if (c.recoveryThreshold() != null && c.threshold() != null && c.operator() != null) {
      double r = c.recoveryThreshold();
      boolean ok = Double.isFinite(r) && switch (c.operator()) {
        case GT, GE -> r <= c.threshold();
        case LT, LE -> r >= c.threshold();
        case EQ, NE -> false;
      };
      v.check(ok, at + ".recoveryThreshold", "a finite number on the recovered side of the threshold"
          + " (at or below it for GT/GE, at or above it for LT/LE; none for EQ/NE)");
    }
  }

  private void validateNotification(Violations v, Set<String> dimensions) {
    Notification n = notification;
    v.check(n.repeatIntervalSec() == null || (n.repeatIntervalSec() >= 60 && n.repeatIntervalSec() <= 7 * 86_400),
        "notification.repeatIntervalSec", "between 60 s and 7 days");
    v.check(n.groupWaitSec() == null || (n.groupWaitSec() >= 0 && n.groupWaitSec() <= 3600),
        "notification.groupWaitSec", "between 0 and 3600 s");
    v.check(n.groupIntervalSec() == null || (n.groupIntervalSec() >= 1 && n.groupIntervalSec() <= 86_400),
        "notification.groupIntervalSec", "between 1 s and a day");
    List<String> groupBy = Names.orEmpty(n.groupBy());
    for (int i = 0; i < groupBy.size(); i++) {
      v.check(dimensions.contains(groupBy.get(i)), "notification.groupBy[" + i + "]",
          "'" + groupBy.get(i) + "' is not a dimension of the namespace");
    }
    List<Escalation> escalations = Names.orEmpty(n.escalations());
    v.check(escalations.size() <= 10, "notification.escalations", "at most 10 levels");
    int last = 0;
    for (int i = 0; i < escalations.size(); i++) {
      Escalation e = escalations.get(i);
      String at = "notification.escalations[" + i + "]";
      if (e == null || e.afterSec() == null || e.receivers() == null || e.receivers().isEmpty()) {
        v.add(at, "a level needs afterSec and receivers");
        continue;
      }
      v.check(e.afterSec() > last && e.afterSec() <= 7 * 86_400, at + ".afterSec",
          "later than the level before and at most 7 days");
      last = Math.max(last, e.afterSec());
    }
  }

  /**
   * Checks that every receiver and template the policy names exists for its tenant; each missing
   * one is recorded (the API answers 422 naming them).
   */
  public void references(Violations v, String tenant, ControlLookup lookup) {
    receivers(v, "receivers", receivers, tenant, lookup);
    List<Escalation> escalations = Names.orEmpty(notification.escalations());
    for (int i = 0; i < escalations.size(); i++) {
      if (escalations.get(i) != null) {
        receivers(v, "notification.escalations[" + i + "].receivers", escalations.get(i).receivers(), tenant, lookup);
      }
    }
    if (notification.templates() != null) {
      notification.templates().forEach((channel, id) -> v.check(id != null
          && lookup.exists(EntityType.TEMPLATE, tenant, id), "notification.templates." + channel, "no template " + id));
    }
  }

  static void receivers(Violations v, String at, Receivers r, String tenant, ControlLookup lookup) {
    if (r == null) {
      return;
    }
    refs(v, at + ".users", r.users(), EntityType.USER, tenant, lookup);
    refs(v, at + ".groups", r.groups(), EntityType.USER_GROUP, tenant, lookup);
    refs(v, at + ".schedules", r.schedules(), EntityType.ONCALL_SCHEDULE, tenant, lookup);
    refs(v, at + ".webhooks", r.webhooks(), EntityType.WEBHOOK, tenant, lookup);
    refs(v, at + ".bots", r.bots(), EntityType.CHAT_BOT, tenant, lookup);
  }

  static void refs(Violations v, String at, List<String> ids, EntityType type, String tenant, ControlLookup lookup) {
    List<String> list = Names.orEmpty(ids);
    if (!v.check(list.size() <= 100, at, "at most 100")) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String id = list.get(i);
      if (id == null || !seen.add(id) || !lookup.exists(type, tenant, id)) {
        v.add(at + "[" + i + "]", "no " + type.name().toLowerCase(java.util.Locale.ROOT) + " " + id);
      }
    }
  }

  static boolean isWebLink(String url) {
    try {
      URI u = new URI(url);
      return ("https".equalsIgnoreCase(u.getScheme()) || "http".equalsIgnoreCase(u.getScheme())) && u.getHost() != null
          && url.length() <= 2048;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
