package io.vigil.gateway.ingest;

import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/metrics}: a signed batch of points of one namespace (and region). Good points are
 * accepted and the bad ones listed; a batch with no good point is 400 naming each; the answer is
 * 200 only once every accepted point is in Kafka (else 503: retry the batch).
 */
@RestController
@Tag(name = "ingestion")
public class MetricsController {

  private final MetricsIngestor ingestor;

  public MetricsController(MetricsIngestor ingestor) {
    this.ingestor = ingestor;
  }

  /**
   * @param namespace the namespace all points belong to, e.g. {@code qce/cvm}
   * @param region optional; when given, the gateway's own region
   */
  public record MetricsBatch(String namespace, String region, List<MetricsIngestor.PointIn> points) {}

  @PostMapping(path = "/v1/metrics", consumes = "application/json")
  public MetricsIngestor.Result ingest(@RequestBody MetricsBatch batch, HttpServletRequest request) {
    String product = (String) request.getAttribute(SignedRequestFilter.PRODUCT);
    if (batch == null) {
      throw new io.vigil.common.error.ApiException(io.vigil.common.error.ErrorCode.MALFORMED_BODY, null,
          "a JSON object is required");
    }
    return ingestor.ingest(product, batch.namespace(), batch.region(), batch.points());
  }
}
