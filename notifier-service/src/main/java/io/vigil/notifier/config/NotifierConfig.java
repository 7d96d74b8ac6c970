package io.vigil.notifier.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.ControlDataSource;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.store.StoreNames;
import io.vigil.notifier.channel.Dispatcher;
import io.vigil.notifier.control.ControlCopy;
import io.vigil.notifier.dispatch.DispatchStage;
import io.vigil.notifier.history.RecordStage;
import io.vigil.notifier.history.TrailStore;
import io.vigil.notifier.intake.IntakeStage;
import io.vigil.notifier.pipeline.Pipeline;
import io.vigil.notifier.pipeline.PipelineMeters;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.render.RenderStage;
import io.vigil.notifier.route.RoutingStage;
import io.vigil.notifier.silence.SilenceStage;
import io.vigil.notifier.state.NotifierState;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The notifier's pipeline: its stages, their state and stores, composed from {@link NotifierProperties}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NotifierProperties.class)
class NotifierConfig {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  ControlCopy controlCopy(ControlDataSource control, NotifierProperties props, MeterRegistry registry) {
    return new ControlCopy(control.dataSource(), props.policyCacheSize(), registry);
  }

  @Bean
  NotifierState notifierState(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      NotifierProperties props) {
    return new NotifierState(redis, names, dependencies, clock, props.stateRetention(), props.firingRefresh(),
        props.memoryEntries());
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

  @Bean
  PipelineMeters pipelineMeters(MeterRegistry registry) {
    return new PipelineMeters(registry);
  }

  @Bean
  Pipeline pipeline(NotifierProperties props, ControlCopy control, NotifierState state, Dispatcher dispatcher,
      TrailStore trail, VigilPublisher publisher, PipelineMeters meters, ThreadPoolExecutor dispatchExecutor,
      DependencyMetrics dependencies, Clock clock, MeterRegistry registry) {
    Map<String, Stage> available = new LinkedHashMap<>();
    for (Stage s : List.of(new IntakeStage(control, state), new SilenceStage(control, state::firing, clock),
        new RoutingStage(control, props.ladders(), clock),
        new RenderStage(control, dependencies, props.smsMaxChars(), registry),
        new DispatchStage(dispatcher, state, meters, dispatchExecutor, clock))) {
      available.put(s.name(), s);
    }
    return new Pipeline(PipelineFactory.compose(props.stages(), available),
        new RecordStage(publisher, trail, state, clock, dispatchExecutor), meters, clock, registry);
  }
}
