package io.vigil.console.oncall;

import io.vigil.common.control.OnCall;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.semantics.OnCallSchedule;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Changes;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.security.ConsoleUser;
import io.vigil.console.system.Maps;
import io.vigil.console.system.TenantNames;
import io.vigil.console.system.UserZone;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * On-call: per schedule of a tenant, who is on call now and who takes over next (common's resolver,
 * the one the notifier routes with), the rotation layers, and the overrides, which can be added (a
 * time range in the user's zone) and removed here.
 */
@Controller
public class OnCallController {

  static final Duration LOOK_AHEAD = Duration.ofDays(14);

  private final Downstream downstream;
  private final DependencyMetrics metrics;
  private final Clock clock;

  public OnCallController(Downstream downstream, DependencyMetrics metrics, Clock clock) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** One override as shown (its index in the stored list, for removal). */
  public record OverrideRow(int index, long startMs, long endMs, String participant, boolean past) {}

  /** One schedule: who now, who next and when (null: nobody, or no change within two weeks). */
  public record ScheduleRow(String id, long version, String name, String zone, String now, String nextWho,
      long nextAtMs, boolean nextKnown, List<String> layers, List<OverrideRow> overrides, String problem) {}

  @io.swagger.v3.oas.annotations.Operation(summary = "Who is on call now and next, per schedule, with the overrides")
  @GetMapping("/oncall")
  public String list(@RequestParam(required = false) String tenant, HttpServletRequest request, Model model) {
    ConsoleUser user = Downstream.user();
    String t = TenantNames.orDefault(tenant, user);
    model.addAttribute("user", user);
    model.addAttribute("tenant", t);
    model.addAttribute("zone", UserZone.of(request));
    if (t == null || !TenantNames.valid(t)) {
      model.addAttribute("schedules", new Part<>(List.<ScheduleRow>of(), null));
      return "oncall";
    }
    model.addAttribute("schedules", Part.load(metrics, "policy", "the on-call schedules", () -> rows(t)));
    return "oncall";
  }

  private List<ScheduleRow> rows(String tenant) {
    Map<String, Object> page = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "tenants", tenant,
        "oncall-schedules").queryParam("limit", 1000)));
    Instant now = clock.instant();
    List<ScheduleRow> rows = new ArrayList<>();
    for (Object o : Maps.list(page.get("items"))) {
      Map<String, Object> item = Maps.map(o);
      Map<String, Object> spec = Maps.map(item.get("spec"));
      OnCall stored;
      try {
        stored = Maps.LENIENT.convertValue(spec, OnCall.class);
      } catch (RuntimeException unreadable) {
        rows.add(new ScheduleRow(String.valueOf(item.get("id")), Maps.num(item.get("version")),
            String.valueOf(spec.get("name")), String.valueOf(spec.get("zone")), null, null, 0, false, List.of(),
            List.of(), "this schedule cannot be read: " + unreadable.getMessage()));
        continue;
      }
      List<String> layers = new ArrayList<>();
      for (OnCall.Layer l : stored.layers() == null ? List.<OnCall.Layer>of() : stored.layers()) {
        layers.add((l.name() == null ? "layer" : l.name()) + ": " + String.join(" → ", l.participants() == null ? List.of() : l.participants()) + " every "
            + l.rotation() + " from " + l.start() + (l.restriction() == null ? "" : " (restricted)"));
      }
      List<OverrideRow> overrides = new ArrayList<>();
      List<OnCall.Override> os = stored.overrides() == null ? List.of() : stored.overrides();
      for (int i = 0; i < os.size(); i++) {
        OnCall.Override ov = os.get(i);
        long end = ov.endMs() == null ? 0 : ov.endMs();
        overrides.add(new OverrideRow(i, ov.startMs() == null ? 0 : ov.startMs(), end, ov.participant(),
            end <= now.toEpochMilli()));
      }
      String who = null;
      OnCallSchedule.Handoff next = null;
      String problem = null;
      try {
        OnCallSchedule schedule = stored.toSchedule();
        who = schedule.onCall(now).orElse(null);
        next = schedule.nextHandoff(now, LOOK_AHEAD).orElse(null);
      } catch (RuntimeException e) {
        problem = "this schedule does not resolve: " + e.getMessage();
      }
      rows.add(new ScheduleRow(String.valueOf(item.get("id")), Maps.num(item.get("version")), stored.name(), stored.zone(),
          who, next == null ? null : next.participant(), next == null ? 0 : next.at().toEpochMilli(), next != null,
          layers, overrides, problem));
    }
    return rows;
  }

  /** Adds an override: {@code participant} on call from {@code from} until {@code until}, local times in the user's zone. */
  @io.swagger.v3.oas.annotations.Operation(summary = "Add an override, from and until in the user's zone")
  @PostMapping("/oncall/override")
  public String addOverride(@RequestParam String tenant, @RequestParam String id, @RequestParam String participant,
      @RequestParam String from, @RequestParam String until, HttpServletRequest request, RedirectAttributes redirect) {
    UserZone zone = UserZone.of(request);
    long start;
    long end;
    try {
      start = LocalDateTime.parse(from).atZone(zone.zone()).toInstant().toEpochMilli();
      end = LocalDateTime.parse(until).atZone(zone.zone()).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      redirect.addFlashAttribute("failure", "Override not added: from and until are a date and a time (" + zone.name()
          + ").");
      return back(tenant);
    }
    if (end <= start) {
      redirect.addFlashAttribute("failure", "Override not added: until must be after from.");
      return back(tenant);
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("startMs", start);
    entry.put("endMs", end);
    entry.put("participant", participant.strip());
    return change(tenant, id, redirect, overrides -> overrides.add(entry),
        "Override added: " + participant.strip() + " from " + zone.format(start) + " until " + zone.format(end) + ".");
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Remove the override the user saw (index, start, person)")
  @PostMapping("/oncall/override/remove")
  public String removeOverride(@RequestParam String tenant, @RequestParam String id, @RequestParam int index,
      @RequestParam long startMs, @RequestParam String participant, RedirectAttributes redirect) {
    return change(tenant, id, redirect, overrides -> {
      // the row the user saw: same place, same start, same person (else someone changed the list meanwhile)
      if (index < 0 || index >= overrides.size()
          || Maps.num(Maps.map(overrides.get(index)).get("startMs")) != startMs
          || !participant.equals(Maps.map(overrides.get(index)).get("participant"))) {
        throw new ServiceCallException("console", 409, "the overrides changed meanwhile");
      }
      overrides.remove(index);
    }, "Override removed.");
  }

  private String change(String tenant, String id, RedirectAttributes redirect,
      java.util.function.Consumer<List<Object>> edit, String done) {
    if (!TenantNames.valid(tenant) || !TenantNames.validId(id)) {
      redirect.addFlashAttribute("failure", "No such schedule.");
      return back(tenant);
    }
    Changes.flash(metrics, redirect, "policy", "Not changed", () -> {
      var path = Downstream.uri(Downstream.path("v1", "tenants", tenant, "oncall-schedules", id));
      Map<String, Object> view = downstream.getMap("policy", path);
      Map<String, Object> spec = new LinkedHashMap<>(Maps.map(view.get("spec")));
      List<Object> overrides = new ArrayList<>(Maps.list(spec.get("overrides")));
      edit.accept(overrides);
      spec.put("overrides", overrides);
      downstream.sendIfMatch("policy", HttpMethod.PUT, path, spec, Maps.num(view.get("version")), Map.class);
      return done;
    });
    return back(tenant);
  }

  private static String back(String tenant) {
    return "redirect:" + (TenantNames.valid(tenant) ? Downstream.uri(Downstream.path("oncall").queryParam("tenant",
        tenant)) : "/oncall");
  }

}
