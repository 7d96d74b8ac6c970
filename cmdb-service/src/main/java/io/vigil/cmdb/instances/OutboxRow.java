package io.vigil.cmdb.instances;

/** A row of {@code cmdb_outbox}: a committed change waiting for {@code cmdb.changes}. */
public class OutboxRow {
  public long seq;
  public String instanceKey;
  public long version;
  /** The {@code CmdbChange} as it is published (JSON). */
  public String payload;
  public long createdAtMs;
  public String traceparent;

  /** The two ends of the waiting rows. */
  public static class Ends {
    public long first;
    public long firstCreatedAtMs;
    public long last;
  }
}
