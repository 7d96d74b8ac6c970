package io.vigil.common.services;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the other Vigil services are and how patiently to call them ({@code vigil.services.*}): one
 * record for every service-to-service call (detector to storage, notifier to cmdb and storage, the
 * console to everyone). A peer without a {@code base-url} is on this machine at its standard port.
 *
 * @param detectorShards the detector deployment of each shard that has its own (a detector serves the
 *     one shard it is configured with); a shard not named here is served by {@code detector}
 * @param apiKey the service credential this service presents ({@code Authorization: Bearer}); a
 *     secret: never logged, masked in {@link #toString()}
 */
@Validated
@ConfigurationProperties("vigil.services")
public record VigilServicesProperties(
    @DefaultValue @Valid Peer gateway,
    @DefaultValue @Valid Peer aggregator,
    @DefaultValue @Valid Peer storage,
    @DefaultValue @Valid Peer detector,
    @DefaultValue @Valid Peer notifier,
    @DefaultValue @Valid Peer policy,
    @DefaultValue @Valid Peer cmdb,
    Map<String, @Valid Peer> detectorShards,
    @DefaultValue("") String apiKey) {

  public VigilServicesProperties {
    detectorShards = detectorShards == null ? Map.of() : Map.copyOf(detectorShards);
  }


  /** The standard local ports, as in {@code bin/vigil} and docker-compose.yml. */
  static final Map<String, Integer> PORTS = Map.of("gateway", 8081, "aggregator", 8082, "storage", 8083,
      "detector", 8084, "notifier", 8085, "policy", 8086, "cmdb", 8087);

  /**
   * One peer.
   *
   * @param baseUrl absent: {@code http://127.0.0.1:<standard port>}
   * @param connectTimeout how long a connection may take
   * @param timeout how long a whole call may take
   * @param retries extra attempts of a read (GET) that met an unavailable peer; writes are not retried
   * @param retryWait the pause before each retry
   * @param breakerWindow calls the breaker judges at a time
   * @param breakerFailureRate percent of failed calls in the window that opens the breaker
   * @param breakerOpenFor how long an open breaker refuses calls before it lets a few through
   */
  public record Peer(
      URI baseUrl,
      @DefaultValue("1s") Duration connectTimeout,
      @DefaultValue("2s") Duration timeout,
      @DefaultValue("2") @Min(0) @Max(10) int retries,
      @DefaultValue("100ms") Duration retryWait,
      @DefaultValue("20") @Min(2) int breakerWindow,
      @DefaultValue("50") @Min(1) @Max(100) int breakerFailureRate,
      @DefaultValue("10s") Duration breakerOpenFor) {}

  /** Every peer by its service name. */
  public Map<String, Peer> peers() {
    Map<String, Peer> peers = new LinkedHashMap<>();
    peers.put("gateway", gateway);
    peers.put("aggregator", aggregator);
    peers.put("storage", storage);
    peers.put("detector", detector);
    peers.put("notifier", notifier);
    peers.put("policy", policy);
    peers.put("cmdb", cmdb);
    return peers;
  }

  /** The base URL of a peer. */
  public URI baseUrl(String service) {
    Peer peer = peers().get(service);
    if (peer == null) {
      throw new IllegalArgumentException("no such Vigil service: " + service + "; known: " + PORTS.keySet());
    }
    return peer.baseUrl() != null ? peer.baseUrl() : URI.create("http://127.0.0.1:" + PORTS.get(service));
  }

  /**
   * The base URL of the detector serving a shard: its own deployment when {@code detector-shards}
   * names one, else {@code detector}'s.
   */
  public URI detectorBaseUrl(String shard) {
    Peer peer = shard == null ? null : detectorShards.get(shard);
    return peer != null && peer.baseUrl() != null ? peer.baseUrl() : baseUrl("detector");
  }

  @Override
  public String toString() {
    return "VigilServicesProperties[peers=" + peers() + ", detectorShards=" + detectorShards + ", apiKey=" + (apiKey.isEmpty() ? "(none)" : "****") + "]";
  }
}
