package io.vigil.console.downstream;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import java.util.function.Supplier;

/**
 * One part of a page and the service that feeds it: its value, or the message shown in its place
 * when that service is not answering, so the rest of the page still works. Each such miss is counted
 * ({@code vigil_degraded_total{component="console", reason=<service>_unavailable}}); so is a service
 * that refuses the user's token while the control plane accepts it ({@code <service>_refused_token}).
 */
public record Part<T>(T value, String unavailable) {

  public boolean ok() {
    return unavailable == null;
  }

  public static <T> Part<T> load(DependencyMetrics metrics, String service, String what, Supplier<T> load) {
    try {
      return new Part<>(load.get(), null);
    } catch (DependencyUnavailableException e) {
      // the service that did not answer: the part's own, or one it asked first (e.g. policy-service)
      String down = e.dependency() != null && !e.dependency().equals("unknown")
          && io.vigil.common.observability.DependencyMetrics.DEPENDENCIES.contains(e.dependency())
          ? e.dependency() : service;
      metrics.degraded("console", down + "_unavailable");
      return new Part<>(null, down + " is not answering, so " + what + " cannot be shown just now."
          + " The rest of the page works; this part comes back when " + down + " does.");
    } catch (io.vigil.common.services.ServiceCallException e) {
      // the service refused this part's question (a 4xx): the part says so, the page stands
      metrics.degraded("console", e.service() + "_refused");
      return new Part<>(null, e.service() + " refused to show " + what + " (" + e.status() + ").");
    } catch (TokenRefusedException e) {
      metrics.degraded("console", e.service() + "_refused_token");
      return new Part<>(null, e.service() + " does not accept your token although the control plane does, so "
          + what + " cannot be shown. Tell the platform's operators: " + e.service()
          + " reads no operator tokens (vigil.security.control-callers).");
    }
  }
}
