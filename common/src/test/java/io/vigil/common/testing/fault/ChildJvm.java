package io.vigil.common.testing.fault;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * A Java main class run in a JVM of its own, on this test's classpath, so a test can SIGKILL it: the
 * crash a graceful in-JVM close would fake (no shutdown hooks, no final commit, no flushed buffers).
 * Output goes to a log file under {@code target/child-jvms/}, named in failure messages.
 */
public final class ChildJvm implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code mainClass} with the JVM options and arguments given, a heap of 256 MB unless an
   * option says otherwise.
   */
  public static ChildJvm start(String name, String mainClass, List<String> jvmOptions, List<String> args) {
    return start(name, mainClass, classpath(), jvmOptions, args);
  }

  /**
   * Starts {@code mainClass} on the classpath given (not this test's): a service of its own module,
   * as the end-to-end tests run each service with exactly its own dependencies.
   */
  public static ChildJvm start(String name, String mainClass, String classpath, List<String> jvmOptions,
      List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
      command.add("-Xmx256m");
    }
    command.addAll(jvmOptions);
    if (jvmOptions.stream().noneMatch(o -> o.contains("BytecodeVerification"))) {
      // our own classes and Maven Central's, compiled by javac: checking their bytecode again at every
      // start is about a tenth of a service's start-up CPU, and the tests start dozens of them
      command.add("-XX:+UnlockDiagnosticVMOptions");
      command.add("-XX:-BytecodeVerificationRemote");
    }
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    try {
      Path dir = Files.createDirectories(Path.of("target", "child-jvms"));
      Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new ChildJvm(name, p, log);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name, e);
    }
  }

  /** A service in a child JVM and the HTTP port it listens on (0 when started without a web server). */
  public record Service(ChildJvm jvm, int port) implements AutoCloseable {
    @Override
    public void close() {
      jvm.close();
    }
  }

  /**
   * Starts a Vigil service's main class in a child JVM with this run's settings (the real servers,
   * the run's prefixes and database, the test credentials: {@code VigilTestInitializer.runProperties})
   * on a free port, as command-line arguments; {@code extraArgs} ({@code --name=value}) come last
   * and win. Returns once the port listens. The service joins the same consumer groups as any other
   * instance of it in this run, so it takes part in rebalances like a second replica.
   */
  public static Service startService(String app, String mainClass, List<String> extraArgs) {
    int port = freePort();
    // one value per property: Spring would join a repeated argument into a list
    java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
    io.vigil.common.testing.VigilTestInitializer.runProperties(app).forEach((k, v) -> settings.put(k, String.valueOf(v)));
    settings.put("spring.application.name", app);
    settings.put("server.port", Integer.toString(port));
    for (String arg : extraArgs) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("service arguments are --name=value: " + arg);
      }
      settings.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    List<String> args = new ArrayList<>();
    settings.forEach((k, v) -> args.add("--" + k + "=" + v));
    ChildJvm jvm = start(app, mainClass, List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), args);
    if ("none".equals(settings.get("spring.main.web-application-type"))) {
      return new Service(jvm, 0);
    }
    jvm.awaitPort(port, Duration.ofSeconds(90));
    return new Service(jvm, port);
  }

  /** This test JVM's classpath, unpacked from Surefire's manifest-only jar when it uses one. */
  static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp != null && !cp.isBlank()) {
      return cp;
    }
    cp = System.getProperty("java.class.path");
    String[] entries = cp.split(File.pathSeparator);
    if (entries.length == 1 && entries[0].endsWith(".jar")) {
      try (JarFile jar = new JarFile(entries[0])) {
        String manifestCp = jar.getManifest().getMainAttributes().getValue("Class-Path");
        if (manifestCp != null) {
          List<String> paths = new ArrayList<>();
          for (String url : manifestCp.trim().split("\\s+")) {
            paths.add(Path.of(java.net.URI.create(url)).toString());
          }
          return String.join(File.pathSeparator, paths);
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalStateException("cannot read the test classpath from " + entries[0], e);
      }
    }
    return cp;
  }

  /** A free loopback port (free now; a child binds it soon after). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until something listens on the port, failing early if the child died. */
  public ChildJvm awaitPort(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return this;
      } catch (IOException e) {
        sleep(200);
      }
    }
    throw new IllegalStateException(name + " did not listen on " + port + " within " + timeout + "; see "
        + log.toAbsolutePath());
  }

  /** SIGKILL: the JVM ends at once, nothing of it runs any more. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /**
   * SIGSTOP: every thread of the JVM halts where it is, mid-transaction included, until {@link #resume}.
   * A test can look at the world the frozen JVM left and then {@link #kill} it in exactly that state.
   */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT: a paused JVM goes on. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process p = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot signal " + this.name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted signalling " + this.name, e);
    }
  }

  /** SIGTERM: shutdown hooks run, as in an orderly stop. */
  public void stop() {
    process.destroy();
    waitFor();
  }

  /** Waits for the JVM to end by itself; its exit code, or -1 when it is still running at the timeout. */
  public int awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The child's output so far, for assertions and failure messages. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
