package io.vigil.policy.credentials;

/** A row of {@code ctl_operator_tokens}: the token's hash, never the token. */
public class TokenRow {
  public String id;
  public String name;
  public String tokenSha256;
  public String role;
  public String tenants;
  public Long expiresAtMs;
  public long version;
  public boolean deleted;
  public long createdAtMs;
  public long updatedAtMs;
  public String updatedBy;
}
