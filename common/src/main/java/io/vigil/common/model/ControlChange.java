package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;


/**
 * A control-plane entity changed, on the compacted {@code control.changes} keyed by {@code
 * type:id}, from the control plane of one region. The message says what changed, not the new
 * content: readers reload the entity from the control-plane schema and keep it only if its version
 * is at least {@code version}, so a reordered or replayed change never rolls an entity back. {@code
 * tenant}, {@code namespace} and {@code shard} let a reader skip changes it does not serve (a
 * detector those of other shards) without a look-up; a policy moved to another namespace or shard
 * carries the new ones, and a detector that held it under the old ones drops it on reload.
 */
public record ControlChange(
    @Required int schemaVersion,
    @Required EntityType type,
    @Required String id,
    @Required String region,
    String tenant,
    @Required long version,
    @Required ChangeOp op,
    @Required long timestampMs,
    String namespace,
    String shard)
    implements VigilMessage {

  public static final String TYPE = "ControlChange";
  public static final int SCHEMA_VERSION = 1;

  /** Every object the control plane stores; each has a table of its own in the control schema. */
  public enum EntityType {
    PRODUCT,
    NAMESPACE,
    PRODUCT_CREDENTIAL,
    OPERATOR_TOKEN,
    POLICY,
    SILENCE,
    INHIBITION_RULE,
    USER,
    USER_GROUP,
    WEBHOOK,
    CHAT_BOT,
    ONCALL_SCHEDULE,
    TEMPLATE
  }

  /** A change as most code builds it, without namespace and shard. */
  public ControlChange(int schemaVersion, EntityType type, String id, String region, String tenant, long version,
      ChangeOp op, long timestampMs) {
    this(schemaVersion, type, id, region, tenant, version, op, timestampMs, null, null);
  }

  public ControlChange {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    present(TYPE, "type", type);
    text(TYPE, "id", id);
    text(TYPE, "region", region);
    optionalText(TYPE, "tenant", tenant);
    if (version <= 0) {
      throw new InvalidRecordException(TYPE, "version", "must be > 0");
    }
    present(TYPE, "op", op);
    epochMs(TYPE, "timestampMs", timestampMs);
    optionalText(TYPE, "namespace", namespace);
    optionalText(TYPE, "shard", shard);
  }

  /** The record key: entity type and id, so compaction keeps the latest change per entity. */
  public String key() {
    return type.name() + ":" + id;
  }
}
