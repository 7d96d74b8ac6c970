package io.vigil.common.testing;

import java.util.Locale;

/**
 * Where a test run's servers come from, decided in one place: the real servers on this machine
 * ({@link #LOCAL}, what {@code bin/test} starts; the default) or containers that Testcontainers starts
 * ({@link #CONTAINERS}, the Maven profile {@code testcontainers}, for a laptop with Docker). The
 * profile sets {@code vigil.test.servers=containers} and compiles the container support into
 * common's test-jar; without it the choice of containers is refused with the profile's name.
 */
public enum ServerSource {
  LOCAL,
  CONTAINERS;

  /** The system property (or, without it, the environment variable {@code VIGIL_TEST_SERVERS}) that chooses. */
  public static final String PROPERTY = "vigil.test.servers";
  /** The class the profile compiles in: it starts the containers and answers their addresses. */
  public static final String CONTAINER_SUPPORT = "io.vigil.common.testing.containers.VigilContainers";

  /**
   * The source for a setting ({@code local}, {@code containers}, or blank for the default) given
   * whether the container support is on the classpath.
   */
  public static ServerSource choose(String setting, boolean containerSupportPresent) {
    String s = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
    ServerSource source = switch (s) {
      case "", "local" -> LOCAL;
      case "containers", "testcontainers" -> CONTAINERS;
      default -> throw new IllegalArgumentException(PROPERTY + "=" + setting
          + " is neither 'local' (the machine's servers) nor 'containers' (Testcontainers)");
    };
    if (source == CONTAINERS && !containerSupportPresent) {
      throw new IllegalStateException(PROPERTY + "=containers needs the container support compiled in: build with"
          + " the Maven profile, ./mvnw -Ptestcontainers verify (or bin/test -Ptestcontainers)");
    }
    return source;
  }

  /** This JVM's choice: the system property, else the environment variable, else local. */
  static ServerSource ofThisRun() {
    String setting = System.getProperty(PROPERTY);
    if (setting == null || setting.isBlank()) {
      setting = System.getenv("VIGIL_TEST_SERVERS");
    }
    boolean present;
    try {
      Class.forName(CONTAINER_SUPPORT, false, ServerSource.class.getClassLoader());
      present = true;
    } catch (ClassNotFoundException e) {
      present = false;
    }
    return choose(setting, present);
  }
}
