package io.vigil.notifier.config;

import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.Channel;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The notifier's settings ({@code vigil.notifier.*}).
 *
 * @param stages the pipeline's stages in order (the record step always runs last); see {@link PipelineFactory}.
 *     Limits come after convergence: a cap counts messages people get, so a storm that converges
 *     into a few group messages is not cut to the cap's number of alerts first
 * @param lanes threads running alert events, key-ordered (one alert's events one at a time)
 * @param maxInFlight unfinished events per partition before the partition is paused (backpressure)
 * @param laneBatch at most this many alerts a lane takes at once in a backlog (one event each, its share
 *     of the ready alerts), so the stages read Redis once for the lot: about half again the events a
 *     second in a storm and a third less CPU per event, but a higher in-pipeline p99 at moderate rates
 *     (docs/benchmarks.md, 2026-12-06, batched lanes); 1 (the default) runs each event alone
 * @param dispatchThreads threads sending to the recipients of one event in parallel
 * @param policyCacheSize policies held in memory (read on demand)
 * @param stateRetention how long an alert's handled sequence and a delivered mark are kept in Redis
 * @param firingRefresh how stale an instance's view of a tenant's firing alerts (inhibition sources) may be
 * @param memoryEntries bound of the in-memory copies that serve while Redis is down
 * @param trailQueue explain trail runs (a notice's steps each) held while MySQL is down
 * @param trailFlush how often queued explain trail runs are written
 * @param trailRetention how long explain trail runs are kept
 * @param smsMaxChars an SMS longer than this is cut
 * @param ladders per severity, the channels tried for a person in order
 * @param timerTick how often due repeats, escalations and group flushes are looked for (a group's first
 *     message goes out at most this late after its group wait)
 * @param followUpThreads threads running due repeats, escalations and group flushes in parallel
 * @param timerLease how long a claimed timer is held before another instance may fire it again
 * @param ackBaseUrl where recipients reach this notifier: the acknowledgement links' base
 * @param ackLinkTtl how long an acknowledgement link works
 * @param limitWindow the sliding window of the caps
 * @param tenantCap notifications a tenant may send in the window
 * @param policyCap notifications one policy may send in the window
 * @param instanceCacheSize instances held in the enrichment's near cache
 * @param instanceCacheTtl how long a cached instance is used without a change from the cmdb
 * @param alertmanagerResolveTimeout an alert posted without endsAt resolves this long after its last
 *     refresh (Alertmanager's resolve_timeout)
 */
@ConfigurationProperties("vigil.notifier")
public record NotifierProperties(
    @DefaultValue({"intake", "silence", "frequency", "convergence", "limit", "enrichment", "routing", "render",
        "dispatch"})
    List<String> stages,
    @DefaultValue("32") int lanes,
    @DefaultValue("1000") int maxInFlight,
    @DefaultValue("1") int laneBatch,
    @DefaultValue("16") int dispatchThreads,
    @DefaultValue("50000") int policyCacheSize,
    @DefaultValue("7d") Duration stateRetention,
    @DefaultValue("2s") Duration firingRefresh,
    @DefaultValue("100000") int memoryEntries,
    @DefaultValue("10000") int trailQueue,
    @DefaultValue("500ms") Duration trailFlush,
    @DefaultValue("7d") Duration trailRetention,
    @DefaultValue("500") int smsMaxChars,
    Map<Severity, List<Channel>> ladders,
    @DefaultValue("100ms") Duration timerTick,
    @DefaultValue("16") int followUpThreads,
    @DefaultValue("60s") Duration timerLease,
    @DefaultValue("http://localhost:8085") String ackBaseUrl,
    @DefaultValue("24h") Duration ackLinkTtl,
    @DefaultValue("10m") Duration limitWindow,
    @DefaultValue("2000") int tenantCap,
    @DefaultValue("200") int policyCap,
    @DefaultValue("100000") int instanceCacheSize,
    @DefaultValue("10m") Duration instanceCacheTtl,
    @DefaultValue("5m") Duration alertmanagerResolveTimeout) {

  public NotifierProperties {
    stages = List.copyOf(stages);
    if (lanes < 1 || maxInFlight < 1 || laneBatch < 1 || dispatchThreads < 1 || policyCacheSize < 1 || memoryEntries < 1
        || trailQueue < 1 || followUpThreads < 1) {
      throw new IllegalArgumentException("vigil.notifier: lanes, max-in-flight, lane-batch, dispatch-threads, policy-cache-size,"
          + " memory-entries, trail-queue and follow-up-threads must be >= 1");
    }
    if (timerTick.toMillis() < 10) {
      throw new IllegalArgumentException("vigil.notifier.timer-tick must be at least 10ms");
    }
    if (smsMaxChars < 70 || smsMaxChars > 2000) {
      throw new IllegalArgumentException("vigil.notifier.sms-max-chars must be 70 to 2000");
    }
    Map<Severity, List<Channel>> l = new EnumMap<>(Severity.class);
    l.put(Severity.CRITICAL, List.of(Channel.PHONE, Channel.SMS, Channel.EMAIL));
    l.put(Severity.WARNING, List.of(Channel.SMS, Channel.EMAIL));
    l.put(Severity.INFO, List.of(Channel.EMAIL, Channel.SMS));
    if (ladders != null) {
      ladders.forEach((s, chans) -> l.put(s, List.copyOf(chans)));
    }
    ladders = Map.copyOf(l);
  }
}
