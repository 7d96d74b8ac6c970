package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.semantics.OnCallSchedule;
import io.vigil.common.semantics.TimeWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * An on-call schedule as stored: rotation layers of the tenant's users, handing off at a local time
 * in an IANA zone, and overrides. {@link #toSchedule} gives common's resolver, the one the policy
 * API's {@code GET .../oncall?at=} and the notifier's routing both ask.
 *
 * @param layers later layers take precedence; an override over all
 */
public record OnCall(String name, String zone, List<Layer> layers, List<Override> overrides) {

  /**
   * @param start the first handoff, local date-time in the zone, e.g. {@code 2026-01-05T09:00}
   * @param rotation one turn as an ISO duration of whole hours or days, e.g. {@code P7D}, {@code PT12H}
   * @param participants user ids, in turn order
   * @param restriction when the layer answers at all; absent for always
   */
  public record Layer(String name, String start, String rotation, List<String> participants,
      Silence.Recurring restriction) {}

  public record Override(Long startMs, Long endMs, String participant) {}

  public void validate(Violations v) {
    Names.displayName(v, "name", name);
    ZoneId z = v.capture("zone", () -> ZoneId.of(zone == null ? "" : zone));
    v.check(layers != null && !layers.isEmpty(), "layers", "one or more rotation layers");
    v.check(layers == null || layers.size() <= 10, "layers", "at most 10 layers");
    v.check(overrides == null || overrides.size() <= 500, "overrides", "at most 500 overrides");
    if (z != null && layers != null) {
      toSchedule(v, z);
    }
  }

  /** The schedule to resolve with; throws {@code VALIDATION_FAILED} when it does not build. */
  public OnCallSchedule toSchedule() {
    Violations v = new Violations();
    ZoneId z = v.capture("zone", () -> ZoneId.of(zone == null ? "" : zone));
    OnCallSchedule s = z == null ? null : toSchedule(v, z);
    v.throwIfAny();
    return s;
  }

  private OnCallSchedule toSchedule(Violations v, ZoneId z) {
    List<OnCallSchedule.Layer> built = new ArrayList<>();
    List<Layer> ls = Names.orEmpty(layers);
    for (int i = 0; i < ls.size(); i++) {
      Layer l = ls.get(i);
      String at = "layers[" + i + "]";
      if (l == null) {
        v.add(at, "a layer is required");
        continue;
      }
      LocalDateTime start = null;
      try {
        start = LocalDateTime.parse(l.start() == null ? "" : l.start());
      } catch (DateTimeParseException e) {
        v.add(at + ".start", "a local date-time such as 2026-01-05T09:00");
      }
      Duration rotation = null;
      try {
        rotation = Duration.parse(l.rotation() == null ? "" : l.rotation());
      } catch (DateTimeParseException e) {
        v.add(at + ".rotation", "an ISO duration of whole hours or days, e.g. P7D or PT12H");
      }
      if (rotation != null && (rotation.isNegative() || rotation.isZero() || rotation.toSeconds() % 3600 != 0)) {
        v.add(at + ".rotation", "whole hours or days, e.g. P7D or PT12H");
        rotation = null;
      }
      v.check(l.participants() != null && !l.participants().isEmpty() && l.participants().size() <= 200,
          at + ".participants", "1 to 200 user ids");
      TimeWindow restriction = l.restriction() == null ? null
          : v.capture(at + ".restriction", () -> l.restriction().toWindow(at + ".restriction"));
      if (start != null && rotation != null && l.participants() != null && !l.participants().isEmpty()) {
        LocalDateTime s = start;
        Duration r = rotation;
        OnCallSchedule.Layer layer = v.capture(at + ".rotation",
            () -> new OnCallSchedule.Layer(l.name(), s, r, l.participants(), restriction));
        if (layer != null) {
          built.add(layer);
        }
      }
    }
    List<OnCallSchedule.Override> os = new ArrayList<>();
    List<Override> overrideList = Names.orEmpty(overrides);
    for (int i = 0; i < overrideList.size(); i++) {
      Override o = overrideList.get(i);
      String at = "overrides[" + i + "]";
      if (o == null || o.startMs() == null || o.endMs() == null || o.participant() == null) {
        v.add(at, "an override needs startMs, endMs and participant");
        continue;
      }
      OnCallSchedule.Override built2 = v.capture(at + ".endMs", () -> new OnCallSchedule.Override(
          Instant.ofEpochMilli(o.startMs()), Instant.ofEpochMilli(o.endMs()), o.participant()));
      if (built2 != null) {
        os.add(built2);
      }
    }
    return new OnCallSchedule(z, built, os);
  }

  /** Every participant (of layers and overrides) must be a user of the tenant. */
  public void references(Violations v, String tenant, ControlLookup lookup) {
    List<Layer> ls = Names.orEmpty(layers);
    for (int i = 0; i < ls.size(); i++) {
      if (ls.get(i) != null) {
        List<String> ps = Names.orEmpty(ls.get(i).participants());
        for (int j = 0; j < ps.size(); j++) {
          String p = ps.get(j);
          v.check(p != null && lookup.exists(EntityType.USER, tenant, p), "layers[" + i + "].participants[" + j + "]",
              "no user " + p);
        }
      }
    }
    List<Override> os = Names.orEmpty(overrides);
    for (int i = 0; i < os.size(); i++) {
      Override o = os.get(i);
      if (o != null && o.participant() != null) {
        v.check(lookup.exists(EntityType.USER, tenant, o.participant()), "overrides[" + i + "].participant",
            "no user " + o.participant());
      }
    }
  }
}
