package io.vigil.policy.credentials;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL of operator tokens and product credentials (V3__control_credentials.sql). */
@Mapper
public interface CredentialMapper {

  String TOKEN_COLUMNS = "id, name, token_sha256, role, tenants, expires_at_ms, version, deleted, created_at_ms,"
      + " updated_at_ms, updated_by";
  String CREDENTIAL_COLUMNS = "id, product, current_key_id, current_secret, current_created_at_ms, previous_key_id,"
      + " previous_secret, previous_valid_until_ms, version, deleted, created_at_ms, updated_at_ms, updated_by";

  @Insert("INSERT INTO ctl_operator_tokens (" + TOKEN_COLUMNS + ") VALUES (#{t.id}, #{t.name}, #{t.tokenSha256},"
      + " #{t.role}, #{t.tenants}, #{t.expiresAtMs}, #{t.version}, #{t.deleted}, #{t.createdAtMs}, #{t.updatedAtMs},"
      + " #{t.updatedBy})")
  void insertToken(@Param("t") TokenRow row);

  @Select("SELECT " + TOKEN_COLUMNS + " FROM ctl_operator_tokens WHERE id = #{id} FOR UPDATE")
  TokenRow lockToken(@Param("id") String id);

  @Select("SELECT " + TOKEN_COLUMNS + " FROM ctl_operator_tokens WHERE id = #{id}")
  TokenRow findToken(@Param("id") String id);

  /** Live tokens in id order after a cursor. Indexed: (deleted, id). */
  @Select("<script>SELECT " + TOKEN_COLUMNS + " FROM ctl_operator_tokens WHERE deleted = 0"
      + "<if test='after != null'> AND id &gt; #{after}</if> ORDER BY id LIMIT #{limit}</script>")
  List<TokenRow> tokens(@Param("after") String after, @Param("limit") int limit);

  @Update("UPDATE ctl_operator_tokens SET deleted = 1, version = version + 1, updated_at_ms = #{now},"
      + " updated_by = #{actor} WHERE id = #{id} AND version = #{expected} AND deleted = 0")
  int revokeToken(@Param("id") String id, @Param("expected") long expected, @Param("now") long now,
      @Param("actor") String actor);

  @Insert("INSERT INTO ctl_product_credentials (" + CREDENTIAL_COLUMNS + ") VALUES (#{c.id}, #{c.product},"
      + " #{c.currentKeyId}, #{c.currentSecret}, #{c.currentCreatedAtMs}, #{c.previousKeyId}, #{c.previousSecret},"
      + " #{c.previousValidUntilMs}, #{c.version}, #{c.deleted}, #{c.createdAtMs}, #{c.updatedAtMs}, #{c.updatedBy})")
  void insertCredential(@Param("c") CredentialRow row);

  @Select("SELECT " + CREDENTIAL_COLUMNS + " FROM ctl_product_credentials WHERE id = #{id} FOR UPDATE")
  CredentialRow lockCredential(@Param("id") String id);

  /** A product's live credentials. Indexed: (product, deleted, id). */
  @Select("SELECT " + CREDENTIAL_COLUMNS + " FROM ctl_product_credentials WHERE product = #{product} AND deleted = 0"
      + " ORDER BY id LIMIT 1000")
  List<CredentialRow> credentials(@Param("product") String product);

  @Update("UPDATE ctl_product_credentials SET current_key_id = #{c.currentKeyId}, current_secret = #{c.currentSecret},"
      + " current_created_at_ms = #{c.currentCreatedAtMs}, previous_key_id = #{c.previousKeyId},"
      + " previous_secret = #{c.previousSecret}, previous_valid_until_ms = #{c.previousValidUntilMs},"
      + " version = #{c.version}, deleted = #{c.deleted}, updated_at_ms = #{c.updatedAtMs},"
      + " updated_by = #{c.updatedBy} WHERE id = #{c.id} AND version = #{expected}")
  int updateCredential(@Param("c") CredentialRow row, @Param("expected") long expected);
}
