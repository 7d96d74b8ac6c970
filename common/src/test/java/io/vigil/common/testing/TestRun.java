package io.vigil.common.testing;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The identity of this test JVM's run. Everything a run creates on the shared servers carries it —
 * topics and consumer groups, databases, Elasticsearch indices, Redis keys — so two runs (or a run
 * and a local platform) never see each other's data, and {@link TestRunCleanup} removes exactly
 * what this run made.
 */
public final class TestRun {

  private static final String ID = "t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

  private TestRun() {}

  public static String id() {
    return ID;
  }

  /** Prefix of topics and consumer groups, in place of the deployment's {@code vigil.}. */
  public static String topicPrefix() {
    return ID + ".vigil.";
  }

  /** This run's database for a module, e.g. {@code vigil_t1a2b3c4d_policy}. */
  public static String database(String module) {
    return databasePrefix() + module.replace("-service", "").replace('-', '_');
  }

  public static String databasePrefix() {
    return "vigil_" + ID + "_";
  }

  public static String indexPrefix() {
    return ID + "-vigil-";
  }

  public static String redisPrefix() {
    return ID + ":";
  }
}
