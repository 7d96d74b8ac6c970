package io.vigil.cmdb.knowledge;

import io.vigil.cmdb.knowledge.KnowledgeDoc.Kind;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlReader;
import io.vigil.common.control.ControlTables;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.ControlChange.EntityType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps the knowledge index up to date: namespaces (and their metrics) and policies from {@code
 * control.changes}, read again from the control tables (the change carries no content), instances
 * from {@code cmdb.changes} (which does), and a reconcile from the control tables at start that
 * indexes what the index lacks or holds at an older version, and marks deleted what it holds live but
 * the tables no longer do. All of it idempotent: versions decide.
 */
public class KnowledgeIndexer {

  private static final Logger log = LoggerFactory.getLogger(KnowledgeIndexer.class);
  private static final int CHUNK = 500;

  private final KnowledgeIndex index;
  private final JdbcTemplate control;
  private final ControlReader reader;
  private final String region;

  public KnowledgeIndexer(KnowledgeIndex index, DataSource controlTables, String region) {
    this.index = index;
    this.control = new JdbcTemplate(controlTables);
    this.reader = new ControlReader(controlTables);
    this.region = region;
  }

  /** A poll of {@code control.changes}: the namespaces and policies it names, as stored now. */
  public void controlChanges(List<ConsumedRecord<ControlChange>> batch) {
    Set<String> namespaces = new HashSet<>();
    Set<String> policies = new HashSet<>();
    for (ConsumedRecord<ControlChange> r : batch) {
      if (r.tombstone()) {
        continue;
      }
      ControlChange c = r.value();
      if (c.type() == EntityType.NAMESPACE) {
        namespaces.add(c.id());
      } else if (c.type() == EntityType.POLICY) {
        policies.add(c.id());
      }
    }
    List<KnowledgeDoc> docs = new ArrayList<>();
    docs.addAll(namespaceDocs(namespaces));
    docs.addAll(policyDocs(policies));
    index.write(docs);
  }

  /** A poll of {@code cmdb.changes}: each instance as the change carries it. */
  public void instanceChanges(List<ConsumedRecord<CmdbChange>> batch) {
    List<KnowledgeDoc> docs = new ArrayList<>(batch.size());
    for (ConsumedRecord<CmdbChange> r : batch) {
      if (!r.tombstone()) {
        docs.add(KnowledgeSources.instance(r.value()));
      }
    }
    index.write(docs);
  }

  /** Indexes every namespace and policy the index lacks or holds older; returns how many objects were read again. */
  public int reconcile() {
    int n = reconcile(EntityType.NAMESPACE, Kind.NAMESPACE, this::namespaceDocs);
    n += reconcile(EntityType.POLICY, Kind.POLICY, this::policyDocs);
    log.info("knowledge reconcile: {} objects were missing or older in the index", n);
    return n;
  }

  private int reconcile(EntityType type, Kind kind, java.util.function.Function<Collection<String>, List<KnowledgeDoc>>
      docs) {
    Map<String, Long> stored = new LinkedHashMap<>();
    reader.forEachVersion(type, null, stored::put);
    List<String> ids = new ArrayList<>(stored.keySet());
    int stale = 0;
    for (int i = 0; i < ids.size(); i += CHUNK) {
      List<String> chunk = ids.subList(i, Math.min(ids.size(), i + CHUNK));
      Map<String, Long> indexed = index.versions(kind, chunk);
      List<String> behind = chunk.stream().filter(id -> indexed.getOrDefault(id, 0L) < stored.get(id)).toList();
      if (!behind.isEmpty()) {
        index.write(docs.apply(behind));
        stale += behind.size();
      }
    }
    // live in the index, gone from the table's live rows: deleted while a change was missed
    List<String> gone = new ArrayList<>();
    index.forEachLiveId(kind, null, id -> {
      if (!stored.containsKey(id)) {
        gone.add(id);
      }
    });
    for (int i = 0; i < gone.size(); i += CHUNK) {
      List<String> chunk = gone.subList(i, Math.min(gone.size(), i + CHUNK));
      index.write(docs.apply(chunk));
      stale += chunk.size();
    }
    return stale;
  }

  private record Row(String id, String tenant, long version, boolean deleted, String body) {}

  private Map<String, Row> rows(EntityType type, Collection<String> ids) {
    Map<String, Row> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
    control.query("SELECT id, tenant, version, deleted, body FROM " + ControlTables.table(type) + " WHERE id IN ("
        + marks + ")", rs -> {
          out.put(rs.getString(1), new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4),
              rs.getString(5)));
        }, ids.toArray());
    return out;
  }

  /** Each namespace and its metrics as stored; a metric it no longer declares, and a deleted namespace, as tombstones. */
  List<KnowledgeDoc> namespaceDocs(Collection<String> names) {
    List<KnowledgeDoc> docs = new ArrayList<>();
    Map<String, Row> rows = rows(EntityType.NAMESPACE, names);
    for (String name : names) {
      Row row = rows.get(name);
      List<KnowledgeDoc> now = row == null || row.deleted() ? List.of()
          : KnowledgeSources.namespace(ControlJson.read(row.body(), NamespaceConfig.class), row.version(), region);
      long version = row == null ? 0 : row.version();
      Set<String> live = new HashSet<>();
      now.forEach(d -> live.add(d.kind() + ":" + d.id()));
      docs.addAll(now);
      if (version > 0) {
        if (now.isEmpty()) {
          docs.add(gone(Kind.NAMESPACE, name, name, version));
        }
        index.forEachLiveId(Kind.METRIC, name, metricId -> {
          if (!live.contains(Kind.METRIC + ":" + metricId)) {
            docs.add(gone(Kind.METRIC, metricId, name, version));
          }
        });
      }
    }
    return docs;
  }

  /** Each policy as stored; a deleted one as its tombstone. */
  List<KnowledgeDoc> policyDocs(Collection<String> ids) {
    List<KnowledgeDoc> docs = new ArrayList<>();
    Map<String, Row> rows = rows(EntityType.POLICY, ids);
    for (String id : ids) {
      Row row = rows.get(id);
      if (row == null) {
        continue; // never committed: nothing to say
      }
      if (row.deleted()) {
        docs.add(gone(Kind.POLICY, id, null, row.version()));
      } else {
        docs.add(KnowledgeSources.policy(id, row.tenant(), ControlJson.read(row.body(), AlertPolicy.class),
            row.version(), region));
      }
    }
    return docs;
  }

  private KnowledgeDoc gone(Kind kind, String id, String namespace, long version) {
    return new KnowledgeDoc(kind, id, id, "", List.of(id), namespace, null, "control", region, version, true);
  }
}
