package io.vigil.e2e;

import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.ChildJvm;
import io.vigil.common.testing.fault.FaultProxy;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The whole platform for one test run: the seven services and the console, each in a JVM of its own on exactly its
 * own module's classpath (its {@code target/classes} and the {@code target/runtime-classpath.txt}
 * the build leaves), wired to each other as a deployment wires them: one control-plane database that
 * policy-service writes and the others read, every peer's URL, the service credential for calls
 * between services, and the run's topics, indices and Redis keys (so it shares the real servers with
 * nothing else). Started once per test JVM and killed when the JVM exits; a fault test kills and
 * restarts one service through {@link #kill} and {@link #start}, adds further instances of a service
 * ({@code gateway-2}: the same service, a port of its own, the same consumer groups) and takes Redis
 * from the detectors, Elasticsearch from one storage instance or the cmdb from the notifiers through
 * their {@link FaultProxy}s.
 *
 * <p>Consumers are given a 10 s Kafka session (Kafka's default is 45 s), so the partitions of an
 * instance that was killed move to the others within seconds: the fault tests kill instances and wait
 * for the work to move, and a deployment that wants its failover this fast sets the same.
 */
final class Platform {

  /**
   * The JUnit resource of "every service's first instance running": a class that kills or stops one holds
   * it for writing, a class that needs all of them at once for reading, so the two never run side by side.
   * (The fault test takes away only instances it added, and dependencies through proxies, so it holds
   * neither.)
   */
  static final String ALL_SERVICES_UP = "vigil-e2e-all-services-up";

  /** The services and their main classes, policy-service first (it owns the control plane). */
  static final Map<String, String> MAIN_CLASSES = mainClasses();

  private static volatile Platform shared;

  private final Path root;
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  private final Map<String, ChildJvm> running = new ConcurrentHashMap<>();
  private final Map<String, String> extra;
  private final int smtpPort = ChildJvm.freePort();
  private final Path mailDir = Path.of("target", "platform-mail").toAbsolutePath();
  private Process smtp;
  /** The series every instance served, gathered before it is killed or stopped and at the end. */
  private final java.util.Set<String> served = ConcurrentHashMap.newKeySet();
  /** The detectors' way to Redis. */
  private final FaultProxy detectorRedis = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort());
  /** Each storage instance's own way to Elasticsearch, so one can lose it while the others serve reads. */
  private final Map<String, FaultProxy> storageElasticsearch = new ConcurrentHashMap<>();
  /** The notifiers' way to the cmdb (the console and the rest reach it directly). */
  private final FaultProxy notifierCmdb;

  private Platform(Map<String, String> extra) {
    this.root = repositoryRoot();
    this.extra = extra;
    MAIN_CLASSES.keySet().forEach(app -> ports.put(app, ChildJvm.freePort()));
    this.notifierCmdb = FaultProxy.to("127.0.0.1", ports.get("cmdb"));
  }

  /** The run's platform, started on first use (every service ready) and stopped as the JVM exits. */
  static synchronized Platform shared() {
    if (shared == null) {
      Platform p = new Platform(Map.of(
          // windows close a second after they end, so a test waits for one minute, not one and a half
          "vigil.aggregator.default-grace", "1s"));
      Runtime.getRuntime().addShutdownHook(new Thread(p::stopAll, "vigil-e2e-platform-stop"));
      p.startAll();
      shared = p;
    }
    return shared;
  }

  /** The control-plane database of this run: policy-service's, which every reader of it shares. */
  static String controlDatabase() {
    return TestRun.database("policy");
  }

  void startAll() {
    long started = System.nanoTime();
    // the control schema exists before any reader starts (policy-service applies the same migrations,
    // from the same location into the same history table, and finds them applied)
    VigilTestInitializer.migrateControlSchema(controlDatabase());
    startSmtp();
    MAIN_CLASSES.keySet().forEach(this::launch);
    for (String app : MAIN_CLASSES.keySet()) {
      awaitReady(app, Duration.ofSeconds(180));
    }
    System.err.printf("[vigil-e2e] the platform was ready in %d s: %s%n",
        Duration.ofNanos(System.nanoTime() - started).toSeconds(), ports);
  }

  /** Starts one service (again, after {@link #kill}) and waits until it is ready. */
  void start(String app) {
    start(List.of(app));
  }

  /**
   * Starts these instances side by side and waits until each is ready: a service's name for its first
   * instance (again, after {@link #kill}), {@code <service>-<n>} for a further one, which gets a port of
   * its own on first start and keeps it.
   */
  void start(List<String> instances) {
    for (String instance : instances) {
      ports.computeIfAbsent(instance, i -> ChildJvm.freePort());
      launch(instance);
    }
    for (String instance : instances) {
      awaitReady(instance, Duration.ofSeconds(150));
    }
  }

  /** SIGTERM, and waits for the instance to end: an orderly stop, as in a rolling deploy. */
  void stop(String instance) {
    scrape(instance);
    ChildJvm jvm = running.remove(instance);
    if (jvm != null) {
      jvm.stop();
    }
  }

  /** The proxy between every detector instance and Redis. */
  FaultProxy detectorRedis() {
    return detectorRedis;
  }

  /** The proxy between one storage instance ({@code storage}, {@code storage-2}) and Elasticsearch. */
  FaultProxy storageElasticsearch(String instance) {
    if (!service(instance).equals("storage")) {
      throw new IllegalArgumentException(instance + " is not a storage instance");
    }
    return storageElasticsearch.computeIfAbsent(instance, i -> {
      URI es = URI.create(TestServers.elasticsearchUrl());
      return FaultProxy.to(es.getHost(), es.getPort());
    });
  }

  /**
   * The proxy between every notifier instance and the cmdb: refused, the notifiers find the cmdb down
   * while it goes on serving everyone else (the console, a Prometheus scraping it).
   */
  FaultProxy notifierCmdb() {
    return notifierCmdb;
  }

  /** The instances of a service that run now ({@code notifier}, {@code notifier-2}, …). */
  List<String> instances(String service) {
    return running.keySet().stream().filter(i -> service(i).equals(service)).filter(this::running).sorted().toList();
  }

  /** The service an instance belongs to: {@code gateway} for {@code gateway} and {@code gateway-2}. */
  static String service(String instance) {
    int dash = instance.indexOf('-');
    return dash < 0 ? instance : instance.substring(0, dash);
  }

  /**
   * The notifier's SMTP relay: deploy/local's SMTP sink (the one {@code bin/vigil demo} runs), which
   * keeps each message under {@link #mailDir()} and lists them in its {@code mail.log}.
   */
  private void startSmtp() {
    try {
      Files.createDirectories(mailDir);
      smtp = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
          root.resolve("deploy/local/SmtpSink.java").toString(), Integer.toString(smtpPort), mailDir.toString())
          .redirectErrorStream(true).redirectOutput(mailDir.resolve("smtp-sink.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the SMTP sink", e);
    }
  }

  /** Where the SMTP sink keeps the messages the notifier sent. */
  Path mailDir() {
    return mailDir;
  }

  /** The repository's root directory. */
  Path root() {
    return root;
  }

  /** Whether this instance was started, has not been killed or stopped since, and its JVM is alive. */
  boolean running(String instance) {
    ChildJvm jvm = running.get(instance);
    return jvm != null && jvm.alive();
  }

  /** SIGKILL: the service ends at once, as in a crash. */
  void kill(String app) {
    scrape(app);
    ChildJvm jvm = running.remove(app);
    if (jvm != null) {
      jvm.kill();
    }
  }

  int port(String app) {
    return ports.get(app);
  }

  Http http(String app) {
    return new Http(port(app));
  }

  URI url(String app, String path) {
    return URI.create("http://127.0.0.1:" + port(app) + path);
  }

  /** A service's log so far, for failure messages. */
  String output(String app) {
    ChildJvm jvm = running.get(app);
    return jvm == null ? "(" + app + " is not running)" : jvm.output();
  }

  private void launch(String instance) {
    if (running(instance)) {
      throw new IllegalStateException(instance + " is already running");
    }
    ChildJvm dead = running.remove(instance); // it exited during an earlier start: started afresh
    if (dead != null) {
      dead.close();
    }
    String app = service(instance);
    List<String> args = new ArrayList<>();
    Map<String, String> settings = settings(app);
    if (app.equals("storage")) {
      FaultProxy es = storageElasticsearch(instance);
      settings.put("spring.elasticsearch.uris", "http://" + es.host() + ":" + es.port());
    }
    settings.forEach((k, v) -> args.add("--" + k + "=" + v));
    args.add("--server.port=" + port(instance));
    running.put(instance, ChildJvm.start(instance, MAIN_CLASSES.get(app), classpath(app),
        List.of("-Xmx320m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), args));
  }

  /**
   * The settings a deployment gives the service (every instance of it alike, but for its port),
   * pointed at this run's servers, prefixes and peers.
   */
  Map<String, String> settings(String app) {
    Map<String, String> s = new LinkedHashMap<>();
    VigilTestInitializer.runProperties(app).forEach((k, v) -> s.put(k, String.valueOf(v)));
    s.put("spring.application.name", app);
    s.put("spring.kafka.consumer.properties.session.timeout.ms", "10000");
    s.put("spring.kafka.streams.properties.session.timeout.ms", "10000");
    if (app.equals("detector")) {
      s.put("spring.data.redis.host", detectorRedis.host());
      s.put("spring.data.redis.port", Integer.toString(detectorRedis.port()));
    }
    // one control plane: the readers read policy-service's database, the services with data of their
    // own (notifier, cmdb) read it as their second one
    if (List.of("gateway", "detector", "storage").contains(app)) {
      s.put("vigil.mysql.database", controlDatabase());
    }
    if (List.of("notifier", "cmdb").contains(app)) {
      s.put("vigil.control.database", controlDatabase());
    }
    MAIN_CLASSES.keySet().forEach(peer -> s.put("vigil.services." + peer + ".base-url",
        "http://127.0.0.1:" + port(peer)));
    if (app.equals("notifier")) {
      s.put("vigil.services.cmdb.base-url", "http://" + notifierCmdb.host() + ":" + notifierCmdb.port());
    }
    s.put("vigil.services.api-key", VigilTestInitializer.SERVICE_KEY);
    // the test's webhook sinks are plain-http servers on this machine, as on the local platform
    s.put("vigil.outbound.allow-http", "true");
    s.put("vigil.outbound.allowed-cidrs", "127.0.0.1/32");
    if (app.equals("notifier")) {
      // a fault test's receiver that always times out gets a few dozen calls, and its test asserts each
      // page was tried more than once: its breaker must not open part-way and fail the later ones at once
      s.put("vigil.notifier.channels.webhook.breaker.window", "400");
      s.put("spring.mail.host", "127.0.0.1");
      s.put("spring.mail.port", Integer.toString(smtpPort));
    }
    s.putAll(extra);
    return s;
  }

  /** The service's own classes, then its runtime dependencies as the build resolved them. */
  String classpath(String app) {
    Path module = root.resolve(app + "-service");
    Path classes = module.resolve("target/classes");
    Path deps = module.resolve("target/runtime-classpath.txt");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(deps)) {
      throw new IllegalStateException(module + " is not built: the end-to-end tests run after the services in the"
          + " reactor (bin/test), or build them first (./mvnw -DskipTests -Dspring-boot.repackage.skip=true package)");
    }
    try {
      return classes + File.pathSeparator + Files.readString(deps).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + deps, e);
    }
  }

  private void awaitReady(String app, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      ChildJvm jvm = running.get(app);
      if (jvm == null || !jvm.alive()) {
        throw new IllegalStateException(app + " exited during start-up; see "
            + (jvm == null ? "(not started)" : jvm.log().toAbsolutePath()));
      }
      try {
        HttpResponse<Void> r = SCRAPER.send(HttpRequest.newBuilder(url(app, "/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + app, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(app + " not ready within " + timeout + "; see " + jvm.log().toAbsolutePath());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + app, e);
      }
    }
  }

  private void stopAll() {
    recordServedSeries();
    running.values().forEach(ChildJvm::close);
    running.clear();
    detectorRedis.close();
    storageElasticsearch.values().forEach(FaultProxy::close);
    notifierCmdb.close();
    if (smtp != null) {
      smtp.destroyForcibly();
    }
  }

  /**
   * Leaves the names of the series the platform served, after all its tests' traffic, in
   * {@code target/served-metrics.txt}: deploy's check that every metric a dashboard or rule queries is
   * served reads it beside the services' own (the reactor builds deploy after this module). Families
   * that appear only once something happens (a rejected point, a degraded path) are served here; an
   * instance a fault test killed was scraped just before, so what it served counts too.
   */
  private void recordServedSeries() {
    running.keySet().forEach(this::scrape);
    try {
      Path out = root.resolve("e2e/target/served-metrics.txt");
      Files.createDirectories(out.getParent());
      Files.write(out, new java.util.TreeSet<>(served));
    } catch (IOException e) {
      System.err.println("[vigil-e2e] cannot write served-metrics.txt: " + e);
    }
  }

  /** Adds the series an instance serves now to {@link #served}; one that does not answer adds none. */
  private void scrape(String instance) {
    if (!running.containsKey(instance)) {
      return;
    }
    try {
      served.addAll(Http.seriesNames(SCRAPER.send(HttpRequest.newBuilder(url(instance, "/actuator/prometheus"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body()));
    } catch (IOException e) {
      System.err.println("[vigil-e2e] no metrics from " + instance + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final HttpClient SCRAPER = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("common")))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("not inside the Vigil repository: " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  private static Map<String, String> mainClasses() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("policy", "io.vigil.policy.PolicyApplication");
    m.put("gateway", "io.vigil.gateway.GatewayApplication");
    m.put("aggregator", "io.vigil.aggregator.AggregatorApplication");
    m.put("storage", "io.vigil.storage.StorageApplication");
    m.put("detector", "io.vigil.detector.DetectorApplication");
    m.put("notifier", "io.vigil.notifier.NotifierApplication");
    m.put("cmdb", "io.vigil.cmdb.CmdbApplication");
    m.put("console", "io.vigil.console.ConsoleApplication");
    return java.util.Collections.unmodifiableMap(m);
  }
}
