package io.vigil.policy.api;

import io.vigil.common.control.OnCall;
import io.vigil.policy.access.Access;
import io.vigil.policy.objects.Kinds;
import io.vigil.policy.store.ControlStore;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A tenant's on-call schedules, and who is on call at an instant. */
@RestController
@RequestMapping("/v1/tenants/{tenant}/oncall-schedules")
@Tag(name = "on-call")
public class OnCallController extends TenantObjectController<OnCall> {

  private final ControlStore store;
  private final java.time.Clock clock;

  public OnCallController(ControlStore store, Access access, java.time.Clock clock) {
    super(new Kinds.Schedules(), store, access);
    this.store = store;
    this.clock = clock;
  }

  /** Who is on call. {@code user} is null (and present) when nobody is. */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
  public record OnCallAnswer(String schedule, long atMs, String user) {}

  /**
   * Who is on call at {@code at} (an ISO instant such as {@code 2026-11-26T02:00:00Z}, or epoch
   * milliseconds; now when absent), resolved by common's on-call function, the same one the notifier
   * routes with.
   */
  @org.springframework.web.bind.annotation.GetMapping("/{id}/oncall")
  public OnCallAnswer onCall(@org.springframework.web.bind.annotation.PathVariable String tenant,
      @org.springframework.web.bind.annotation.PathVariable String id,
      @org.springframework.web.bind.annotation.RequestParam(required = false) String at) {
    ObjectEndpoints.checkTenant(tenant);
    access.readTenant(tenant);
    java.time.Instant instant = parseInstant(at);
    OnCall schedule = store.get(endpoints.kind(), tenant, id).spec();
    return new OnCallAnswer(id, instant.toEpochMilli(), schedule.toSchedule().onCall(instant).orElse(null));
  }

  private java.time.Instant parseInstant(String at) {
    if (at == null || at.isBlank()) {
      return clock.instant();
    }
    try {
      return at.chars().allMatch(Character::isDigit) ? java.time.Instant.ofEpochMilli(Long.parseLong(at))
          : java.time.Instant.parse(at);
    } catch (RuntimeException e) {
      throw new io.vigil.common.error.ApiException(io.vigil.common.error.ErrorCode.INVALID_PARAMETER, "at",
          "an ISO instant such as 2026-11-26T02:00:00Z, or epoch milliseconds");
    }
  }
}
