package io.vigil.policy.store;

/** A committed change waiting to be published on {@code control.changes}. */
public class OutboxRow {
  public Long seq;
  public String entityType;
  public String entityId;
  public long version;
  public String op;
  public String tenant;
  public String namespace;
  public String shard;
  public long createdAtMs;
  public String traceparent;
}
