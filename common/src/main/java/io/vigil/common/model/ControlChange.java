package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;


/**
 * A control-plane entity changed, on the compacted {@code control.changes} keyed by {@code
 * type:id}, from the control plane of one region. The message says what changed, not the new content: readers reload the entity from the
 * control-plane schema and keep it only if its version is at least {@code version}, so a
 * reordered or replayed change never rolls an entity back.
 */
public record ControlChange(
    @Required int schemaVersion,
    @Required EntityType type,
    @Required String id,
    @Required String region,
    String tenant,
    @Required long version,
    @Required ChangeOp op,
    @Required long timestampMs)
    implements VigilMessage {

  public static final String TYPE = "ControlChange";
  public static final int SCHEMA_VERSION = 1;

  public enum EntityType {
    ACCESS_CONFIG,
    POLICY,
    SILENCE,
    RECEIVER,
    SUBSCRIPTION,
    SCHEDULE,
    TEMPLATE
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
  }

  /** The record key: entity type and id, so compaction keeps the latest change per entity. */
  public String key() {
    return type.name() + ":" + id;
  }
}
