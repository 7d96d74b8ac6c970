package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import java.util.Map;

/**
 * An instance of a monitored object changed in the cmdb, on the compacted {@code cmdb.changes}
 * keyed by {@code instance}. Carries the attributes so caches and the knowledge index can apply it
 * without a call back; a reader keeps it only if {@code version} is newer than what it has, and a
 * {@code DELETE} carries no attributes.
 *
 * @param instance the instance key, {@code namespace/region/instanceId}
 * @param source who reported it (a product, an operator, a sync job)
 * @param instanceId the instance's own id within its namespace and region (the last part of {@code
 *     instance}), so readers need not split the key
 * @param tags the instance's tags (cloud resource tags: team, env, ...); none for a {@code DELETE}
 * @param tenant the tenant the instance belongs to (the value of its namespace's tenant dimension),
 *     so readers can scope it without the access config
 */
public record CmdbChange(
    @Required int schemaVersion,
    @Required String instance,
    @Required String namespace,
    @Required String region,
    @Required long version,
    @Required ChangeOp op,
    Map<String, String> attributes,
    String source,
    @Required long timestampMs,
    String instanceId,
    Map<String, String> tags,
    String tenant)
    implements VigilMessage {

  public static final String TYPE = "CmdbChange";
  public static final int SCHEMA_VERSION = 1;

  public CmdbChange {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    text(TYPE, "instance", instance);
    text(TYPE, "namespace", namespace);
    text(TYPE, "region", region);
    if (version <= 0) {
      throw new InvalidRecordException(TYPE, "version", "must be > 0");
    }
    present(TYPE, "op", op);
    attributes = checkMap(TYPE, "attributes", attributes);
    optionalText(TYPE, "source", source);
    epochMs(TYPE, "timestampMs", timestampMs);
    optionalText(TYPE, "instanceId", instanceId);
    tags = checkMap(TYPE, "tags", tags);
    optionalText(TYPE, "tenant", tenant);
    if (instanceId != null && !instance.equals(namespace + "/" + region + "/" + instanceId)) {
      throw new InvalidRecordException(TYPE, "instanceId", "instance must be namespace/region/instanceId");
    }
  }
}
