package io.vigil.notifier.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.ControlDataSource;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.security.CredentialResolver;
import io.vigil.common.services.ServiceClients;
import io.vigil.common.security.VigilSecurity;
import io.vigil.common.store.StoreNames;
import io.vigil.notifier.ack.AckLinks;
import io.vigil.notifier.alertmanager.AlertmanagerIntake;
import io.vigil.notifier.ack.AckService;
import io.vigil.notifier.channel.Dispatcher;
import io.vigil.notifier.control.ControlCopy;
import io.vigil.notifier.convergence.ConvergenceStage;
import io.vigil.notifier.convergence.GroupFlusher;
import io.vigil.notifier.convergence.Groups;
import io.vigil.notifier.dispatch.DispatchStage;
import io.vigil.notifier.enrich.EnrichmentStage;
import io.vigil.notifier.enrich.InstanceDirectory;
import io.vigil.notifier.dispatch.TestNotifications;
import io.vigil.notifier.frequency.FollowUps;
import io.vigil.notifier.frequency.FrequencyStage;
import io.vigil.notifier.frequency.Lifecycle;
import io.vigil.notifier.history.RecordStage;
import io.vigil.notifier.history.TrailStore;
import io.vigil.notifier.intake.IntakeStage;
import io.vigil.notifier.limit.LimitStage;
import io.vigil.notifier.limit.Limits;
import io.vigil.notifier.pipeline.AlertLocks;
import io.vigil.notifier.pipeline.Pipeline;
import io.vigil.notifier.pipeline.PipelineMeters;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.render.RenderStage;
import io.vigil.notifier.route.RoutingStage;
import io.vigil.notifier.silence.SilenceStage;
import io.vigil.notifier.state.NotifierState;
import io.vigil.notifier.values.CurrentValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** The notifier's pipeline: its stages, their state and stores, composed from {@link NotifierProperties}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NotifierProperties.class)
class NotifierConfig {

  /** Where acknowledgement links are served: signed tokens are their credential, not API keys. */
  static final String ACK_LINKS = "/v1/ack-links/**";

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * No per-command measurement on the Redis client: the pipeline makes several Redis calls per alert
   * event, and a Micrometer observation (a long-task timer, a timer and its tags) plus Lettuce's own
   * latency histogram per command took about a third of the client's I/O thread in a profile of the
   * events benchmark. The observation is off by excluding Boot's {@code
   * LettuceObservationAutoConfiguration} (application.yml); this turns off Lettuce's histogram. Redis
   * is watched through the notifier's own meters instead (state write batches, degraded paths,
   * dependency failures).
   */
  @Bean
  org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer noRedisCommandLatencies() {
    return builder -> builder.commandLatencyRecorder(io.lettuce.core.metrics.CommandLatencyRecorder.disabled());
  }

  @Bean
  SecurityFilterChain notifierSecurityFilterChain(HttpSecurity http, CredentialResolver resolver) throws Exception {
    return VigilSecurity.base(http, resolver)
        .authorizeHttpRequests(a -> a
            .requestMatchers(VigilSecurity.PUBLIC_PATHS).permitAll()
            .requestMatchers(VigilSecurity.API_DOC_PATHS).permitAll()
            .requestMatchers(ACK_LINKS).permitAll()
            .anyRequest().authenticated())
        .build();
  }

  @Bean
  ControlCopy controlCopy(ControlDataSource control, NotifierProperties props, MeterRegistry registry) {
    return new ControlCopy(control.dataSource(), props.policyCacheSize(), registry);
  }

  /** The end of the watchdog's path: its events are noted and kept from the pipeline (common's Watchdog). */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "vigil.watchdog.enabled",
      matchIfMissing = true)
  io.vigil.notifier.watchdog.WatchdogMonitor watchdogMonitor(StringRedisTemplate redis, NotifierState state,
      StoreNames names, Clock clock, DependencyMetrics dependencies, MeterRegistry registry,
      @org.springframework.beans.factory.annotation.Value("${vigil.watchdog.silent-after:5m}")
      java.time.Duration silentAfter) {
    return new io.vigil.notifier.watchdog.WatchdogMonitor(redis, state.writes(), names, clock, silentAfter,
        dependencies, registry);
  }

  @Bean
  NotifierState notifierState(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      NotifierProperties props, MeterRegistry registry) {
    return new NotifierState(redis, names, dependencies, clock, props.stateRetention(), props.firingRefresh(),
        props.memoryEntries(), registry);
  }

  @Bean
  TrailStore trailStore(DataSource dataSource, DependencyMetrics dependencies, Clock clock, NotifierProperties props,
      MeterRegistry registry) {
    return new TrailStore(dataSource, dependencies, clock, props.trailQueue(), props.trailFlush(),
        props.trailRetention(), registry);
  }

  /** Sends to the several recipients of one event in parallel; a full queue runs the send on the lane itself. */
  @Bean(destroyMethod = "shutdown")
  ThreadPoolExecutor dispatchExecutor(NotifierProperties props, MeterRegistry registry) {
    return InstrumentedExecutor.create("notify-dispatch", props.dispatchThreads(), props.dispatchThreads(),
        props.dispatchThreads() * 64, new ThreadPoolExecutor.CallerRunsPolicy(), registry);
  }

  /**
   * Where an event's state moves on once its records are acknowledged (Redis round trips), and the
   * Alertmanager intake's callbacks: never the producer's I/O thread, never behind slow deliveries.
   */
  @Bean(destroyMethod = "shutdown")
  ThreadPoolExecutor recordExecutor(MeterRegistry registry) {
    return InstrumentedExecutor.create("notify-record", 4, 4, 10_000, new ThreadPoolExecutor.CallerRunsPolicy(),
        registry);
  }

  @Bean
  PipelineMeters pipelineMeters(MeterRegistry registry) {
    return new PipelineMeters(registry);
  }

  /**
   * 16,384 stripes (about a megabyte): a lane's batch of 100 alerts finds two of them on one stripe
   * about once in three batches (that one runs alone after the batch); with 1,024 it was nearly every batch.
   */
  @Bean
  AlertLocks alertLocks() {
    return new AlertLocks(16_384);
  }

  @Bean
  Limits limits(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      NotifierProperties props) {
    return new Limits(redis, names, dependencies, clock, props.limitWindow(), props.tenantCap(), props.policyCap(),
        props.memoryEntries());
  }

  @Bean
  CurrentValues currentValues(StringRedisTemplate redis, NotifierState state, StoreNames names,
      DependencyMetrics dependencies, Clock clock, MeterRegistry registry) {
    return new CurrentValues(redis, state.writes(), names, dependencies, clock, 60, Duration.ofSeconds(2), registry);
  }

  @Bean
  Lifecycle lifecycle(NotifierState state, CurrentValues values) {
    return new Lifecycle(state, values);
  }

  /**
   * Acknowledgement links, signed with a key derived from {@code vigil.notifier.ack.key-file} (by
   * default the master key file); without one, messages carry no link (the API still acknowledges).
   */
  @Bean
  @ConditionalOnExpression("!'${vigil.notifier.ack.key-file:${vigil.security.master-key-file:}}'.isBlank()")
  AckLinks ackLinks(@Value("${vigil.notifier.ack.key-file:${vigil.security.master-key-file:}}") String keyFile,
      NotifierProperties props, Clock clock) throws IOException {
    return new AckLinks(Files.readAllBytes(Path.of(keyFile)), props.ackBaseUrl(), props.ackLinkTtl(), clock);
  }

  @Bean
  Pipeline pipeline(NotifierProperties props, Stages stages, AlertLocks locks, PipelineMeters meters, Clock clock,
      MeterRegistry registry) {
    return new Pipeline(PipelineFactory.compose(props.stages(), stages.byName()), stages.record(), locks, meters,
        clock, registry);
  }

  /** Every stage the pipeline may be composed of, by name. */
  record Stages(Map<String, Stage> byName, RecordStage record) {}

  @Bean
  Stages stages(NotifierProperties props, ControlCopy control, NotifierState state, Dispatcher dispatcher,
      TrailStore trail, VigilPublisher publisher, PipelineMeters meters, ThreadPoolExecutor dispatchExecutor,
      ThreadPoolExecutor recordExecutor,
      DependencyMetrics dependencies, Lifecycle lifecycle, ObjectProvider<AckLinks> links, Limits limits, Groups groups,
      AccessConfigCache access, InstanceDirectory instances, ServiceClients services, Clock clock,
      MeterRegistry registry) {
    Map<String, Stage> available = new LinkedHashMap<>();
    for (Stage s : List.of(new IntakeStage(control, state), new LimitStage(limits),
        new SilenceStage(control, state::firing, clock),
        new FrequencyStage(clock), new ConvergenceStage(groups, dependencies, clock),
        new EnrichmentStage(access, instances, dependencies, clock,
            // four chart queries at a time: a storm's FIRINGs beyond them go without a chart
            new io.vigil.notifier.values.SeriesHistory(services.client("storage"), dependencies, 4), dispatchExecutor),
        new RoutingStage(control, props.ladders(), clock),
        new RenderStage(control, links.getIfAvailable(), dependencies, props.smsMaxChars(), registry),
        new DispatchStage(dispatcher, state, meters, dispatchExecutor, clock))) {
      available.put(s.name(), s);
    }
    return new Stages(Map.copyOf(available), new RecordStage(publisher, trail, state, lifecycle, clock,
        recordExecutor));
  }

  @Bean
  TestNotifications testNotifications(Stages stages, @Value("${vigil.region:local}") String region, Clock clock) {
    return new TestNotifications(stages.byName().get("routing"), stages.byName().get("render"),
        stages.byName().get("dispatch"), stages.record(), region, clock);
  }

  /** The access config (namespaces: which dimension names an alert's instance), loaded with the control copy. */
  @Bean
  AccessConfigCache accessConfigCache(ControlDataSource control) {
    return new AccessConfigCache(control.dataSource());
  }

  @Bean
  InstanceDirectory instanceDirectory(ServiceClients services, NotifierProperties props, Clock clock,
      MeterRegistry registry) {
    return new InstanceDirectory(services.client("cmdb"), props.instanceCacheSize(), props.instanceCacheTtl(),
        Duration.ofSeconds(60), clock, registry);
  }

  @Bean
  Groups groups(StringRedisTemplate redis, StoreNames names, NotifierProperties props) {
    return new Groups(redis, names, props.stateRetention().toMillis());
  }

  @Bean
  FollowUps followUps(NotifierState state, ControlCopy control, Pipeline pipeline, Groups groups, AlertLocks locks,
      CurrentValues values, Clock clock, NotifierProperties props, MeterRegistry registry) {
    // groups lock among themselves only (two flushes of one group): on the alerts' stripes, a flush that
    // waits on a webhook would hold up the alerts sharing its stripe
    return new FollowUps(state, control, pipeline, new GroupFlusher(groups, control, pipeline, new AlertLocks(1024),
        clock, registry),
        values, locks, clock, props.timerTick(), props.timerLease(), props.followUpThreads(), control::loaded,
        registry);
  }

  @Bean
  AlertmanagerIntake alertmanagerIntake(VigilPublisher publisher, ControlCopy control, NotifierState state,
      StringRedisTemplate redis, StoreNames names, Clock clock, FollowUps followUps, ThreadPoolExecutor recordExecutor,
      @Value("${vigil.region:local}") String region, NotifierProperties props, MeterRegistry registry) {
    AlertmanagerIntake intake = new AlertmanagerIntake(publisher, control, state, redis, names, clock, region,
        props.alertmanagerResolveTimeout(), props.stateRetention(), recordExecutor, registry);
    followUps.alertmanager(intake);
    return intake;
  }

  @Bean
  AckService ackService(NotifierState state, AlertLocks locks, VigilPublisher publisher, TrailStore trail,
      PipelineMeters meters, Clock clock, MeterRegistry registry) {
    return new AckService(state, locks, publisher, trail, meters, clock, registry);
  }
}
