package io.vigil.notifier.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.dispatch.TestNotifications;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Send a test notification to one receiver, through the real render and dispatch. */
@RestController
@Tag(name = "test notifications")
public class TestNotificationController {

  private final TestNotifications tests;
  private final ControlView control;

  public TestNotificationController(TestNotifications tests, ControlView control) {
    this.tests = tests;
    this.control = control;
  }

  /**
   * Exactly one of {@code webhook}, {@code bot} and {@code user} (ids of the tenant's objects).
   *
   * @param channel for a user: only this channel; absent for the user's ladder
   */
  public record TestRequest(String tenant, String webhook, String bot, String user, Channel channel) {}

  public record Delivery(String recipient, Channel channel, String status, String reason, int attempts,
      String notificationId) {}

  /** @param status SENT when every delivery went out; otherwise the first delivery's status or the stop */
  public record TestAnswer(String alertKey, String status, String reason, List<Delivery> deliveries) {}

  @PostMapping(path = "/v1/notifications/test", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Send a test notification to one receiver",
      description = "A made-up INFO alert of the tenant goes through the real routing, render, dispatch and record"
          + " (records marked source=test; no alert state, no repeats) to one webhook, chat bot, or user (on one"
          + " channel, or their ladder), so a channel can be checked before an incident. Operators and admins of the"
          + " tenant; the answer says what each delivery came to, failures included (a failed delivery is a 200"
          + " answer with status SEND_FAILED and its reason).")
  public TestAnswer send(@RequestBody TestRequest body) throws Exception {
    VigilPrincipal caller = CurrentCaller.authenticated();
    if (body == null || body.tenant() == null || body.tenant().isBlank()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "tenant", "the tenant whose receiver is tested");
    }
    if (!caller.canRead(body.tenant())) {
      throw new ApiException(ErrorCode.NOT_FOUND, "tenant", "no tenant " + body.tenant());
    }
    if (!caller.canWrite(body.tenant())) {
      throw new ApiException(ErrorCode.FORBIDDEN, null, "test notifications need the operator or admin role");
    }
    int named = (body.webhook() == null ? 0 : 1) + (body.bot() == null ? 0 : 1) + (body.user() == null ? 0 : 1);
    if (named != 1) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "webhook", "exactly one of webhook, bot and user");
    }
    if (body.channel() != null && body.user() == null) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "channel", "a channel is chosen for a user only");
    }
    String tenant = body.tenant();
    AlertPolicy.Receivers receivers;
    if (body.webhook() != null) {
      exists(control.webhook(tenant, body.webhook()) != null, "webhook", body.webhook());
      receivers = new AlertPolicy.Receivers(List.of(), List.of(), List.of(), List.of(body.webhook()), List.of());
    } else if (body.bot() != null) {
      exists(control.bot(tenant, body.bot()) != null, "bot", body.bot());
      receivers = new AlertPolicy.Receivers(List.of(), List.of(), List.of(), List.of(), List.of(body.bot()));
    } else {
      exists(control.user(tenant, body.user()) != null, "user", body.user());
      if (body.channel() == Channel.WEBHOOK || body.channel() == Channel.BOT) {
        throw new ApiException(ErrorCode.VALIDATION_FAILED, "channel", "a user is reached by SMS, PHONE or EMAIL");
      }
      if (body.channel() != null && (control.user(tenant, body.user()).contacts() == null
          || !control.user(tenant, body.user()).contacts().containsKey(body.channel()))) {
        throw new ApiException(ErrorCode.VALIDATION_FAILED, "channel", "the user has no " + body.channel()
            + " contact");
      }
      receivers = new AlertPolicy.Receivers(List.of(body.user()), List.of(), List.of(), List.of(), List.of());
    }
    TestNotifications.Result r = tests.send(tenant, receivers, body.channel(), caller.name());
    if (r.stopped() != null) {
      return new TestAnswer(r.alertKey(), r.stopped().status().name(), r.stopped().reason(), List.of());
    }
    List<Delivery> deliveries = r.records().stream().map(TestNotificationController::delivery).toList();
    String status = deliveries.stream().map(Delivery::status).filter(s -> !s.equals("SENT")).findFirst().orElse("SENT");
    String reason = deliveries.stream().filter(d -> !d.status().equals("SENT")).map(Delivery::reason).findFirst()
        .orElse(null);
    return new TestAnswer(r.alertKey(), status, reason, deliveries);
  }

  private static Delivery delivery(NotificationRecord r) {
    return new Delivery(r.recipient(), r.channel(), r.status().name(), r.reason(), r.attempts(), r.notificationId());
  }

  private static void exists(boolean found, String field, String id) {
    if (!found) {
      throw new ApiException(ErrorCode.NOT_FOUND, field, "no " + field + " " + id + " in the tenant");
    }
  }
}
