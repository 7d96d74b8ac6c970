package io.vigil.console.policies;

import io.vigil.console.system.FormRows;
import io.vigil.console.system.Maps;
import io.vigil.console.system.Matchers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy editor's form, bound from and to the page. It edits what an operator sets by hand (the
 * conditions' core, filters, receivers, grouping and repeats, annotations, labels); what it does not
 * show (event rules, escalations, templates, a condition's change comparison, hysteresis, no-data)
 * is carried over from the stored policy untouched. The control plane validates the result with
 * common's rules; only numbers are checked here, since the form cannot send "ninety" as one.
 */
public class PolicyForm {

  /** A condition row; empty rows are left out. */
  public static class ConditionRow {
    private String metric = "";
    private String period = "";
    private String statistic = "AVG";
    private String operator = "GT";
    private String threshold = "";
    private String forPeriods = "";
    private String recoverPeriods = "";

    public boolean blank() {
      return metric == null || metric.isBlank();
    }

    public String getMetric() { return metric; }
    public void setMetric(String v) { metric = v; }
    public String getPeriod() { return period; }
    public void setPeriod(String v) { period = v; }
    public String getStatistic() { return statistic; }
    public void setStatistic(String v) { statistic = v; }
    public String getOperator() { return operator; }
    public void setOperator(String v) { operator = v; }
    public String getThreshold() { return threshold; }
    public void setThreshold(String v) { threshold = v; }
    public String getForPeriods() { return forPeriods; }
    public void setForPeriods(String v) { forPeriods = v; }
    public String getRecoverPeriods() { return recoverPeriods; }
    public void setRecoverPeriods(String v) { recoverPeriods = v; }
  }

  /** A filter row (the seed's model: function, field, argument; In and NotIn take a,b,c). */
  public static class FilterRow {
    private String field = "";
    private String function = "Equal";
    private String args = "";

    public boolean blank() {
      return field == null || field.isBlank();
    }

    public String getField() { return field; }
    public void setField(String v) { field = v; }
    public String getFunction() { return function; }
    public void setFunction(String v) { function = v; }
    public String getArgs() { return args; }
    public void setArgs(String v) { args = v; }
  }

  private String tenant = "";
  private String id = "";
  private long version;
  private String name = "";
  private String namespace = "";
  private String severity = "WARNING";
  private String combine = "ANY";
  private boolean enabled = true;
  private String summary = "";
  private String description = "";
  private String runbookUrl = "";
  private String labels = "";
  private List<ConditionRow> conditions = new ArrayList<>();
  private List<FilterRow> filters = new ArrayList<>();
  private String users = "";
  private String groups = "";
  private String schedules = "";
  private String webhooks = "";
  private String bots = "";
  private String repeatIntervalSec = "";
  private String groupBy = "";
  private String groupWaitSec = "";
  private String groupIntervalSec = "";

  /** At least {@code n} condition and filter rows, so the page always offers empty ones to fill. */
  public PolicyForm padded(int n) {
    while (conditions.size() < n || conditions.stream().noneMatch(ConditionRow::blank)) {
      conditions.add(new ConditionRow());
    }
    while (filters.size() < n || filters.stream().noneMatch(FilterRow::blank)) {
      filters.add(new FilterRow());
    }
    return this;
  }

  /** The form of a stored policy's spec. */
  @SuppressWarnings("unchecked")
  public static PolicyForm of(String tenant, String id, long version, Map<String, Object> spec) {
    PolicyForm f = new PolicyForm();
    f.tenant = tenant;
    f.id = id == null ? "" : id;
    f.version = version;
    f.name = text(spec.get("name"));
    f.namespace = text(spec.get("namespace"));
    f.severity = spec.get("severity") == null ? "WARNING" : text(spec.get("severity"));
    f.combine = spec.get("combine") == null ? "ANY" : text(spec.get("combine"));
    f.enabled = !Boolean.FALSE.equals(spec.get("enabled"));
    Map<String, Object> ann = Maps.map(spec.get("annotations"));
    f.summary = text(ann.get("summary"));
    f.description = text(ann.get("description"));
    f.runbookUrl = text(ann.get("runbookUrl"));
    StringBuilder labels = new StringBuilder();
    Maps.map(spec.get("labels")).forEach((k, v) -> labels.append(k).append('=').append(v).append('\n'));
    f.labels = labels.toString().strip();
    for (Object o : Maps.list(spec.get("conditions"))) {
      Map<String, Object> c = Maps.map(o);
      ConditionRow r = new ConditionRow();
      r.metric = text(c.get("metric"));
      r.period = text(c.get("period"));
      r.statistic = c.get("statistic") == null ? "AVG" : text(c.get("statistic"));
      r.operator = text(c.get("operator"));
      r.threshold = number(c.get("threshold"));
      r.forPeriods = text(c.get("forPeriods"));
      r.recoverPeriods = text(c.get("recoverPeriods"));
      f.conditions.add(r);
    }
    for (Object o : Maps.list(spec.get("filters"))) {
      Map<String, Object> c = Maps.map(o);
      FilterRow r = new FilterRow();
      r.field = text(c.get("Field"));
      r.function = text(c.get("Function"));
      r.args = c.get("Args") instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
          : text(c.get("Args"));
      f.filters.add(r);
    }
    Map<String, Object> rec = Maps.map(spec.get("receivers"));
    f.users = joined(rec.get("users"));
    f.groups = joined(rec.get("groups"));
    f.schedules = joined(rec.get("schedules"));
    f.webhooks = joined(rec.get("webhooks"));
    f.bots = joined(rec.get("bots"));
    Map<String, Object> n = Maps.map(spec.get("notification"));
    f.repeatIntervalSec = text(n.get("repeatIntervalSec"));
    f.groupBy = joined(n.get("groupBy"));
    f.groupWaitSec = text(n.get("groupWaitSec"));
    f.groupIntervalSec = text(n.get("groupIntervalSec"));
    return f;
  }

  /**
   * The spec to send: {@code stored} (empty for a new policy) with this form's fields laid over it;
   * a number the form cannot read is named in {@code errors} (field path as the control plane names
   * it) and left out.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> toSpec(Map<String, Object> stored, Map<String, String> errors) {
    Map<String, Object> spec = new LinkedHashMap<>(stored == null ? Map.of() : stored);
    spec.put("name", name == null ? "" : name.strip());
    spec.put("namespace", namespace == null ? "" : namespace.strip());
    spec.put("severity", severity);
    spec.put("combine", combine);
    spec.put("enabled", enabled);
    Map<String, Object> ann = new LinkedHashMap<>(Maps.map(spec.get("annotations")));
    putText(ann, "summary", summary);
    putText(ann, "description", description);
    putText(ann, "runbookUrl", runbookUrl);
    spec.put("annotations", ann);
    Map<String, String> lbl = new LinkedHashMap<>();
    for (String line : (labels == null ? "" : labels).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        errors.put("labels", "one name=value per line");
        break;
      }
      lbl.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
    }
    spec.put("labels", lbl);
    List<Object> storedConditions = Maps.list(stored == null ? null : stored.get("conditions"));
    List<Map<String, Object>> cs = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      ConditionRow r = conditions.get(i);
      if (r.blank()) {
        continue;
      }
      String at = "conditions[" + i + "]"; // the form's row: the error shows beside what the user typed
      Map<String, Object> c = new LinkedHashMap<>(i < storedConditions.size() ? Maps.map(storedConditions.get(i)) : Map.of());
      c.put("metric", r.metric.strip());
      putInt(c, "period", r.period, at, errors);
      c.put("statistic", r.statistic);
      c.put("operator", r.operator);
      putDouble(c, "threshold", r.threshold, at, errors);
      putInt(c, "forPeriods", r.forPeriods, at, errors);
      putInt(c, "recoverPeriods", r.recoverPeriods, at, errors);
      cs.add(c);
    }
    spec.put("conditions", cs);
    List<Map<String, Object>> fs = new ArrayList<>();
    for (FilterRow r : filters) {
      if (r.blank()) {
        continue;
      }
      fs.add(Matchers.matcher(new Matchers.MatcherRow(r.field, r.function, r.args)));
    }
    spec.put("filters", fs);
    Map<String, Object> rec = new LinkedHashMap<>(Maps.map(spec.get("receivers")));
    rec.put("users", Maps.split(users));
    rec.put("groups", Maps.split(groups));
    rec.put("schedules", Maps.split(schedules));
    rec.put("webhooks", Maps.split(webhooks));
    rec.put("bots", Maps.split(bots));
    spec.put("receivers", rec);
    Map<String, Object> n = new LinkedHashMap<>(Maps.map(spec.get("notification")));
    putInt(n, "repeatIntervalSec", repeatIntervalSec, "notification", errors);
    n.put("groupBy", Maps.split(groupBy));
    putInt(n, "groupWaitSec", groupWaitSec, "notification", errors);
    putInt(n, "groupIntervalSec", groupIntervalSec, "notification", errors);
    spec.put("notification", n);
    return spec;
  }

  /**
   * The control plane numbers the conditions and filters it was sent (blank rows left out); the page
   * numbers its rows. {@code conditions[1].threshold} of the spec is this form's row of that index.
   */
  public String formField(String specField) {
    String f = FormRows.formField(specField, "conditions", conditions.stream().map(ConditionRow::blank).toList());
    return FormRows.formField(f, "filters", filters.stream().map(FilterRow::blank).toList());
  }

  private static void putText(Map<String, Object> m, String key, String v) {
    if (v == null || v.isBlank()) {
      m.remove(key);
    } else {
      m.put(key, v.strip());
    }
  }

  private static void putInt(Map<String, Object> m, String key, String v, String at, Map<String, String> errors) {
    if (v == null || v.isBlank()) {
      m.remove(key);
      return;
    }
    try {
      m.put(key, Integer.parseInt(v.strip()));
    } catch (NumberFormatException e) {
      errors.put(at + "." + key, "a whole number");
    }
  }

  private static void putDouble(Map<String, Object> m, String key, String v, String at, Map<String, String> errors) {
    if (v == null || v.isBlank()) {
      m.remove(key);
      return;
    }
    try {
      double d = Double.parseDouble(v.strip());
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      m.put(key, d);
    } catch (NumberFormatException e) {
      errors.put(at + "." + key, "a number");
    }
  }

  private static String joined(Object o) {
    return String.join(", ", Maps.list(o).stream().map(String::valueOf).toList());
  }

  private static String text(Object o) {
    return o == null ? "" : String.valueOf(o);
  }

  private static String number(Object o) {
    if (o instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return text(o);
  }

  public String getTenant() { return tenant; }
  public void setTenant(String v) { tenant = v; }
  public String getId() { return id; }
  public void setId(String v) { id = v; }
  public long getVersion() { return version; }
  public void setVersion(long v) { version = v; }
  public String getName() { return name; }
  public void setName(String v) { name = v; }
  public String getNamespace() { return namespace; }
  public void setNamespace(String v) { namespace = v; }
  public String getSeverity() { return severity; }
  public void setSeverity(String v) { severity = v; }
  public String getCombine() { return combine; }
  public void setCombine(String v) { combine = v; }
  public boolean isEnabled() { return enabled; }
  public void setEnabled(boolean v) { enabled = v; }
  public String getSummary() { return summary; }
  public void setSummary(String v) { summary = v; }
  public String getDescription() { return description; }
  public void setDescription(String v) { description = v; }
  public String getRunbookUrl() { return runbookUrl; }
  public void setRunbookUrl(String v) { runbookUrl = v; }
  public String getLabels() { return labels; }
  public void setLabels(String v) { labels = v; }
  public List<ConditionRow> getConditions() { return conditions; }
  public void setConditions(List<ConditionRow> v) { conditions = v; }
  public List<FilterRow> getFilters() { return filters; }
  public void setFilters(List<FilterRow> v) { filters = v; }
  public String getUsers() { return users; }
  public void setUsers(String v) { users = v; }
  public String getGroups() { return groups; }
  public void setGroups(String v) { groups = v; }
  public String getSchedules() { return schedules; }
  public void setSchedules(String v) { schedules = v; }
  public String getWebhooks() { return webhooks; }
  public void setWebhooks(String v) { webhooks = v; }
  public String getBots() { return bots; }
  public void setBots(String v) { bots = v; }
  public String getRepeatIntervalSec() { return repeatIntervalSec; }
  public void setRepeatIntervalSec(String v) { repeatIntervalSec = v; }
  public String getGroupBy() { return groupBy; }
  public void setGroupBy(String v) { groupBy = v; }
  public String getGroupWaitSec() { return groupWaitSec; }
  public void setGroupWaitSec(String v) { groupWaitSec = v; }
  public String getGroupIntervalSec() { return groupIntervalSec; }
  public void setGroupIntervalSec(String v) { groupIntervalSec = v; }
}
