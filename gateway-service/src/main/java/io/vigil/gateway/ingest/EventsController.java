package io.vigil.gateway.ingest;

import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/events}: a signed batch of product events of one namespace onto {@code events.raw}. */
@RestController
@Tag(name = "ingestion")
public class EventsController {

  private final EventsIngestor ingestor;

  public EventsController(EventsIngestor ingestor) {
    this.ingestor = ingestor;
  }

  public record EventsBatch(String namespace, List<EventsIngestor.EventIn> events) {}

  @PostMapping(path = "/v1/events", consumes = "application/json")
  public MetricsIngestor.Result ingest(@RequestBody EventsBatch batch, HttpServletRequest request) {
    if (batch == null) {
      throw new io.vigil.common.error.ApiException(io.vigil.common.error.ErrorCode.MALFORMED_BODY, null,
          "a JSON object is required");
    }
    return ingestor.ingest((String) request.getAttribute(SignedRequestFilter.PRODUCT), batch.namespace(),
        batch.events());
  }
}
