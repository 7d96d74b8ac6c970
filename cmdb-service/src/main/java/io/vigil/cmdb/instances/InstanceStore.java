package io.vigil.cmdb.instances;

import io.vigil.common.control.ControlJson;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.series.XxHash64;
import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The instance tables. A batch is one transaction: the rows of its keys are locked, every item is
 * checked against what is stored (its caller's rights, its version), and only then is anything
 * written — the instances in one statement, their search labels, and one outbox row per applied
 * change. A version never goes backwards: an item not newer than the stored version is stale and
 * either refuses the whole batch (409) or is skipped, never applied; the same version with the same
 * content is a retry and changes nothing. Listeners hear of the applied changes after commit.
 */
@Component
public class InstanceStore {

  /** Seed of the label value hash (XXH64): {@code cmdb} and form version 1. */
  static final long LABEL_SEED = 0x63_6D_64_62_00_00_00_01L;
  /** Rows per statement, so a batch of large instances stays well inside the packet limit. */
  private static final int ROWS_PER_STATEMENT = 250;
  private static final int LABELS_PER_STATEMENT = 2000;

  /** Checks the caller may make this write, given what is stored (locked); throws otherwise. */
  @FunctionalInterface
  public interface WriteGuard {
    void check(int index, WriteItem item, InstanceRow stored);
  }

  private final InstanceMapper mapper;
  private final Clock clock;
  private final List<Consumer<List<Instance.Change>>> afterCommit = new CopyOnWriteArrayList<>();

  public InstanceStore(InstanceMapper mapper, Clock clock) {
    this.mapper = mapper;
    this.clock = clock;
  }

  /** Called after each commit with the changes it applied (cache write-through, the outbox relay). */
  public void onCommit(Consumer<List<Instance.Change>> listener) {
    afterCommit.add(listener);
  }

  @Transactional
  public List<WriteResult> write(List<WriteItem> items, OnStale onStale, String source, WriteGuard guard) {
    Map<InstanceKey, InstanceRow> stored = new HashMap<>();
    for (InstanceRow r : mapper.lock(items.stream().map(WriteItem::key).toList())) {
      stored.put(r.key(), r);
    }
    long now = clock.millis();
    List<FieldProblem> stale = new ArrayList<>();
    List<WriteResult> results = new ArrayList<>(items.size());
    List<InstanceRow> applied = new ArrayList<>();
    List<WriteItem> appliedItems = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      WriteItem item = items.get(i);
      InstanceRow current = stored.get(item.key());
      guard.check(i, item, current);
      String at = items.size() == 1 ? "" : "items[" + i + "].";
      if (item.ifMatch() != null) {
        long have = current == null || current.deleted ? 0 : current.version;
        if (have != item.ifMatch()) {
          throw new ApiException(ErrorCode.CONFLICT, "If-Match", "the stored version is " + (have == 0 ? "none"
              : have) + ", not " + item.ifMatch() + ": read the instance again");
        }
      }
      InstanceRow next = row(item, current, source, now);
      if (current != null && current.version >= item.version()) {
        if (current.version == item.version() && sameContent(current, next)) {
          results.add(result(item.key(), WriteOutcome.UNCHANGED, current));
          continue;
        }
        if (onStale == OnStale.REJECT) {
          stale.add(new FieldProblem(at + "version", "version " + item.version() + " is not newer than the stored "
              + current.version + (current.deleted ? " (deleted)" : "") + "; nothing was written"));
        }
        results.add(result(item.key(), WriteOutcome.IGNORED_STALE, current));
        continue;
      }
      applied.add(next);
      appliedItems.add(item);
      results.add(result(item.key(), WriteOutcome.APPLIED, next));
    }
    if (!stale.isEmpty()) {
      throw new ApiException(ErrorCode.CONFLICT, stale);
    }
    if (applied.isEmpty()) {
      return results;
    }
    for (List<InstanceRow> chunk : chunks(applied, ROWS_PER_STATEMENT)) {
      mapper.upsert(chunk);
    }
    index(applied, stored);
    List<Instance.Change> changes = new ArrayList<>(applied.size());
    List<OutboxRow> outbox = new ArrayList<>(applied.size());
    Traceparent trace = TraceContext.current();
    for (int i = 0; i < applied.size(); i++) {
      InstanceRow r = applied.get(i);
      WriteItem item = appliedItems.get(i);
      CmdbChange change = new CmdbChange(CmdbChange.SCHEMA_VERSION, r.key().text(), r.namespace, r.region,
          r.version, r.deleted ? ChangeOp.DELETE : ChangeOp.UPSERT, r.deleted ? null : item.attributes(), r.source,
          now, r.instanceId, r.deleted ? null : item.tags(), r.tenant.isEmpty() ? null : r.tenant);
      changes.add(new Instance.Change(r.key(), r.deleted ? null : view(r), r.version));
      OutboxRow o = new OutboxRow();
      o.instanceKey = r.key().text();
      o.version = r.version;
      o.payload = ControlJson.write(change);
      o.createdAtMs = now;
      o.traceparent = trace == null ? null : trace.value();
      outbox.add(o);
    }
    for (List<OutboxRow> chunk : chunks(outbox, ROWS_PER_STATEMENT)) {
      mapper.insertOutbox(chunk);
    }
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        for (Consumer<List<Instance.Change>> l : afterCommit) {
          l.accept(changes);
        }
      }
    });
    return results;
  }

  /** The search labels of the applied rows: the old ones dropped, a live row's written again. */
  private void index(List<InstanceRow> applied, Map<InstanceKey, InstanceRow> stored) {
    List<Long> existing = new ArrayList<>();
    List<InstanceKey> inserted = new ArrayList<>();
    for (InstanceRow r : applied) {
      InstanceRow before = stored.get(r.key());
      if (before == null) {
        inserted.add(r.key());
      } else {
        r.pk = before.pk;
        if (!before.deleted) {
          existing.add(before.pk);
        }
      }
    }
    if (!inserted.isEmpty()) {
      Map<InstanceKey, Long> pks = new HashMap<>();
      for (List<InstanceKey> chunk : chunks(inserted, 1000)) {
        for (InstanceRow r : mapper.find(chunk)) {
          pks.put(r.key(), r.pk);
        }
      }
      for (InstanceRow r : applied) {
        Long pk = pks.get(r.key());
        if (pk != null) {
          r.pk = pk;
        }
      }
    }
    for (List<Long> chunk : chunks(existing, 1000)) {
      mapper.deleteLabels(chunk);
    }
    List<LabelRow> labels = new ArrayList<>();
    for (InstanceRow r : applied) {
      if (!r.deleted) {
        Body body = Body.read(r.body);
        body.attributes().forEach((k, v) -> labels.add(label("a", k, v, r.pk)));
        body.tags().forEach((k, v) -> labels.add(label("t", k, v, r.pk)));
      }
    }
    for (List<LabelRow> chunk : chunks(labels, LABELS_PER_STATEMENT)) {
      mapper.insertLabels(chunk);
    }
  }

  static LabelRow label(String kind, String name, String value, long pk) {
    return new LabelRow(kind, name, valueHash(value), pk);
  }

  static long valueHash(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    return XxHash64.hash(b, 0, b.length, LABEL_SEED);
  }

  /** The stored rows (live and tombstones) of these keys. */
  public List<InstanceRow> find(Collection<InstanceKey> keys) {
    return keys.isEmpty() ? List.of() : mapper.find(keys);
  }

  /** A page of live instances matching every condition, after the cursor (a pk). */
  public List<InstanceRow> search(InstanceQuery q, Long after, int limit) {
    List<LabelRow> labels = new ArrayList<>();
    q.attributes().forEach((k, v) -> labels.add(label("a", k, v, 0)));
    q.tags().forEach((k, v) -> labels.add(label("t", k, v, 0)));
    return mapper.search(q.namespace(), q.region(), q.tenants(), q.product(), labels, after, limit);
  }

  private InstanceRow row(WriteItem item, InstanceRow current, String source, long now) {
    InstanceRow r = new InstanceRow();
    r.namespace = item.key().namespace();
    r.region = item.key().region();
    r.instanceId = item.key().instanceId();
    r.version = item.version();
    r.deleted = item.delete();
    // a tombstone keeps the tenant it had, so its owner's operators still see its history
    r.tenant = item.delete() ? (current == null ? "" : current.tenant) : item.tenant();
    r.source = source;
    r.body = item.delete() ? "{}" : new Body(item.attributes(), item.tags()).write();
    r.createdAtMs = current == null ? now : current.createdAtMs;
    r.updatedAtMs = now;
    return r;
  }

  private static boolean sameContent(InstanceRow a, InstanceRow b) {
    return a.deleted == b.deleted && a.tenant.equals(b.tenant) && a.body.equals(b.body);
  }

  private static WriteResult result(InstanceKey key, WriteOutcome outcome, InstanceRow stored) {
    return new WriteResult(key.namespace(), key.region(), key.instanceId(), outcome, stored.version,
        stored.deleted ? null : view(stored));
  }

  /** The API's view of a live row. */
  public static Instance view(InstanceRow r) {
    Body body = Body.read(r.body);
    return new Instance(r.namespace, r.region, r.instanceId, r.tenant, r.version, r.source, body.attributes(),
        body.tags(), r.createdAtMs, r.updatedAtMs);
  }

  static <T> List<List<T>> chunks(List<T> all, int size) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }

  /** The stored body: attributes and tags, each in key order so equal content is equal text. */
  record Body(Map<String, String> attributes, Map<String, String> tags) {
    Body {
      attributes = attributes == null ? Map.of() : attributes;
      tags = tags == null ? Map.of() : tags;
    }

    String write() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("attributes", new TreeMap<>(attributes));
      m.put("tags", new TreeMap<>(tags));
      return ControlJson.write(m);
    }

    static Body read(String json) {
      return ControlJson.read(json, Body.class);
    }
  }
}
