package io.vigil.bench;

import io.vigil.common.semantics.RequestSigning;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * Pre-generated JSON batches for the signed {@code /v1/metrics} half of the ingestion benchmark: the
 * same 200,000 series as {@link RemoteWriteBodies} (20 metrics × 10,000 instances over 100
 * tenants), 500 points a body, and for each request the load tool will send a line of headers
 * signed ahead of the run ({@code requests.tsv}: body index, timestamp, nonce, Authorization), one
 * nonce a request, since wrk cannot sign. The same points are written in VictoriaMetrics' JSON-lines
 * import format ({@code vm-NNNNN.jsonl}) so a peer can take the same data as JSON too.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.SignedJsonBodies &lt;dir&gt; &lt;bodies&gt; &lt;requests&gt; \
 *     &lt;namespace&gt; &lt;key id&gt; &lt;secret&gt;
 * </pre>
 *
 * The secret is read from the command line because this is a benchmark of a local test product.
 * Signatures carry the generation time: the run must start within the gateway's clock skew (±5 min).
 */
public final class SignedJsonBodies {

  static final int PER_BODY = 500;

  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]));
    int bodies = Integer.parseInt(args[1]);
    int requests = Integer.parseInt(args[2]);
    String namespace = args[3];
    String keyId = args[4];
    String secret = args[5];
    long base = System.currentTimeMillis() - 600_000;
    byte[][] json = new byte[bodies][];
    long bytes = 0;
    for (int k = 0; k < bodies; k++) {
      StringBuilder body = new StringBuilder(PER_BODY * 160);
      StringBuilder vm = new StringBuilder(PER_BODY * 160);
      body.append("{\"namespace\":\"").append(namespace).append("\",\"points\":[");
      long ts = base + (long) k * PER_BODY / RemoteWriteBodies.SERIES * 1000;
      for (int j = 0; j < PER_BODY; j++) {
        int s = (int) (((long) k * PER_BODY + j) % RemoteWriteBodies.SERIES);
        String metric = "cpu_metric_" + s % RemoteWriteBodies.METRICS;
        int instance = s / RemoteWriteBodies.METRICS;
        String appid = Integer.toString(1_250_000_000 + instance % RemoteWriteBodies.TENANTS);
        String ins = "ins-" + Integer.toHexString(0x100000 + instance);
        double value = (s * 31L + ts / 1000) % 1000 / 10.0;
        if (j > 0) {
          body.append(',');
        }
        body.append("{\"metric\":\"").append(metric).append("\",\"dimensions\":{\"appid\":\"").append(appid)
            .append("\",\"instance\":\"").append(ins).append("\",\"region\":\"ap-guangzhou\"},\"timestampMs\":")
            .append(ts).append(",\"value\":").append(value).append('}');
        vm.append("{\"metric\":{\"__name__\":\"").append(metric).append("\",\"appid\":\"").append(appid)
            .append("\",\"instance\":\"").append(ins).append("\",\"region\":\"ap-guangzhou\"},\"values\":[")
            .append(value).append("],\"timestamps\":[").append(ts).append("]}\n");
      }
      body.append("]}");
      json[k] = body.toString().getBytes(StandardCharsets.UTF_8);
      bytes += json[k].length;
      Files.write(dir.resolve("body-%05d.json".formatted(k)), json[k]);
      Files.writeString(dir.resolve("vm-%05d.jsonl".formatted(k)), vm);
    }
    long now = System.currentTimeMillis();
    try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("requests.tsv"))) {
      for (int i = 0; i < requests; i++) {
        int k = i % bodies;
        String nonce = UUID.randomUUID().toString();
        String signature = RequestSigning.sign(secret, new RequestSigning.Request("POST", "/v1/metrics", Map.of(),
            now, nonce, json[k]));
        out.write(k + "\t" + now + "\t" + nonce + "\t" + RequestSigning.authorization(keyId, signature) + "\n");
      }
    }
    System.out.printf("%d JSON bodies of %d points (%.1f KB a body), %d signed requests at %d%n", bodies, PER_BODY,
        bytes / 1024.0 / bodies, requests, now);
  }
}
