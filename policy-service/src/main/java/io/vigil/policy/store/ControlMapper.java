package io.vigil.policy.store;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Options;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * SQL of the control schema. {@code ${t}} is always a table name from {@code ControlTables} (an
 * enum's mapping, never input); every value is a bound parameter.
 */
@Mapper
public interface ControlMapper {

  String COLUMNS = "id, tenant, name, namespace, shard, enabled, version, deleted, body, created_at_ms, updated_at_ms,"
      + " updated_by";

  @Insert("INSERT INTO ${t} (id, tenant, name, namespace, shard, enabled, version, deleted, live, body, created_at_ms,"
      + " updated_at_ms, updated_by) VALUES (#{r.id}, #{r.tenant}, #{r.name}, #{r.namespace}, #{r.shard}, #{r.enabled},"
      + " #{r.version}, #{r.deleted}, #{r.live}, #{r.body}, #{r.createdAtMs}, #{r.updatedAtMs}, #{r.updatedBy})")
  void insert(@Param("t") String table, @Param("r") ControlRow row);

  /** Writes a new state over the version the writer read; 0 rows when another writer came first. */
  @Update("UPDATE ${t} SET name = #{r.name}, namespace = #{r.namespace}, shard = #{r.shard}, enabled = #{r.enabled},"
      + " version = #{r.version}, deleted = #{r.deleted}, live = #{r.live}, body = #{r.body},"
      + " updated_at_ms = #{r.updatedAtMs}, updated_by = #{r.updatedBy} WHERE id = #{r.id} AND version = #{expected}")
  int update(@Param("t") String table, @Param("r") ControlRow row, @Param("expected") long expectedVersion);

  /** The row, locked for the rest of the transaction (the before-image of a change). */
  @Select("SELECT " + COLUMNS + " FROM ${t} WHERE id = #{id} FOR UPDATE")
  ControlRow lock(@Param("t") String table, @Param("id") String id);

  @Select("SELECT " + COLUMNS + " FROM ${t} WHERE id = #{id}")
  ControlRow find(@Param("t") String table, @Param("id") String id);

  @Select("SELECT COUNT(*) FROM ${t} WHERE id = #{id} AND tenant = #{tenant} AND deleted = 0")
  int countLive(@Param("t") String table, @Param("tenant") String tenant, @Param("id") String id);

  /**
   * A page of a tenant's live objects in id order after a cursor, optionally narrowed to a namespace,
   * a name prefix or enabled ones. Indexed: (tenant, deleted, id), (tenant, namespace, deleted, id),
   * (tenant, deleted, name).
   */
  @Select("<script>SELECT " + COLUMNS + " FROM ${t} WHERE tenant = #{tenant} AND deleted = 0"
      + "<if test='namespace != null'> AND namespace = #{namespace}</if>"
      + "<if test='namePrefix != null'> AND name LIKE CONCAT(#{namePrefix}, '%') ESCAPE '!'</if>"
      + "<if test='enabled != null'> AND enabled = #{enabled}</if>"
      + "<if test='after != null'> AND id &gt; #{after}</if>"
      + " ORDER BY id LIMIT #{limit}</script>")
  List<ControlRow> page(@Param("t") String table, @Param("tenant") String tenant, @Param("namespace") String namespace,
      @Param("namePrefix") String namePrefix, @Param("enabled") Boolean enabled, @Param("after") String after,
      @Param("limit") int limit);

  /** Whether a namespace has a live object (a row's id, or null). Indexed: (namespace, deleted, id). */
  @Select("SELECT id FROM ${t} WHERE namespace = #{namespace} AND deleted = 0 LIMIT 1")
  String anyLiveIn(@Param("t") String table, @Param("namespace") String namespace);

  /** A namespace moved to another shard: its policies follow (index (namespace, deleted, id)). */
  @Update("UPDATE ${t} SET shard = #{shard} WHERE namespace = #{namespace}")
  int moveShard(@Param("t") String table, @Param("namespace") String namespace, @Param("shard") String shard);

  // ---- outbox

  /** The relay baton: a row when this transaction may relay, none while another relay holds it. */
  @Select("SELECT name FROM control_meta WHERE name = 'outbox_relay' FOR UPDATE SKIP LOCKED")
  List<String> takeRelayBaton();

  @Insert("INSERT INTO ctl_outbox (entity_type, entity_id, version, op, tenant, namespace, shard, created_at_ms,"
      + " traceparent) VALUES (#{o.entityType}, #{o.entityId}, #{o.version}, #{o.op}, #{o.tenant}, #{o.namespace},"
      + " #{o.shard}, #{o.createdAtMs}, #{o.traceparent})")
  @Options(useGeneratedKeys = true, keyProperty = "o.seq")
  void insertOutbox(@Param("o") OutboxRow row);

  /** The oldest unsent rows not taken by another relay; locked until this transaction ends. */
  @Select("SELECT seq, entity_type, entity_id, version, op, tenant, namespace, shard, created_at_ms, traceparent"
      + " FROM ctl_outbox ORDER BY seq LIMIT #{limit} FOR UPDATE SKIP LOCKED")
  List<OutboxRow> takeOutbox(@Param("limit") int limit);

  @Delete("<script>DELETE FROM ctl_outbox WHERE seq IN"
      + "<foreach item='s' collection='seqs' open='(' separator=',' close=')'>#{s}</foreach></script>")
  int deleteOutbox(@Param("seqs") List<Long> seqs);

  /**
   * The two ends of the outbox's primary key (no scan, however long the backlog): the backlog is the
   * seq span, an upper bound (out-of-order commits may leave gaps).
   */
  @Select("SELECT MIN(seq) AS first, MAX(seq) AS last FROM ctl_outbox")
  OutboxBacklog outboxEnds();

  @Select("SELECT created_at_ms FROM ctl_outbox WHERE seq = #{seq}")
  Long outboxCreatedAt(@Param("seq") long seq);

  // ---- audit

  @Insert("INSERT INTO ctl_audit (entity_type, entity_id, tenant, version, op, actor, at_ms, before_body, after_body)"
      + " VALUES (#{a.entityType}, #{a.entityId}, #{a.tenant}, #{a.version}, #{a.op}, #{a.actor}, #{a.atMs},"
      + " #{a.beforeBody}, #{a.afterBody})")
  void insertAudit(@Param("a") AuditRow row);

  /** An object's audit trail, newest first, before a cursor. Indexed: (entity_type, entity_id, seq). */
  @Select("<script>SELECT seq, entity_type, entity_id, tenant, version, op, actor, at_ms, before_body, after_body"
      + " FROM ctl_audit WHERE entity_type = #{type} AND entity_id = #{id}"
      + "<if test='before != null'> AND seq &lt; #{before}</if> ORDER BY seq DESC LIMIT #{limit}</script>")
  List<AuditRow> audit(@Param("type") String type, @Param("id") String id, @Param("before") Long before,
      @Param("limit") int limit);
}
