package io.vigil.console.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The filters of Firing now, checked here so a bad one is named beside its field rather than
 * answered by storage: tenant, namespace, policy id, severity and status; and how many rows to show
 * (the most severe and oldest first: {@value #DEFAULT_ROWS} unless asked, at most {@value #MAX_ROWS},
 * storage's own cap).
 */
public record AlertFilter(String tenant, String namespace, String policyId, String severity, String status,
    Integer rows) {

  static final int DEFAULT_ROWS = 200;
  static final int MAX_ROWS = 1000;

  /** The filters without a row count (the default). */
  public AlertFilter(String tenant, String namespace, String policyId, String severity, String status) {
    this(tenant, namespace, policyId, severity, status, null);
  }

  /** How many rows the page shows. */
  public int limit() {
    return rows == null ? DEFAULT_ROWS : rows;
  }

  static final Set<String> SEVERITIES = Set.of("CRITICAL", "WARNING", "INFO");
  static final Set<String> STATUSES = Set.of("FIRING", "NO_DATA");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:/\\-]{1,200}");

  public AlertFilter {
    tenant = blankToNull(tenant);
    namespace = blankToNull(namespace);
    policyId = blankToNull(policyId);
    severity = blankToNull(severity) == null ? null : severity.strip().toUpperCase(Locale.ROOT);
    status = blankToNull(status) == null ? null : status.strip().toUpperCase(Locale.ROOT);
  }

  /** One line per bad field: {@code field: reason}. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    check(p, "tenant", tenant);
    check(p, "namespace", namespace);
    check(p, "policy", policyId);
    if (severity != null && !SEVERITIES.contains(severity)) {
      p.add("severity: one of " + String.join(", ", SEVERITIES.stream().sorted().toList()));
    }
    if (status != null && !STATUSES.contains(status)) {
      p.add("status: one of " + String.join(", ", STATUSES.stream().sorted().toList()));
    }
    if (rows != null && (rows < 1 || rows > MAX_ROWS)) {
      p.add("rows: 1 to " + MAX_ROWS);
    }
    return p;
  }

  /** The same filters as query parameters of storage's (and this console's) alert routes. */
  public UriComponentsBuilder addTo(UriComponentsBuilder b) {
    if (tenant != null) {
      b.queryParam("tenant", tenant);
    }
    if (namespace != null) {
      b.queryParam("namespace", namespace);
    }
    if (policyId != null) {
      b.queryParam("policyId", policyId);
    }
    if (severity != null) {
      b.queryParam("severity", severity);
    }
    if (status != null) {
      b.queryParam("status", status);
    }
    return b;
  }

  /** This console's query string for the same filters and rows (links, the refresh of the rows). */
  public String query() {
    return queryWith(rows);
  }

  /** The same filters with another row count (the "show more" link). */
  public String queryWith(Integer rowCount) {
    UriComponentsBuilder b = addTo(UriComponentsBuilder.fromPath("/"));
    if (rowCount != null) {
      b.queryParam("rows", rowCount);
    }
    String q = io.vigil.common.services.ServiceClient.encoded(b).getRawQuery();
    return q == null ? "" : q;
  }

  private static void check(List<String> p, String field, String value) {
    if (value != null && !NAME.matcher(value).matches()) {
      p.add(field + ": 1 to 200 letters, digits and _ . : / -");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
