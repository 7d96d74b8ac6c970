package io.vigil.cmdb.knowledge;

import io.vigil.cmdb.knowledge.KnowledgeDoc.Kind;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What each object says in the knowledge index: the words an operator or an assistant would search
 * for, written from the object's own fields (descriptions, names, conditions, attributes). Pure.
 */
public final class KnowledgeSources {

  private KnowledgeSources() {}

  /** A namespace and one document per metric it declares, all at the namespace's version. */
  public static List<KnowledgeDoc> namespace(NamespaceConfig ns, long version, String region) {
    List<KnowledgeDoc> docs = new ArrayList<>();
    List<String> metricNames = ns.metrics() == null ? List.of()
        : ns.metrics().stream().map(NamespaceConfig.Metric::name).toList();
    StringBuilder body = new StringBuilder();
    append(body, ns.description());
    body.append("\nproduct ").append(ns.product()).append("; dimensions ").append(String.join(", ", ns.dimensions()))
        .append("; metrics ").append(String.join(", ", metricNames));
    docs.add(new KnowledgeDoc(Kind.NAMESPACE, ns.name(), "namespace " + ns.name(), body.toString(),
        List.of(ns.name(), ns.product()), ns.name(), null, "control", region, version, false));
    if (ns.metrics() != null) {
      for (NamespaceConfig.Metric m : ns.metrics()) {
        docs.add(metric(ns, m, version, region));
      }
    }
    return docs;
  }

  static KnowledgeDoc metric(NamespaceConfig ns, NamespaceConfig.Metric m, long version, String region) {
    StringBuilder body = new StringBuilder();
    append(body, m.description());
    if (m.unit() != null) {
      body.append("\nunit ").append(m.unit());
    }
    body.append("\nnamespace ").append(ns.name());
    append(body, ns.description());
    String title = m.description() == null ? m.name() : m.name() + ": " + m.description();
    return new KnowledgeDoc(Kind.METRIC, metricId(ns.name(), m.name()), title, body.toString(),
        List.of(m.name(), metricId(ns.name(), m.name())), ns.name(), null, "control", region, version, false);
  }

  public static String metricId(String namespace, String metric) {
    return namespace + ":" + metric;
  }

  /** A policy: its name, what it watches and when it fires, its summary and labels. */
  public static KnowledgeDoc policy(String id, String tenant, AlertPolicy p, long version, String region) {
    StringBuilder body = new StringBuilder("namespace ").append(p.namespace());
    LinkedHashSet<String> identifiers = new LinkedHashSet<>(List.of(id));
    if (p.name() != null) {
      identifiers.add(p.name());
    }
    if (p.conditions() != null) {
      for (AlertPolicy.Condition c : p.conditions()) {
        body.append("\nwhen ").append(c.metric()).append(' ').append(word(c.statistic())).append(' ')
            .append(word(c.operator())).append(' ').append(c.threshold() == null ? "" : c.threshold())
            .append(" over ").append(c.period()).append(" s");
        if (c.metric() != null) {
          identifiers.add(c.metric());
          identifiers.add(metricId(p.namespace(), c.metric()));
        }
      }
    }
    if (p.severity() != null) {
      body.append("\nseverity ").append(p.severity().name().toLowerCase());
    }
    if (p.annotations() != null) {
      append(body, p.annotations().summary());
      append(body, p.annotations().description());
    }
    if (p.labels() != null) {
      new TreeMap<>(p.labels()).forEach((k, v) -> body.append('\n').append(k).append(": ").append(v));
    }
    return new KnowledgeDoc(Kind.POLICY, id, p.name() == null ? id : p.name(), body.toString(),
        List.copyOf(identifiers), p.namespace(), tenant, "control", region, version, false);
  }

  /** An instance from its change: id, name, attributes and tags; a DELETE is its tombstone. */
  public static KnowledgeDoc instance(CmdbChange c) {
    String id = c.instanceId() != null ? c.instanceId() : c.instance().substring(c.instance().lastIndexOf('/') + 1);
    Map<String, String> attributes = c.attributes() == null ? Map.of() : c.attributes();
    String name = attributes.get("name");
    String title = name == null ? id : id + " " + name;
    StringBuilder body = new StringBuilder("namespace ").append(c.namespace()).append(", region ").append(c.region());
    new TreeMap<>(attributes).forEach((k, v) -> body.append('\n').append(k).append(": ").append(v));
    if (c.tags() != null) {
      new TreeMap<>(c.tags()).forEach((k, v) -> body.append("\ntag ").append(k).append(": ").append(v));
    }
    LinkedHashSet<String> identifiers = new LinkedHashSet<>(List.of(id, c.instance()));
    if (name != null) {
      identifiers.add(name);
    }
    KnowledgeDoc doc = new KnowledgeDoc(Kind.INSTANCE, c.instance(), title, body.toString(), List.copyOf(identifiers),
        c.namespace(), c.tenant(), Objects.requireNonNullElse(c.source(), "cmdb"), c.region(), c.version(), false);
    return c.op() == ChangeOp.DELETE ? doc.tombstone(c.version()) : doc;
  }

  private static void append(StringBuilder body, String text) {
    if (text != null && !text.isBlank()) {
      if (!body.isEmpty()) {
        body.append('\n');
      }
      body.append(text);
    }
  }

  private static String word(Enum<?> e) {
    return e == null ? "" : e.name().toLowerCase();
  }
}
