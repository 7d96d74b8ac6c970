package io.vigil.common.config;

/**
 * Where the control-plane schema's migrations are: {@code classpath:db/control} in common, applied
 * by policy-service alone with its own history table. Readers (gateway, detector, notifier) never
 * migrate in production; the test support applies the same migrations to a reader's per-run
 * database, so a reader is tested against the schema policy-service will really have.
 */
public final class ControlSchema {

  /** The Flyway location of the control-plane migrations. */
  public static final String LOCATION = "classpath:db/control";
  /** The Flyway history table of the control-plane schema. */
  public static final String HISTORY_TABLE = "flyway_history_control";

  private ControlSchema() {}
}
