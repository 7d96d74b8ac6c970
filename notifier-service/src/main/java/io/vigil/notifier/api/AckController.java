package io.vigil.notifier.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.notifier.ack.AckLinks;
import io.vigil.notifier.ack.AckService;
import io.vigil.notifier.state.NotifierState.AlertRecord;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * Acknowledging an alert: by an operator's API token, or by the signed link in every message (for the
 * person paged at 3 a.m., who holds no token). Either stops the alert's repeats and escalations.
 */
@RestController
@Tag(name = "acknowledge")
public class AckController {

  private final AckService acks;
  private final ObjectProvider<AckLinks> links;

  public AckController(AckService acks, ObjectProvider<AckLinks> links) {
    this.acks = acks;
    this.links = links;
  }

  /** @param comment why, or what is being done; kept in the log */
  public record AckRequest(String alertKey, String comment) {}

  public record AckAnswer(String result, String alertKey, String ackBy, long ackAtMs) {}

  @PostMapping(path = "/v1/alerts/ack", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Acknowledge an open alert",
      description = "Stops the alert's repeats and escalations and records who acknowledged it (an ACKNOWLEDGED"
          + " record on notify.records). An operator or admin of the alert's tenant may; a viewer gets 403, another"
          + " tenant's alert 404. Acknowledging again answers the first acknowledgement; a resolved alert 409.")
  public AckAnswer acknowledge(@RequestBody AckRequest body) throws Exception {
    VigilPrincipal caller = CurrentCaller.authenticated();
    if (body == null || body.alertKey() == null || body.alertKey().isBlank() || body.alertKey().length() > 300) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "alertKey", "an alert key of 1 to 300 characters");
    }
    if (body.comment() != null && body.comment().length() > 1000) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "comment", "at most 1000 characters");
    }
    AlertRecord a = acks.find(body.alertKey());
    if (a == null || !caller.canRead(a.event().tenant())) {
      throw new ApiException(ErrorCode.NOT_FOUND, "alertKey", "no alert " + body.alertKey()
          + " known to the notifier");
    }
    if (!caller.canWrite(a.event().tenant())) {
      throw new ApiException(ErrorCode.FORBIDDEN, null, "acknowledging needs the operator or admin role of the"
          + " alert's tenant");
    }
    AckService.Answer answer = acks.acknowledge(body.alertKey(), caller.name(), "api", null);
    if (answer == null) {
      throw new ApiException(ErrorCode.NOT_FOUND, "alertKey", "no alert " + body.alertKey());
    }
    if (answer.result() == AckService.Result.NOT_OPEN || answer.result() == AckService.Result.OTHER_EPISODE) {
      throw new ApiException(ErrorCode.CONFLICT, "alertKey", "the alert is resolved: nothing to acknowledge");
    }
    return new AckAnswer(answer.result().name(), body.alertKey(), answer.ackBy(), answer.ackAtMs());
  }

  @GetMapping(path = "/v1/ack-links/{token}", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(summary = "The page an acknowledgement link opens",
      description = "Shows the alert and a button that acknowledges it (the POST). Opening the link acknowledges"
          + " nothing, so a chat app's link preview cannot. No API key: the signed, expiring token is the"
          + " credential; an invalid or expired one answers 404.")
  public ResponseEntity<String> confirm(@PathVariable String token) {
    AckLinks.Claim claim = claim(token);
    if (claim == null) {
      return page(404, "This acknowledgement link is invalid or has expired.", null);
    }
    AlertRecord a = acks.find(claim.alertKey());
    String what = a == null ? claim.alertKey() : a.event().status() + " " + a.event().alertKey()
        + (a.event().summary() == null ? "" : ": " + a.event().summary());
    return page(200, "Acknowledge " + what + " as " + claim.recipient() + "?", token);
  }

  @PostMapping(path = "/v1/ack-links/{token}", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(summary = "Acknowledge by link", description = "Acknowledges the alert as the link's recipient. An"
      + " invalid or expired token answers 404; a resolved alert 409.")
  public ResponseEntity<String> acknowledgeByLink(@PathVariable String token) throws Exception {
    AckLinks.Claim claim = claim(token);
    if (claim == null) {
      return page(404, "This acknowledgement link is invalid or has expired.", null);
    }
    AckService.Answer answer = acks.acknowledge(claim.alertKey(), claim.recipient(), "link", claim.episodeMs());
    if (answer == null) {
      return page(404, "The notifier does not know this alert (any more).", null);
    }
    return switch (answer.result()) {
      case ACKNOWLEDGED -> page(200, "Acknowledged. Repeats and escalations of this alert stop.", null);
      case ALREADY_ACKNOWLEDGED -> page(200, "Already acknowledged by " + answer.ackBy() + ".", null);
      case NOT_OPEN -> page(409, "The alert is resolved: nothing to acknowledge.", null);
      case OTHER_EPISODE -> page(409, "This link is of an earlier occurrence of the alert, which is over.", null);
    };
  }

  private AckLinks.Claim claim(String token) {
    AckLinks l = links.getIfAvailable();
    return l == null ? null : l.verify(token);
  }

  private static ResponseEntity<String> page(int status, String message, String formToken) {
    String form = formToken == null ? "" : "<form method=\"post\" action=\"" + HtmlUtils.htmlEscape(formToken)
        + "\"><button type=\"submit\">Acknowledge</button></form>";
    String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Vigil</title></head><body><p>"
        + HtmlUtils.htmlEscape(message) + "</p>" + form + "</body></html>";
    return ResponseEntity.status(status).contentType(MediaType.TEXT_HTML)
        .header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer").body(html);
  }

}
