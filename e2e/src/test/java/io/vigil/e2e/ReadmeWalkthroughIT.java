package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's walkthrough is true: its shell blocks marked {@code <!-- walkthrough -->} run in order,
 * as written, in one bash, against the platform (the addresses and the admin token the blocks read
 * are pointed at this run's services, the only difference from a user's shell). The script stops at
 * the first command that fails; afterwards the receiver must have been told exactly what the README
 * promises.
 */
class ReadmeWalkthroughIT {

  private static final Pattern BLOCK = Pattern.compile("<!-- walkthrough -->\\s*```sh\\n(.*?)```", Pattern.DOTALL);

  /** The walkthrough's blocks, in order: what the README shows, nothing added. */
  static List<String> blocks(String readme) {
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(readme);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void theReadmeWalkthroughRunsAsWritten() throws Exception {
    Platform platform = Platform.shared();
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<String> blocks = blocks(Files.readString(root.resolve("README.md")));
    assertThat(blocks).as("the README's marked walkthrough blocks").hasSizeGreaterThanOrEqualTo(7);

    Path home = Files.createDirectories(Path.of("target", "walkthrough-home").toAbsolutePath());
    Path keys = Files.createDirectories(home.resolve("keys"));
    Path adminKey = keys.resolve("admin.key");
    Files.writeString(adminKey, VigilTestInitializer.PLATFORM_ADMIN_KEY + "\n");
    Files.setPosixFilePermissions(adminKey, PosixFilePermissions.fromString("rw-------"));
    Path sinkFile = home.resolve("sink/webhook.jsonl");
    Files.deleteIfExists(sinkFile);

    String script = "set -euo pipefail\n" + String.join("\n", blocks);
    Path log = Path.of("target", "walkthrough.log").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("VIGIL_HOME", home.toString());
    env.put("VIGIL_SINK_PORT", Integer.toString(ChildJvm.freePort()));
    env.put("POLICY", "http://127.0.0.1:" + platform.port("policy"));
    env.put("GATEWAY", "http://127.0.0.1:" + platform.port("gateway"));
    env.put("STORAGE", "http://127.0.0.1:" + platform.port("storage"));
    env.put("NOTIFIER", "http://127.0.0.1:" + platform.port("notifier"));
    Process bash = pb.start();
    try {
      boolean ended = bash.waitFor(6, TimeUnit.MINUTES);
      String output = Files.readString(log);
      assertThat(ended).as("the walkthrough ends within 6 minutes; so far:\n%s", output).isTrue();
      assertThat(bash.exitValue()).as("the walkthrough's commands all succeed:\n%s", output).isZero();
      assertThat(output).as("explain names the silence").contains("SILENCED");

      List<JsonNode> told = new ArrayList<>();
      for (String line : Files.readAllLines(sinkFile, StandardCharsets.UTF_8)) {
        told.add(Http.JSON.readTree(line));
      }
      assertThat(told(told, "web-1", "FIRING")).as("web-1 paged once").isEqualTo(1);
      assertThat(told(told, "web-1", "RESOLVED")).as("web-1's recovery told once").isEqualTo(1);
      assertThat(told(told, "web-2", null)).as("the silenced web-2 paged no one").isZero();
      assertThat(told(told, "web-3", null)).as("the healthy web-3 paged no one").isZero();
    } finally {
      bash.destroyForcibly();
      ProcessBuilder stop = new ProcessBuilder("bash", root.resolve("bin/vigil").toString(), "sink", "stop")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      stop.environment().put("VIGIL_HOME", home.toString());
      stop.start().waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static long told(List<JsonNode> told, String instance, String status) {
    return told.stream().filter(n -> instance.equals(n.path("dimensions").path("instance").asString()))
        .filter(n -> status == null || status.equals(n.path("status").asString())).count();
  }

  @Test
  void onlyMarkedShellBlocksAreTaken() throws IOException {
    String readme = """
        text
        <!-- walkthrough -->
        ```sh
        echo one
        ```
        ```sh
        echo not marked
        ```
        <!-- walkthrough -->

        ```sh
        echo two
        ```
        """;
    assertThat(blocks(readme)).containsExactly("echo one\n", "echo two\n");
  }
}
