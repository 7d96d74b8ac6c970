package io.vigil.console.downstream;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import java.util.function.Supplier;

/**
 * One part of a page and the service that feeds it: its value, or the message shown in its place
 * when that service is not answering, so the rest of the page still works. Each such miss is counted
 * ({@code vigil_degraded_total{component="console", reason=<service>_unavailable}}).
 */
public record Part<T>(T value, String unavailable) {

  public boolean ok() {
    return unavailable == null;
  }

  public static <T> Part<T> load(DependencyMetrics metrics, String service, String what, Supplier<T> load) {
    try {
      return new Part<>(load.get(), null);
    } catch (DependencyUnavailableException e) {
      metrics.degraded("console", service + "_unavailable");
      return new Part<>(null, service + " is not answering, so " + what + " cannot be shown just now."
          + " The rest of the page works; this part comes back when " + service + " does.");
    }
  }
}
