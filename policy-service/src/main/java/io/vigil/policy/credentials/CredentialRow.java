package io.vigil.policy.credentials;

/** A row of {@code ctl_product_credentials}: secrets sealed under the master key. */
public class CredentialRow {
  public String id;
  public String product;
  public String currentKeyId;
  public String currentSecret;
  public long currentCreatedAtMs;
  public String previousKeyId;
  public String previousSecret;
  public Long previousValidUntilMs;
  public long version;
  public boolean deleted;
  public long createdAtMs;
  public long updatedAtMs;
  public String updatedBy;
}
