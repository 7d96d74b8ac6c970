package io.vigil.gateway.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.xerial.snappy.Snappy;

/**
 * {@code POST /api/v1/write?namespace=<ns>}: Prometheus remote write 1.0 (snappy-compressed
 * protobuf), so an unchanged Prometheus, Grafana Alloy or OpenTelemetry Collector pushes to Vigil.
 * {@code __name__} is the metric and the other labels the dimensions, under the namespace named in
 * the URL (one of the credential's product's). Answers as the spec tells senders to read them: 204
 * when every sample is stored; 400 when some never will be (the good ones are stored, and the
 * sender drops the request rather than resend what is stored); 503 when Kafka did not take them (the
 * sender retries). Staleness markers are skipped (Vigil detects missing data from the rollup stream).
 */
@RestController
@Tag(name = "ingestion")
public class RemoteWriteController {

  static final long STALE_NAN = 0x7ff0000000000002L;

  private final MetricsIngestor ingestor;
  private final long maxUncompressed;
  private final Counter staleMarkers;

  public RemoteWriteController(MetricsIngestor ingestor, MeterRegistry registry,
      @Value("${vigil.gateway.max-uncompressed:32MB}") org.springframework.util.unit.DataSize maxUncompressed) {
    this.ingestor = ingestor;
    this.maxUncompressed = maxUncompressed.toBytes();
    this.staleMarkers = Counter.builder("vigil.points.stale.markers")
        .description("remote-write staleness markers skipped").register(registry);
  }

  @PostMapping(path = "/api/v1/write", consumes = "application/x-protobuf")
  public ResponseEntity<Void> write(@RequestParam String namespace, @RequestBody byte[] body,
      @RequestHeader(name = "Content-Encoding", required = false) String encoding, HttpServletRequest request) {
    if (encoding != null && !encoding.equalsIgnoreCase("snappy")) {
      throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding", "remote write bodies are snappy");
    }
    byte[] raw;
    try {
      // the declared length first: a small body must not expand into gigabytes
      int declared = Snappy.uncompressedLength(body);
      if (declared < 0 || declared > maxUncompressed) {
        throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, null,
            "the body would expand to " + declared + " bytes; at most " + maxUncompressed);
      }
      raw = Snappy.uncompress(body);
    } catch (IOException e) {
      throw new ApiException(ErrorCode.MALFORMED_BODY, null, "not snappy-compressed: " + e.getMessage());
    }
    List<MetricsIngestor.PointIn> points = new ArrayList<>();
    for (RemoteWriteDecoder.Series s : RemoteWriteDecoder.decode(raw)) {
      for (int i = 0; i < s.count(); i++) {
        if (Double.doubleToRawLongBits(s.values()[i]) == STALE_NAN) {
          staleMarkers.increment();
          continue;
        }
        points.add(new MetricsIngestor.PointIn(s.metric(), s.labels(), s.timestamps()[i], s.values()[i]));
      }
    }
    if (points.isEmpty()) {
      return ResponseEntity.noContent().build();
    }
    MetricsIngestor.Result result = ingestor.ingest((String) request.getAttribute(SignedRequestFilter.PRODUCT),
        namespace, null, points);
    if (!result.rejected().isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, result.rejected().stream()
          .map(r -> new FieldProblem(r.field(), r.reason())).limit(100).toList());
    }
    return ResponseEntity.noContent().build();
  }
}
