package io.vigil.console.policies;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.console.downstream.Changes;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.system.Maps;
import io.vigil.console.system.TenantNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A test notification to one of a policy's receivers, from the policy's page: the notifier sends a
 * made-up INFO alert through its real routing, render and dispatch (records marked as a test), so an
 * operator learns whether a webhook, a chat bot or a person is reached before an incident does.
 */
@Controller
public class ReceiverTestController {

  static final Set<String> KINDS = Set.of("webhook", "bot", "user");


  private final Downstream downstream;
  private final DependencyMetrics metrics;
  /**
   * How long a test may take ({@code vigil.console.test-notification-timeout}, 60 s): the notifier
   * sends it at once, through the channel's retries (a webhook's three tries of 5 s, an e-mail's
   * 10 s), and answers what each delivery came to.
   */
  private final java.time.Duration wait;

  public ReceiverTestController(Downstream downstream, DependencyMetrics metrics,
      @org.springframework.beans.factory.annotation.Value("${vigil.console.test-notification-timeout:60s}")
      java.time.Duration wait) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.wait = wait;
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Send a test notification to one receiver of a policy")
  @PostMapping("/receivers/test")
  public String test(@RequestParam String tenant, @RequestParam String kind, @RequestParam String id,
      @RequestParam(required = false) String policyId, RedirectAttributes redirect) {
    String receiver = id.strip();
    String back = TenantNames.valid(tenant) && policyId != null && TenantNames.validId(policyId)
        ? Downstream.uri(Downstream.path("policies", "edit").queryParam("tenant", tenant).queryParam("id", policyId))
            .toString()
        : "/policies";
    if (!TenantNames.valid(tenant) || !KINDS.contains(kind) || !TenantNames.validId(receiver)) {
      redirect.addFlashAttribute("failure", "Test not sent: no such receiver.");
      return "redirect:" + back;
    }
    Changes.report(metrics, redirect, "notifier", "Test not sent", () -> {
      Map<String, Object> answer;
      try {
        answer = Maps.map(downstream.sendPatiently("notifier", wait, HttpMethod.POST,
            Downstream.uri(Downstream.path("v1", "notifications", "test")), Map.of("tenant", tenant, kind, receiver),
            Map.class));
      } catch (io.vigil.common.error.DependencyUnavailableException e) {
        if (!answerTimedOut(e)) {
          throw e; // not reached at all (or refused at once): nothing was sent
        }
        metrics.degraded("console", "test_notification_slow");
        return new Changes.Outcome(false, "Test notification to " + kind + " " + receiver + ": the notifier did not"
            + " answer within " + wait.toSeconds() + " s, so whether it went out is unknown. Its record shows among"
            + " the tenant's notifications once it is done.");
      }
      return outcome(kind + " " + receiver, answer);
    });
    return "redirect:" + back;
  }

  /** The notifier took the request but did not answer in time (a connection that never opened is not that). */
  static boolean answerTimedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.http.HttpConnectTimeoutException) {
        return false;
      }
      if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The notifier's answer in one line: each delivery, and why the first that failed did. */
  static Changes.Outcome outcome(String receiver, Map<String, Object> answer) {
    String status = String.valueOf(answer.get("status"));
    List<String> deliveries = new ArrayList<>();
    for (Object o : Maps.list(answer.get("deliveries"))) {
      Map<String, Object> d = Maps.map(o);
      deliveries.add(d.get("channel") + " to " + d.get("recipient") + ": " + d.get("status"));
    }
    String said = deliveries.isEmpty() ? "" : " (" + String.join("; ", deliveries) + ")";
    if ("SENT".equals(status)) {
      return new Changes.Outcome(true, "Test notification to " + receiver + " sent" + said + ".");
    }
    Object reason = answer.get("reason");
    return new Changes.Outcome(false, "Test notification to " + receiver + ": " + status
        + (reason != null ? ", " + reason : "") + said + ".");
  }
}
