package io.vigil.common.control;

import io.vigil.common.model.ControlChange.EntityType;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A reader's full load of control objects, streamed: rows are decoded and handed over one at a time
 * while the result set is read, so a detector loading a million policies holds the objects it keeps,
 * never the result set as well. (Connector/J buffers a whole result in memory unless the fetch size
 * is {@link Integer#MIN_VALUE}, its signal to stream.)
 */
public final class ControlReader {

  /** One live object as loaded: its row's columns and its body. */
  public record Loaded<T>(String id, String tenant, String namespace, String shard, long version, boolean enabled,
      T body) {}

  private final JdbcTemplate jdbc;

  /**
   * The SQL of a full load of {@code table}, of one shard or of all. A shard's load names its index:
   * when a shard holds a large part of the table, the optimizer would rather walk the whole primary
   * key in id order than the shard's index range; with ids ordered by time, the index's rows are
   * fetched in primary-key order anyway, so reading only the shard's rows is never worse.
   */
  public static String loadQuery(String table, boolean byShard) {
    return query("id, tenant, namespace, shard, version, enabled, body", table, byShard);
  }

  private static String query(String columns, String table, boolean byShard) {
    String index = table.startsWith("ctl_") ? "ix_" + table.substring(4) + "_shard" : null;
    return "SELECT " + columns + " FROM " + table
        + (byShard ? " FORCE INDEX (" + index + ")" : "") + " WHERE deleted = 0"
        + (byShard ? " AND shard = ?" : "") + " ORDER BY id";
  }

  public ControlReader(DataSource dataSource) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.jdbc.setFetchSize(Integer.MIN_VALUE);
  }

  /**
   * Every live object of a type, or of one shard's (policies and namespaces carry one), in id order:
   * a shard's load walks the (shard, deleted, id) index; a load of a whole type walks the primary key.
   *
   * @return how many objects were handed over
   */
  public <T> long forEach(EntityType type, String shard, Class<T> bodyType, Consumer<Loaded<T>> sink) {
    if (shard != null && type != EntityType.POLICY && type != EntityType.NAMESPACE) {
      throw new IllegalArgumentException(type + " objects have no shard");
    }
    String table = ControlTables.table(type);
    long[] n = {0};
    String sql = loadQuery(table, shard != null);
    Object[] args = shard == null ? new Object[0] : new Object[] {shard};
    jdbc.query(sql, rs -> {
      sink.accept(new Loaded<>(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
          rs.getBoolean(6), ControlJson.read(rs.getString(7), bodyType)));
      n[0]++;
    }, args);
    return n[0];
  }

  /**
   * The id and version of every live object of a type (or of one shard's), streamed in id order: what
   * a periodic reconcile compares with its copy, without reading and decoding every body.
   *
   * @return how many objects were handed over
   */
  public long forEachVersion(EntityType type, String shard, java.util.function.BiConsumer<String, Long> sink) {
    if (shard != null && type != EntityType.POLICY && type != EntityType.NAMESPACE) {
      throw new IllegalArgumentException(type + " objects have no shard");
    }
    long[] n = {0};
    Object[] args = shard == null ? new Object[0] : new Object[] {shard};
    jdbc.query(query("id, version", ControlTables.table(type), shard != null), rs -> {
      sink.accept(rs.getString(1), rs.getLong(2));
      n[0]++;
    }, args);
    return n[0];
  }
}
