package io.vigil.notifier.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.observability.MetricNames;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code vigil_notify_pipeline_total{stage,status}}: every exit of every stage, and every delivery's
 * outcome under {@code dispatch}. Both labels are bounded: stage names are fixed words of the
 * configuration, statuses one enum.
 */
public final class PipelineMeters {

  private final MeterRegistry registry;
  private final Map<String, Map<NotificationStatus, Counter>> counters = new ConcurrentHashMap<>();

  public PipelineMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  public void exit(String stage, NotificationStatus status) {
    counters.computeIfAbsent(stage, s -> {
      Map<NotificationStatus, Counter> m = new EnumMap<>(NotificationStatus.class);
      for (NotificationStatus st : NotificationStatus.values()) {
        m.put(st, Counter.builder(MetricNames.NOTIFY_PIPELINE).tag("stage", s).tag("status", st.name())
            .description("notices leaving the notification pipeline, by the stage and status they left with")
            .register(registry));
      }
      return m;
    }).get(status).increment();
  }
}
