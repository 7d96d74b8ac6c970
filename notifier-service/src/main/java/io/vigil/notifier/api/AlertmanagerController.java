package io.vigil.notifier.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.notifier.alertmanager.AlertmanagerIntake;
import io.vigil.notifier.alertmanager.AlertmanagerIntake.PostableAlert;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Prometheus and vmalert users can switch: Alertmanager's v2 alert API as another intake. */
@RestController
@Tag(name = "alertmanager")
public class AlertmanagerController {

  private final AlertmanagerIntake intake;

  public AlertmanagerController(AlertmanagerIntake intake) {
    this.intake = intake;
  }

  @PostMapping(path = "/api/v2/alerts", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Alerts as Prometheus and vmalert send them to Alertmanager",
      description = "Alertmanager's v2 API: an array of {labels, annotations, startsAt, endsAt, generatorURL}. A"
          + " refresh before endsAt stays one alert (its fingerprint is its label set); an endsAt that passed,"
          + " sent so or reached without a refresh, resolves it once. The tenant is the credential's: an operator"
          + " token of exactly one tenant (set it as the sender's bearer token). Labels: vigil_policy (required) names"
          + " the tenant's policy whose receivers and settings apply; vigil_namespace the namespace (default"
          + " prometheus/alerts); severity critical, warning or info; alertname the metric; the other labels are the"
          + " alert's dimensions. A batch with an invalid alert is refused whole (400), as Alertmanager does.")
  public ResponseEntity<Void> post(@RequestBody List<PostableAlert> alerts) throws Exception {
    VigilPrincipal caller = CurrentCaller.authenticated();
    String tenant = caller.soleTenant();
    if (tenant == null || !caller.canWrite(tenant)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "Authorization", "alerts are sent with an operator token of"
          + " exactly one tenant (operator or admin): the tenant is the token's, never a label");
    }
    intake.validate(tenant, alerts);
    intake.accept(tenant, alerts);
    return ResponseEntity.ok().build();
  }
}
