package io.vigil.cmdb.instances;

import java.util.Collection;
import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Options;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL of the instance tables; every value is a bound parameter. */
@Mapper
public interface InstanceMapper {

  String COLUMNS = "pk, namespace, region, instance_id, tenant, version, deleted, source, body, created_at_ms,"
      + " updated_at_ms";

  String KEYS_IN = " (namespace, region, instance_id) IN"
      + "<foreach item='k' collection='keys' open='(' separator=',' close=')'>"
      + "(#{k.namespace}, #{k.region}, #{k.instanceId})</foreach>";

  /** The rows of these keys (live or tombstones), locked for the rest of the transaction. */
  @Select("<script>SELECT " + COLUMNS + " FROM cmdb_instances WHERE" + KEYS_IN + " FOR UPDATE</script>")
  List<InstanceRow> lock(@Param("keys") Collection<InstanceKey> keys);

  /** The rows of these keys, live or tombstones (the unique key makes each a point look-up). */
  @Select("<script>SELECT " + COLUMNS + " FROM cmdb_instances WHERE" + KEYS_IN + "</script>")
  List<InstanceRow> find(@Param("keys") Collection<InstanceKey> keys);

  /**
   * Writes new states over rows the transaction locked and checked (or inserts the new ones): one
   * statement for a whole batch. {@code created_at_ms} keeps its first value.
   */
  @Insert("<script>INSERT INTO cmdb_instances (namespace, region, instance_id, tenant, version, deleted, source, body,"
      + " created_at_ms, updated_at_ms) VALUES"
      + "<foreach item='r' collection='rows' separator=','>(#{r.namespace}, #{r.region}, #{r.instanceId}, #{r.tenant},"
      + " #{r.version}, #{r.deleted}, #{r.source}, #{r.body}, #{r.createdAtMs}, #{r.updatedAtMs})</foreach>"
      + " ON DUPLICATE KEY UPDATE tenant = VALUES(tenant), version = VALUES(version), deleted = VALUES(deleted),"
      + " source = VALUES(source), body = VALUES(body), updated_at_ms = VALUES(updated_at_ms)</script>")
  int upsert(@Param("rows") List<InstanceRow> rows);

  @Delete("<script>DELETE FROM cmdb_labels WHERE instance_pk IN"
      + "<foreach item='p' collection='pks' open='(' separator=',' close=')'>#{p}</foreach></script>")
  int deleteLabels(@Param("pks") Collection<Long> pks);

  @Insert("<script>INSERT INTO cmdb_labels (kind, name, value_hash, instance_pk) VALUES"
      + "<foreach item='l' collection='labels' separator=','>(#{l.kind}, #{l.name}, #{l.valueHash}, #{l.instancePk})"
      + "</foreach></script>")
  int insertLabels(@Param("labels") List<LabelRow> labels);

  /**
   * A page of live instances in pk order after a cursor. With label conditions the first one drives
   * the scan (a range of the labels' primary key) and the others are point look-ups; without, the
   * namespace or tenant index does.
   */
  @Select("<script>SELECT i.pk, i.namespace, i.region, i.instance_id, i.tenant, i.version, i.deleted, i.source, i.body,"
      + " i.created_at_ms, i.updated_at_ms FROM cmdb_instances i"
      + "<if test='labels.size() > 0'> JOIN cmdb_labels l0 ON l0.instance_pk = i.pk AND l0.kind = #{labels[0].kind}"
      + " AND l0.name = #{labels[0].name} AND l0.value_hash = #{labels[0].valueHash}</if>"
      + " WHERE i.deleted = 0"
      + "<if test='namespace != null'> AND i.namespace = #{namespace}</if>"
      + "<if test='region != null'> AND i.region = #{region}</if>"
      + "<if test='tenants != null'> AND i.tenant IN"
      + "<foreach item='t' collection='tenants' open='(' separator=',' close=')'>#{t}</foreach></if>"
      + "<if test='product != null'> AND i.namespace &gt; CONCAT(#{product}, '/') AND i.namespace &lt; CONCAT(#{product}, '0')</if>"
      + "<foreach item='l' collection='labels' index='n'><if test='n > 0'> AND EXISTS (SELECT 1 FROM cmdb_labels l"
      + " WHERE l.kind = #{l.kind} AND l.name = #{l.name} AND l.value_hash = #{l.valueHash} AND l.instance_pk = i.pk)"
      + "</if></foreach>"
      + "<if test='after != null'> AND i.pk &gt; #{after}</if>"
      + " ORDER BY i.pk LIMIT #{limit}</script>")
  List<InstanceRow> search(@Param("namespace") String namespace, @Param("region") String region,
      @Param("tenants") Collection<String> tenants, @Param("product") String product,
      @Param("labels") List<LabelRow> labels, @Param("after") Long after, @Param("limit") int limit);

  // ---- outbox

  /** The relay baton: a row when this transaction may relay, none while another relay holds it. */
  @Select("SELECT name FROM cmdb_meta WHERE name = 'outbox_relay' FOR UPDATE SKIP LOCKED")
  List<String> takeRelayBaton();

  @Insert("<script>INSERT INTO cmdb_outbox (instance_key, version, payload, created_at_ms, traceparent) VALUES"
      + "<foreach item='o' collection='rows' separator=','>(#{o.instanceKey}, #{o.version}, #{o.payload},"
      + " #{o.createdAtMs}, #{o.traceparent})</foreach></script>")
  int insertOutbox(@Param("rows") List<OutboxRow> rows);

  @Select("SELECT seq, instance_key, version, payload, created_at_ms, traceparent FROM cmdb_outbox ORDER BY seq"
      + " LIMIT #{limit} FOR UPDATE SKIP LOCKED")
  List<OutboxRow> takeOutbox(@Param("limit") int limit);

  @Delete("<script>DELETE FROM cmdb_outbox WHERE seq IN"
      + "<foreach item='s' collection='seqs' open='(' separator=',' close=')'>#{s}</foreach></script>")
  int deleteOutbox(@Param("seqs") List<Long> seqs);

  /** The oldest waiting row's seq and time, and the newest seq; none when the outbox is empty. */
  @Select("SELECT o.seq AS first, o.created_at_ms AS first_created_at_ms, (SELECT MAX(seq) FROM cmdb_outbox) AS last"
      + " FROM cmdb_outbox o ORDER BY o.seq LIMIT 1")
  OutboxRow.Ends outboxEnds();
}
