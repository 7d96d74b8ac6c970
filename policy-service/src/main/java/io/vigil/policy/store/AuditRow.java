package io.vigil.policy.store;

/** One entry of the audit trail: who changed which object when, with the object before and after. */
public class AuditRow {
  public Long seq;
  public String entityType;
  public String entityId;
  public String tenant;
  public long version;
  public String op;
  public String actor;
  public long atMs;
  public String beforeBody;
  public String afterBody;
}
