package io.vigil.cmdb.instances;

import io.vigil.common.control.ControlJson;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.outbox.Outbox;
import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cmdb's outbox ({@code cmdb_outbox}, baton {@code cmdb_meta.outbox_relay}), relayed to the
 * compacted {@code cmdb.changes} by common's relay: in seq order, so in version order per instance.
 */
public class CmdbOutbox implements Outbox<OutboxRow> {

  private final InstanceMapper mapper;
  private final VigilPublisher publisher;

  public CmdbOutbox(InstanceMapper mapper, VigilPublisher publisher) {
    this.mapper = mapper;
    this.publisher = publisher;
  }

  @Override
  public boolean takeBaton() {
    return !mapper.takeRelayBaton().isEmpty();
  }

  @Override
  public List<OutboxRow> take(int limit) {
    return mapper.takeOutbox(limit);
  }

  @Override
  public CompletableFuture<?> publish(OutboxRow row) {
    CmdbChange change = ControlJson.read(row.payload, CmdbChange.class);
    Traceparent tp = row.traceparent == null ? null : Traceparent.parse(row.traceparent);
    try (var scope = TraceContext.bind(tp)) {
      return publisher.publish(Topics.CMDB_CHANGES, change);
    }
  }

  @Override
  public void delete(List<OutboxRow> rows) {
    mapper.deleteOutbox(rows.stream().map(r -> r.seq).toList());
  }

  @Override
  public Backlog backlog() {
    OutboxRow.Ends ends = mapper.outboxEnds();
    return ends == null ? Backlog.EMPTY : new Backlog(ends.last - ends.first + 1, ends.firstCreatedAtMs);
  }
}
