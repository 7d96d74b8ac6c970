package io.vigil.notifier.pipeline;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationRecord;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One alert event on its way through the pipeline: what the stages learnt about it (its policy, its
 * labels, who is to be told, the rendered messages), what came out of it (the records), and the trail
 * of every step for explain. Owned by one lane thread at a time; not shared.
 */
public final class Notice {

  /** Who is told, with the channels to try in order (a failed channel falls back to the next). */
  public record Recipient(String id, List<Target> ladder) {}

  /** One channel of a recipient, and once rendered, its message. */
  public record Target(Channel channel, Destination to, Message message) {

    public Target rendered(Message m) {
      return new Target(channel, to, m);
    }
  }

  /** A rendered message; subject null where the channel has none. */
  public record Message(String subject, String body) {}

  /**
   * One step of the trail.
   *
   * @param status a {@code NotificationStatus} name for exits, {@code PASSED} for a stage passed
   */
  public record Step(String stage, String status, String reason, String detail, String recipient, Channel channel,
      String notificationId, long atMs) {}

  /** What a notice is: an alert event, or a repeat or escalation of the alert's open episode. */
  public enum Kind { EVENT, REPEAT, ESCALATION, GROUP, TEST }

  /**
   * A convergence group's notification.
   *
   * @param tell the members it tells of (what changed, or for a repeat everything still open)
   * @param openCount the group's members still open
   * @param repeat whether it repeats an unchanged group
   */
  public record GroupInfo(String key, String episode, Map<String, String> labels, List<AlertEvent> tell,
      int openCount, boolean repeat) {}

  private static final io.vigil.common.kafka.MessageCodec CODEC = new io.vigil.common.kafka.MessageCodec();

  private final AlertEvent event;
  private volatile String eventJson;
  private final long receivedAtMs;
  private Kind kind = Kind.EVENT;
  private int followUp;
  private io.vigil.notifier.state.NotifierState.AlertRecord previous;
  private LivePolicy policy;
  private Map<String, String> labels = Map.of();
  private Map<String, ?> instance = Map.of();
  private boolean enrichmentDegraded;
  private int escalationLevel;
  private List<Recipient> recipients = List.of();
  private final List<NotificationRecord> records = new ArrayList<>();
  private final List<Step> trail = new ArrayList<>();
  private String limitNote;
  private GroupInfo group;
  private Outcome stopped;
  private String stoppedAt;

  private io.vigil.common.tracing.Traceparent trace;

  public Notice(AlertEvent event, long receivedAtMs) {
    this.event = event;
    this.receivedAtMs = receivedAtMs;
  }

  /** The trace the event came with (null if none); bound while the notice's own work runs. */
  public Notice trace(io.vigil.common.tracing.Traceparent tp) {
    this.trace = tp;
    return this;
  }

  public io.vigil.common.tracing.Traceparent trace() {
    return trace;
  }

  public AlertEvent event() {
    return event;
  }

  /**
   * The event as the JSON its Redis copies keep (the alert's record, its group's member), encoded the
   * first time one asks. The event is immutable, so a second thread racing the first encodes the same.
   */
  public String eventJson() {
    String json = eventJson;
    if (json == null) {
      json = new String(CODEC.encode(event), java.nio.charset.StandardCharsets.UTF_8);
      eventJson = json;
    }
    return json;
  }

  public long receivedAtMs() {
    return receivedAtMs;
  }

  /** A repeat (its number in the episode) or an escalation (its level) of the alert's open episode. */
  public Notice followUp(Kind k, int number) {
    this.kind = k;
    this.followUp = number;
    if (k == Kind.ESCALATION) {
      this.escalationLevel = number;
    }
    return this;
  }

  public Kind kind() {
    return kind;
  }

  public int followUpNumber() {
    return followUp;
  }

  /**
   * What the notification ids of this notice are derived from: the event's id, and for a repeat or an
   * escalation the event's id with its number, so each repeat is a notification of its own and a
   * repeat run twice (its timer fired again after a crash) is still delivered once.
   */
  public String occurrence() {
    return switch (kind) {
      case EVENT -> event.eventId();
      case REPEAT -> event.eventId() + "/repeat/" + followUp;
      case ESCALATION -> event.eventId() + "/escalation/" + followUp;
      case GROUP -> "group/" + group.key() + "/" + group.episode() + "/" + followUp;
      case TEST -> event.eventId();
    };
  }

  private String convergedInto;
  private String currentValue;
  private long currentAtMs;
  private String sparkline;

  /** The series' value now (a repeat's), with the window it is of and the recent ones as a sparkline. */
  public void current(String value, long atMs, String recent) {
    this.currentValue = value;
    this.currentAtMs = atMs;
    this.sparkline = recent;
  }

  public String currentValue() {
    return currentValue;
  }

  public long currentAtMs() {
    return currentAtMs;
  }

  public String sparkline() {
    return sparkline;
  }

  private java.util.List<Double> chartValues;
  private Double chartThreshold;
  private byte[] chartPng;
  private boolean chartDrawn;

  /** The series' recent windows (oldest first) and the condition's threshold, for an email's chart. */
  public synchronized void chart(java.util.List<Double> values, Double threshold) {
    this.chartValues = values == null ? null : java.util.List.copyOf(values);
    this.chartThreshold = threshold;
    this.chartDrawn = false;
    this.chartPng = null;
  }

  /** The chart as a PNG, drawn once for all of this notice's emails; null when there is none. */
  public synchronized byte[] chartPng() {
    if (!chartDrawn) {
      chartDrawn = true;
      chartPng = chartValues == null ? null : io.vigil.notifier.render.ChartImage.png(chartValues, chartThreshold);
    }
    return chartPng;
  }

  /** The convergence group this notice joined (an event) or tells of (a group's notification); else null. */
  public String groupKey() {
    return group != null ? group.key() : convergedInto;
  }

  public void convergedInto(String groupKey) {
    this.convergedInto = groupKey;
  }

  /** The group this notice tells of; null unless it is a group's notification. */
  public GroupInfo group() {
    return group;
  }

  public void group(GroupInfo g) {
    this.group = g;
  }

  /** What raised the notice, as records name it: {@code metric}, {@code event} or {@code test}. */
  public String source() {
    return kind == Kind.TEST ? "test" : event.objectId() == null ? "metric" : "event";
  }

  /** The notifier's record of the alert before this event (intake reads it); null if none. */
  public io.vigil.notifier.state.NotifierState.AlertRecord previous() {
    return previous;
  }

  public void previous(io.vigil.notifier.state.NotifierState.AlertRecord a) {
    this.previous = a;
  }

  public LivePolicy policy() {
    return policy;
  }

  public void policy(LivePolicy p) {
    this.policy = p;
  }

  /** The labels silences and inhibition rules match (common's {@code AlertLabels}). */
  public Map<String, String> labels() {
    return labels;
  }

  public void labels(Map<String, String> l) {
    this.labels = l;
  }

  /** Instance data from the cmdb; empty when not enriched. */
  public Map<String, ?> instance() {
    return instance;
  }

  public void instance(Map<String, ?> i, boolean degraded) {
    this.instance = i;
    this.enrichmentDegraded = degraded;
  }

  public boolean enrichmentDegraded() {
    return enrichmentDegraded;
  }

  /**
   * Marks this notice as the summary of a cap reached: it goes out, saying that further alerts are
   * held back.
   */
  public void limitSummary(String scope, int cap, long windowMs) {
    this.limitNote = "This " + scope + " reached its limit of " + cap + " notifications in "
        + java.time.Duration.ofMillis(windowMs).toString().substring(2).toLowerCase()
        + "; further alerts are recorded but not sent until the window has room again.";
  }

  /** The summary's note when this notice is one; null otherwise. */
  public String limitNote() {
    return limitNote;
  }

  public int escalationLevel() {
    return escalationLevel;
  }

  public void escalationLevel(int level) {
    this.escalationLevel = level;
  }

  public List<Recipient> recipients() {
    return recipients;
  }

  public void recipients(List<Recipient> r) {
    this.recipients = List.copyOf(r);
  }

  public List<NotificationRecord> records() {
    return records;
  }

  public List<Step> trail() {
    return trail;
  }

  public void step(String stage, String status, String reason, String detail, String recipient, Channel channel,
      String notificationId, long atMs) {
    trail.add(new Step(stage, status, reason, detail, recipient, channel, notificationId, atMs));
  }

  /** The stop that ended the notice before dispatch, or null. */
  public Outcome stopped() {
    return stopped;
  }

  public String stoppedAt() {
    return stoppedAt;
  }

  void stop(String stage, Outcome outcome) {
    this.stopped = outcome;
    this.stoppedAt = stage;
  }

  /** The alert's dimensions and fields that identify it in logs: policy, tenant, key, event. */
  @Override
  public String toString() {
    return "Notice[" + event.alertKey() + " seq " + event.sequence() + " " + event.status() + "]";
  }
}
