package io.vigil.cmdb.instances;

/** A row of {@code cmdb_instances} (MyBatis maps columns by name, underscores to camel case). */
public class InstanceRow {
  public long pk;
  public String namespace;
  public String region;
  public String instanceId;
  public String tenant;
  public long version;
  public boolean deleted;
  public String source;
  /** {@code {"attributes": {...}, "tags": {...}}}; {@code {}} for a tombstone. */
  public String body;
  public long createdAtMs;
  public long updatedAtMs;

  public InstanceKey key() {
    return new InstanceKey(namespace, region, instanceId);
  }
}
