package io.vigil.storage.query;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The query API: series (downsampled), one past window of many series, open alerts, alert history
 * and notification history. Every answer holds only the caller's tenants' data.
 */
@RestController
@Tag(name = "query")
public class QueryController {

  private final SeriesQueries series;
  private final HistoryQueries history;

  public QueryController(SeriesQueries series, HistoryQueries history) {
    this.series = series;
    this.history = history;
  }

  /** Many series' statistics of one past window. */
  public record WindowRequest(Integer period, Long windowStartMs, List<String> seriesIds) {}

  @Operation(summary = "Series of one metric, filtered by dimensions, downsampled to at most maxPoints points")
  @PostMapping(path = "/v1/series/query", consumes = "application/json")
  public SeriesQueries.Result query(@RequestBody SeriesRequest request) throws IOException {
    return series.query(request, Caller.tenantScope());
  }

  @Operation(summary = "One past window's statistics of many series (period-over-period prefetch)")
  @PostMapping(path = "/v1/series/window", consumes = "application/json")
  public SeriesQueries.WindowValues window(@RequestBody WindowRequest request) throws IOException {
    if (request == null) {
      throw new io.vigil.common.error.ApiException(io.vigil.common.error.ErrorCode.MALFORMED_BODY, null,
          "a JSON body is required");
    }
    return series.valuesAt(request.period() == null ? 0 : request.period(),
        request.windowStartMs() == null ? 0 : request.windowStartMs(), request.seriesIds(), Caller.tenantScope());
  }

  @Operation(summary = "Open alerts now (firing now): most severe first, then oldest")
  @GetMapping("/v1/alerts/open")
  public HistoryQueries.Page open(@RequestParam(required = false) String tenant,
      @RequestParam(required = false) String namespace, @RequestParam(required = false) String policyId,
      @RequestParam(required = false) String severity, @RequestParam(required = false) String status,
      @RequestParam(required = false) String alertKey, @RequestParam(required = false) List<String> dimension,
      @RequestParam(defaultValue = "100") int limit) throws IOException {
    return history.open(new HistoryQueries.AlertFilter(tenant, namespace, policyId, severity, status, alertKey,
        dimension), limit, Caller.tenantScope());
  }

  @Operation(summary = "Alert events in a time range, newest first")
  @GetMapping("/v1/alerts/events")
  public HistoryQueries.Page events(@RequestParam(required = false) Long fromMs,
      @RequestParam(required = false) Long toMs, @RequestParam(required = false) String tenant,
      @RequestParam(required = false) String namespace, @RequestParam(required = false) String policyId,
      @RequestParam(required = false) String severity, @RequestParam(required = false) String status,
      @RequestParam(required = false) String alertKey, @RequestParam(required = false) List<String> dimension,
      @RequestParam(defaultValue = "100") int limit) throws IOException {
    return history.events(new HistoryQueries.AlertFilter(tenant, namespace, policyId, severity, status, alertKey,
        dimension), fromMs, toMs, limit, Caller.tenantScope());
  }

  @Operation(summary = "Notification outcomes in a time range, newest first (acknowledgements and escalations included)")
  @GetMapping("/v1/notifications")
  public HistoryQueries.Page notifications(@RequestParam(required = false) Long fromMs,
      @RequestParam(required = false) Long toMs, @RequestParam(required = false) String tenant,
      @RequestParam(required = false) String alertKey, @RequestParam(required = false) String recipient,
      @RequestParam(required = false) String channel, @RequestParam(required = false) String status,
      @RequestParam(defaultValue = "100") int limit) throws IOException {
    return history.notifications(tenant, alertKey, recipient, channel, status, fromMs, toMs, limit,
        Caller.tenantScope());
  }
}
