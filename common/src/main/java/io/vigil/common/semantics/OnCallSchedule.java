package io.vigil.common.semantics;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is on call, as a pure function of a schedule and an instant: no clock, no store, so the policy
 * API's {@code GET .../oncall?at=} and the notifier's routing give the same answer for the same
 * instant.
 *
 * <ul>
 *   <li>A layer rotates its participants from its start, one turn per rotation. A rotation of whole
 *       days hands off at the start's local time in the schedule's zone every time, daylight saving
 *       or not (a daily 09:00 handoff stays at 09:00); a rotation of hours counts exact hours.
 *   <li>A layer with a restriction window only answers inside it; a layer before its start answers
 *       nothing.
 *   <li>Later layers take precedence over earlier ones (the last layer that answers wins), and an
 *       override covering the instant takes precedence over every layer (of several, the one that
 *       started last).
 * </ul>
 */
public record OnCallSchedule(ZoneId zone, List<Layer> layers, List<Override> overrides) {

  /**
   * @param start the first handoff, local time in the schedule's zone
   * @param rotation one turn: whole days (handoffs at the start's local time) or whole hours
   * @param restriction when the layer answers at all; null for always
   */
  public record Layer(String name, LocalDateTime start, Duration rotation, List<String> participants,
      TimeWindow restriction) {

    public Layer {
      Objects.requireNonNull(start, "start");
      if (rotation == null || rotation.isNegative() || rotation.isZero() || rotation.toMinutes() % 60 != 0
          || rotation.toSeconds() % 60 != 0) {
        throw new IllegalArgumentException("a rotation is a positive number of whole hours or days: " + rotation);
      }
      if (participants == null || participants.isEmpty()) {
        throw new IllegalArgumentException("layer " + name + " has no participants");
      }
      participants = List.copyOf(participants);
    }
  }

  /** {@code participant} is on call from {@code start} (inclusive) to {@code end} (exclusive). */
  public record Override(Instant start, Instant end, String participant) {

    public Override {
      if (start == null || end == null || !end.isAfter(start)) {
        throw new IllegalArgumentException("an override ends after it starts");
      }
      Objects.requireNonNull(participant, "participant");
    }
  }

  public OnCallSchedule {
    Objects.requireNonNull(zone, "zone");
    layers = layers == null ? List.of() : List.copyOf(layers);
    overrides = overrides == null ? List.of() : List.copyOf(overrides);
  }

  /** Who is on call at {@code at}; empty when nobody is (no layer answers and no override covers it). */
  public Optional<String> onCall(Instant at) {
    Override chosen = null;
    for (Override o : overrides) {
      if (!at.isBefore(o.start()) && at.isBefore(o.end()) && (chosen == null || o.start().isAfter(chosen.start()))) {
        chosen = o;
      }
    }
    if (chosen != null) {
      return Optional.of(chosen.participant());
    }
    for (int i = layers.size() - 1; i >= 0; i--) {
      Optional<String> who = answer(layers.get(i), at);
      if (who.isPresent()) {
        return who;
      }
    }
    return Optional.empty();
  }

  /** A change of who is on call: from {@code at} on, {@code participant} (null: nobody). */
  public record Handoff(Instant at, String participant) {}

  /** The longest look ahead {@link #nextHandoff} takes. */
  public static final Duration MAX_LOOK_AHEAD = Duration.ofDays(31);

  /**
   * The first change of who is on call after {@code at} and within {@code lookAhead}, or empty when
   * the same person (or nobody) stays on call that long. Exact at an override's edges and at the
   * minute elsewhere: handoffs are at whole hours and restriction windows at whole minutes.
   */
  public Optional<Handoff> nextHandoff(Instant at, Duration lookAhead) {
    if (lookAhead.isNegative() || lookAhead.compareTo(MAX_LOOK_AHEAD) > 0) {
      throw new IllegalArgumentException("look ahead 0 to " + MAX_LOOK_AHEAD + ": " + lookAhead);
    }
    String now = onCall(at).orElse(null);
    Instant end = at.plus(lookAhead);
    java.util.TreeSet<Instant> edges = new java.util.TreeSet<>();
    for (Override o : overrides) {
      edges.add(o.start());
      edges.add(o.end());
    }
    Instant minute = at.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
    Instant edge = edges.higher(at);
    while (true) {
      Instant next = edge != null && edge.isBefore(minute) ? edge : minute;
      if (next.isAfter(end)) {
        return Optional.empty();
      }
      String who = onCall(next).orElse(null);
      if (!Objects.equals(who, now)) {
        return Optional.of(new Handoff(next, who));
      }
      if (next.equals(minute)) {
        minute = minute.plus(1, ChronoUnit.MINUTES);
      }
      if (edge != null && !edge.isAfter(next)) {
        edge = edges.higher(next);
      }
    }
  }

  private Optional<String> answer(Layer layer, Instant at) {
    if (layer.restriction() != null && !layer.restriction().contains(at)) {
      return Optional.empty();
    }
    ZonedDateTime start = layer.start().atZone(zone);
    if (at.isBefore(start.toInstant())) {
      return Optional.empty();
    }
    long turns;
    if (layer.rotation().toHours() % 24 == 0) {
      // whole days: count local calendar days, so handoffs stay at the same wall-clock time
      long days = layer.rotation().toDays();
      ZonedDateTime local = at.atZone(zone);
      long elapsedDays = ChronoUnit.DAYS.between(start.toLocalDate(), local.toLocalDate());
      if (local.toLocalTime().isBefore(start.toLocalTime())) {
        elapsedDays--; // before today's handoff: still yesterday's turn
      }
      turns = Math.floorDiv(elapsedDays, days);
    } else {
      turns = Duration.between(start.toInstant(), at).toHours() / layer.rotation().toHours();
    }
    return Optional.of(layer.participants().get((int) Math.floorMod(turns, (long) layer.participants().size())));
  }
}
