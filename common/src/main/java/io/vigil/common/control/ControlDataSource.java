package io.vigil.common.control;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/**
 * Where a service reads the control tables (operator tokens, product credentials, the access
 * config). Gateway and detector keep their own data in the control database, so theirs is the
 * service's datasource; a service with a database of its own (the cmdb's {@code vigil_cmdb}, the
 * notifier's {@code vigil_notifier}) reads
 * the control database through a small pool of its own, owned and closed here. Not a {@code
 * DataSource} bean, so the service's own datasource stays the only one Spring Boot configures.
 */
public final class ControlDataSource implements AutoCloseable {

  private final DataSource dataSource;
  private final boolean owned;

  private ControlDataSource(DataSource dataSource, boolean owned) {
    this.dataSource = dataSource;
    this.owned = owned;
  }

  /** The service's own datasource, which is the control database. */
  public static ControlDataSource shared(DataSource dataSource) {
    return new ControlDataSource(dataSource, false);
  }

  /** A pool of the service's own for the control database, closed with this. */
  public static ControlDataSource owned(DataSource pool) {
    return new ControlDataSource(pool, true);
  }

  /**
   * A small read-only pool of its own on the control database, same server and account as the
   * service's datasource. It opens lazily: MySQL away at start does not stop the service, the pool
   * connects when it returns.
   *
   * @param jdbcUrl the control database's URL, e.g. {@code jdbc:mysql://host:3306/vigil_control?...}
   */
  public static ControlDataSource pool(String jdbcUrl, String user, String password, int maxConnections) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(jdbcUrl);
    c.setUsername(user);
    c.setPassword(password);
    c.setPoolName("vigil-control");
    c.setMaximumPoolSize(maxConnections);
    c.setMinimumIdle(0);
    c.setReadOnly(true);
    c.setConnectionTimeout(3_000);
    c.setInitializationFailTimeout(-1);
    return owned(new HikariDataSource(c));
  }

  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() throws Exception {
    if (owned && dataSource instanceof AutoCloseable c) {
      c.close();
    }
  }
}
