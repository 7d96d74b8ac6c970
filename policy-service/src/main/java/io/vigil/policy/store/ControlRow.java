package io.vigil.policy.store;

/**
 * One row of an object table of the control schema (all share this shape; see {@code
 * V2__control_objects.sql}). Mutable only for MyBatis' mapping; the store never shares one.
 */
public class ControlRow {
  public String id;
  public String tenant;
  public String name;
  public String namespace;
  public String shard;
  public boolean enabled = true;
  public long version;
  public boolean deleted;
  public String body;
  public long createdAtMs;
  public long updatedAtMs;
  public String updatedBy;

  /** {@code live} is 1 while the row is not deleted and NULL after, so unique keys cover live rows only. */
  public Integer getLive() {
    return deleted ? null : 1;
  }
}
