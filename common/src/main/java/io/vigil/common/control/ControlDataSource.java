package io.vigil.common.control;

import javax.sql.DataSource;

/**
 * Where a service reads the control tables (operator tokens, product credentials, the access
 * config). Gateway and detector keep their own data in the control database, so theirs is the
 * service's datasource; a service with a database of its own (the cmdb's {@code vigil_cmdb}) reads
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
