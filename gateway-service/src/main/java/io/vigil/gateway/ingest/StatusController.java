package io.vigil.gateway.ingest;

import io.vigil.common.control.AccessConfigCache;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/ingest/status?namespace=}: for a product's own namespace, what happened to its
 * points over the last hour (accepted, rejected by reason, accepted but later than the namespace's
 * grace when the aggregator got them, so in no rollup) and how much of its series cap is used,
 * so a product can tell why its data is missing without asking an SRE. Signed like the other
 * ingestion routes.
 */
@RestController
@Tag(name = "ingestion")
public class StatusController {

  private final AccessConfigCache access;
  private final IngestStats stats;
  private final SeriesRegistry series;

  public StatusController(AccessConfigCache access, IngestStats stats, SeriesRegistry series) {
    this.access = access;
    this.stats = stats;
    this.series = series;
  }

  public record SeriesUse(long count, int cap) {}

  /** {@code late}: accepted, then found past the grace by the aggregator (kept on {@code metrics.late}, in no rollup). */
  public record Status(String namespace, int windowMinutes, long accepted, Map<String, Long> rejected, long late,
      SeriesUse series) {}

  @GetMapping("/v1/ingest/status")
  public Status status(@RequestParam String namespace, HttpServletRequest request) {
    String product = (String) request.getAttribute(SignedRequestFilter.PRODUCT);
    NamespaceConfig ns = access.namespace(namespace).orElse(null);
    if (ns == null || !ns.product().equals(product)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "namespace", "not a namespace of this credential's product");
    }
    Map<String, Long> hour = stats.lastHour(namespace);
    Map<String, Long> rejected = new TreeMap<>();
    hour.forEach((field, n) -> {
      if (field.startsWith("rejected:")) {
        rejected.put(field.substring("rejected:".length()), n);
      }
    });
    return new Status(namespace, 60, hour.getOrDefault("accepted", 0L), rejected, hour.getOrDefault("late", 0L),
        new SeriesUse(series.count(namespace), ns.maxSeries()));
  }
}
