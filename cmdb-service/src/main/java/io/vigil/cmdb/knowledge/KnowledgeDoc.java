package io.vigil.cmdb.knowledge;

import java.util.List;

/**
 * One document of the knowledge index: what it is, the text it is found by, and where it came from.
 * A deleted object stays as a document with {@code deleted} set at its version, so an older update
 * arriving later cannot bring it back.
 *
 * @param kind which index it lives in
 * @param id unique within its kind: {@code qce/cvm}, {@code qce/cvm:cpu_usage}, a policy id, an instance key
 * @param identifiers exact names it answers to (metric name, namespace, ids), matched as keywords
 * @param tenant the tenant of a policy or instance; null for what every operator reads
 * @param version the source's version: the namespace's for it and its metrics, the policy's, the instance's
 */
public record KnowledgeDoc(Kind kind, String id, String title, String body, List<String> identifiers,
    String namespace, String tenant, String source, String region, long version, boolean deleted) {

  public enum Kind {
    NAMESPACE("knowledge-namespaces"),
    METRIC("knowledge-metrics"),
    POLICY("knowledge-policies"),
    INSTANCE("knowledge-instances");

    private final String index;

    Kind(String index) {
      this.index = index;
    }

    /** The index's name before the deployment's prefix. */
    public String index() {
      return index;
    }
  }

  /**
   * What is embedded: the title alone, with identifiers' underscores as spaces ({@code evicted keys:
   * Keys removed from ...}). The body repeats what many documents share (the namespace's own
   * description), which would pull every document of a namespace towards the same vector; it is
   * searched by keyword.
   */
  public String text() {
    return title.replace('_', ' ');
  }

  /** The same object, deleted at {@code atVersion}. */
  public KnowledgeDoc tombstone(long atVersion) {
    return new KnowledgeDoc(kind, id, title, "", identifiers, namespace, tenant, source, region, atVersion, true);
  }
}
