package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.VigilTestInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The demo's fleet ({@code deploy/local/Demo.java}, what {@code bin/vigil demo} runs) makes the
 * platform visibly work within two minutes: it sets up its tenant through the public APIs, and pages
 * arrive both at the webhook and by e-mail (the platform's notifier relays to deploy/local's SMTP sink,
 * as under {@code bin/vigil demo}). A smaller fleet than the demo's default, same schedule.
 */
class DemoIT {

  @Test
  void theDemoFleetPagesByWebhookAndEmailWithinTwoMinutes() throws Exception {
    Platform platform = Platform.shared();
    Path home = Files.createDirectories(Path.of("target", "demo-home", "keys").toAbsolutePath()).getParent();
    Files.writeString(home.resolve("keys/admin.key"), VigilTestInitializer.PLATFORM_ADMIN_KEY + "\n");
    Path log = home.resolve("demo.log");
    try (WebhookSink sink = new WebhookSink()) {
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", platform.root().resolve("deploy/local/Demo.java").toString())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("VIGIL_HOME", home.toString());
      pb.environment().put("POLICY", "http://127.0.0.1:" + platform.port("policy"));
      pb.environment().put("GATEWAY", "http://127.0.0.1:" + platform.port("gateway"));
      pb.environment().put("DEMO_SINK_URL", sink.url("/hook"));
      pb.environment().put("DEMO_WEB", "30");
      pb.environment().put("DEMO_DB", "10");
      pb.environment().put("DEMO_MINUTES", "4");
      Process demo = pb.start();
      long started = System.nanoTime();
      try {
        Awaits.until("the demo set itself up", Duration.ofSeconds(60), () -> {
          assertThat(demo.isAlive()).as("the demo runs; its log:\n%s", read(log)).isTrue();
          return read(log).contains("set up");
        });
        Awaits.until("pages of tenant demo at the webhook and by e-mail", Duration.ofSeconds(120), () -> {
          boolean hooked = !sink.matching(n -> "demo".equals(n.body().path("tenant").asString())).isEmpty();
          return hooked && read(platform.mailDir().resolve("mail.log")).contains("alice@demo.example");
        });
        System.err.printf("[vigil-e2e] the demo's first pages came %d s after it started%n",
            Duration.ofNanos(System.nanoTime() - started).toSeconds());
        List<String> policies = sink.matching(n -> "demo".equals(n.body().path("tenant").asString())).stream()
            .map(n -> n.body().path("policyName").asString()).distinct().toList();
        assertThat(policies).isNotEmpty().allSatisfy(p -> assertThat(p)
            .isIn("web cpu high", "web mem full", "db slow", "db failover"));
        assertThat(read(log)).doesNotContain("answered 4").doesNotContain("answered 5");
      } finally {
        demo.destroy();
        demo.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
