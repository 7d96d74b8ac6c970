package io.vigil.notifier.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.notifier.history.TrailStore;
import io.vigil.notifier.history.TrailStore.StoredStep;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** "Why was I (not) paged": the stages an alert event passed, where it stopped and why. */
@RestController
@RequestMapping("/v1/notifications")
@Tag(name = "explain")
@Validated
public class ExplainController {

  private final TrailStore trail;

  public ExplainController(TrailStore trail) {
    this.trail = trail;
  }

  /** The trail of one event or of one alert's latest events. */
  public record Explanation(String eventId, String alertKey, List<StoredStep> steps) {}

  @GetMapping("/explain")
  @Operation(summary = "The pipeline steps of an alert event, or of an alert's latest events",
      description = "Each step names the stage, its status (PASSED, NOTE, or the exit status such as SILENCED,"
          + " INHIBITED, NO_RECEIVER, SENT, SEND_FAILED), the reason and the object that decided it (a silence id,"
          + " an inhibition rule and the alert that inhibited), and per recipient and channel the notification id."
          + " Exactly one of eventId and alertKey. Another tenant's alert answers 404. Steps are kept for the"
          + " notifier's trail retention (7 days by default).")
  public Explanation explain(@Parameter(description = "an alert event's id") @RequestParam(required = false)
      String eventId,
      @Parameter(description = "an alert's key: its latest events' steps") @RequestParam(required = false)
      String alertKey,
      @Parameter(description = "at most this many steps, newest kept") @RequestParam(defaultValue = "200")
      @Min(1) @Max(2000) int limit) {
    VigilPrincipal caller = CurrentCaller.reader();
    if ((eventId == null) == (alertKey == null)) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, eventId == null ? "eventId" : "alertKey",
          "exactly one of eventId and alertKey");
    }
    String id = eventId != null ? eventId : alertKey;
    if (id.isBlank() || id.length() > 300) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, eventId != null ? "eventId" : "alertKey",
          "1 to 300 characters");
    }
    List<StoredStep> steps = trail.find(eventId, alertKey, limit);
    if (steps.isEmpty() || !caller.canRead(steps.get(0).tenant())) {
      throw new ApiException(ErrorCode.NOT_FOUND, null, "no notification steps for this "
          + (eventId != null ? "event" : "alert") + " (never seen, or past the trail's retention)");
    }
    return new Explanation(eventId, alertKey != null ? alertKey : steps.get(0).alertKey(), steps);
  }
}
