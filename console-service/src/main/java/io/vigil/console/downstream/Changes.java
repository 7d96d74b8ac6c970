package io.vigil.console.downstream;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.system.Problem;
import java.util.function.Supplier;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A change a form asks of a service (acknowledge, enable, expire, delete, an override), answered
 * as a message on the page the form returns to: what was done; the service's refusal in its own
 * words (a 404: gone, or another tenant's); or that the service is not answering, counted as a
 * part is ({@code vigil_degraded_total{component="console", reason=<service>_unavailable}}). A
 * refusal of the console's own ({@code service} "console") says its reason as it is.
 */
public final class Changes {

  private Changes() {}

  /**
   * Runs {@code change}, which calls {@code service} and returns the notice; on failure the flash
   * message starts with {@code failed} ("Not changed").
   */
  public static void flash(DependencyMetrics metrics, RedirectAttributes redirect, String service, String failed,
      Supplier<String> change) {
    report(metrics, redirect, service, failed, () -> new Outcome(true, change.get()));
  }

  /** What a change came to when the service's answer itself may say it failed (a test not delivered). */
  public record Outcome(boolean done, String message) {}

  /** As {@link #flash}, the outcome a notice when done, else a failure. */
  public static void report(DependencyMetrics metrics, RedirectAttributes redirect, String service, String failed,
      Supplier<Outcome> change) {
    try {
      Outcome o = change.get();
      redirect.addFlashAttribute(o.done() ? "notice" : "failure", o.message());
    } catch (ServiceCallException e) {
      String why = e.service().equals("console") ? e.getMessage().substring(e.getMessage().indexOf(": ") + 2)
          : e.status() == 404 ? "it does not exist (any more), or it belongs to a tenant you do not work on"
          : Problem.describe(e);
      redirect.addFlashAttribute("failure", failed + ": " + why + ".");
    } catch (DependencyUnavailableException e) {
      metrics.degraded("console", service + "_unavailable");
      redirect.addFlashAttribute("failure", failed + ": " + service + " is not answering, so nothing changed."
          + " Try again in a moment.");
    }
  }
}
