package io.vigil.console.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The filters of Firing now, checked here so a bad one is named beside its field rather than
 * answered by storage: tenant, namespace, policy id, severity and status.
 */
public record AlertFilter(String tenant, String namespace, String policyId, String severity, String status) {

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

  /** This console's query string for the same filters (links, the refresh of the rows). */
  public String query() {
    String q = io.vigil.common.services.ServiceClient.encoded(addTo(UriComponentsBuilder.fromPath("/"))).getRawQuery();
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
