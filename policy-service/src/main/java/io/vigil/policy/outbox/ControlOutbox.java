package io.vigil.policy.outbox;

import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.outbox.Outbox;
import io.vigil.common.outbox.OutboxRelay;
import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import io.vigil.policy.store.ControlMapper;
import io.vigil.policy.store.OutboxBacklog;
import io.vigil.policy.store.OutboxRow;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The control plane's outbox ({@code ctl_outbox}, baton {@code control_meta.outbox_relay}), relayed
 * to {@code control.changes} by common's {@link OutboxRelay} ({@code PolicyConfig} wires it).
 */
@Component
public class ControlOutbox implements Outbox<OutboxRow> {

  private final ControlMapper mapper;
  private final VigilPublisher publisher;
  private final String region;

  public ControlOutbox(ControlMapper mapper, VigilPublisher publisher, @Value("${vigil.region:local}") String region) {
    this.mapper = mapper;
    this.publisher = publisher;
    this.region = region;
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
    ControlChange change = new ControlChange(ControlChange.SCHEMA_VERSION,
        ControlChange.EntityType.valueOf(row.entityType), row.entityId, region, row.tenant, row.version,
        ChangeOp.valueOf(row.op), row.createdAtMs, row.namespace, row.shard);
    Traceparent tp = row.traceparent == null ? null : Traceparent.parse(row.traceparent);
    try (var scope = TraceContext.bind(tp)) {
      return publisher.publish(Topics.CONTROL_CHANGES, change);
    }
  }

  @Override
  public void delete(List<OutboxRow> rows) {
    mapper.deleteOutbox(rows.stream().map(r -> r.seq).toList());
  }

  @Override
  public Backlog backlog() {
    OutboxBacklog b = mapper.outboxEnds(); // null when the outbox is empty (a row of NULLs)
    if (b == null || b.first == null) {
      return Backlog.EMPTY;
    }
    Long oldest = mapper.outboxCreatedAt(b.first);
    return new Backlog(b.pending(), oldest == null ? 0 : oldest);
  }
}
