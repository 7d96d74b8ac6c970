package io.vigil.detector.detect;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.Topic;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.web.TraceFilter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Explain's questions to the other instances of the shard, over HTTP with the caller's own
 * credential (each instance checks the caller's tenants itself): asked side by side, each answer
 * within {@link #ANSWER} or none. An instance that does not answer is counted as a failed call to a
 * detector; the asking instance then answers from its own memory and says so.
 */
public final class HttpPeers implements Explainer.Peers, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpPeers.class);
  /** Both within the console's own wait for the detector (2 s by default), so it hears the note. */
  static final Duration CONNECT = Duration.ofMillis(500);
  static final Duration ANSWER = Duration.ofMillis(1000);

  private final VigilPublisher publisher;
  private final Topic<?> rollups;
  private final DependencyMetrics dependencies;
  private final ThreadPoolExecutor pool;
  private final HttpClient http;
  private final JsonMapper json = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a newer peer may say more
      .build();

  public HttpPeers(VigilPublisher publisher, Topic<?> rollups, DependencyMetrics dependencies,
      MeterRegistry registry) {
    this.publisher = publisher;
    this.rollups = rollups;
    this.dependencies = dependencies;
    // the client's own completions; explain is an operator's question, a few at a time
    this.pool = InstrumentedExecutor.create("explain-peers", 2, 2, 64, new ThreadPoolExecutor.CallerRunsPolicy(),
        registry);
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT).executor(pool).build();
  }

  @Override
  public int partitionOf(long objectId) {
    return publisher.partitionOfObject(rollups, objectId);
  }

  @Override
  public List<Explainer.Answer> ask(List<String> addresses, URI query, String authorization) {
    List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
    for (String address : addresses) {
      try {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(address + query)).timeout(ANSWER)
            .header("Accept", "application/json").header(TraceFilter.CALLER_HEADER, "detector").GET();
        if (authorization != null) {
          request.header("Authorization", authorization);
        }
        calls.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
      } catch (IllegalArgumentException e) { // an address no URI can be made of
        calls.add(CompletableFuture.failedFuture(e));
      }
    }
    long deadline = System.nanoTime() + ANSWER.toNanos() + CONNECT.toNanos();
    List<Explainer.Answer> out = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      out.add(answer(addresses.get(i), calls.get(i), deadline));
    }
    return out;
  }

  private Explainer.Answer answer(String address, CompletableFuture<HttpResponse<byte[]>> call, long deadline) {
    try {
      HttpResponse<byte[]> r = call.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (r.statusCode() != 200) {
        if (r.statusCode() >= 500) {
          dependencies.failure("detector");
        }
        log.info("detector {} answered explain with {}", address, r.statusCode());
        // a 404: it has not loaded the policy yet (a change on its way); anything else is its problem
        return new Explainer.Answer(null, r.statusCode() == 404
            ? "does not hold the policy yet (a change still on its way to it)"
            : "answered HTTP " + r.statusCode());
      }
      return new Explainer.Answer(json.readValue(r.body(), Explainer.Explanation.class), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(true);
      return new Explainer.Answer(null, "was not asked (interrupted)");
    } catch (java.util.concurrent.TimeoutException e) {
      call.cancel(true);
      dependencies.failure("detector");
      log.info("detector {} did not answer explain within {}", address, ANSWER.plus(CONNECT));
      return new Explainer.Answer(null, "did not answer within " + ANSWER.plus(CONNECT).toMillis() + " ms");
    } catch (Exception e) {
      call.cancel(true);
      dependencies.failure("detector");
      log.info("detector {} did not answer explain: {}", address, e.toString());
      return new Explainer.Answer(null, "could not be asked (" + rootCause(e) + ")");
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
