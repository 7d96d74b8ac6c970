package io.vigil.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Paths and facts about the repository the deployment files describe. */
final class Repo {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(VIGIL_[A-Z0-9_]+)");
  private static final Pattern PORT = Pattern.compile("port: \\$\\{VIGIL_[A-Z]+_PORT:(\\d+)}");

  /** The services (the console too) and their ports, as each service's application.yml declares them. */
  static final Map<String, Integer> SERVICES = servicePorts();

  private Repo() {}

  static String read(String relative) {
    try {
      return Files.readString(ROOT.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every VIGIL_* variable the services' configuration reads. */
  static Set<String> variablesTheServicesRead() {
    Set<String> names = new TreeSet<>();
    collect(read("common/src/main/resources/vigil-defaults.properties"), names);
    for (String service : SERVICES.keySet()) {
      collect(read(service + "-service/src/main/resources/application.yml"), names);
    }
    return names;
  }

  private static void collect(String text, Set<String> into) {
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      into.add(m.group(1));
    }
  }

  private static Map<String, Integer> servicePorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (String s : new String[] {"gateway", "aggregator", "storage", "detector", "notifier", "policy", "cmdb", "console"}) {
      Matcher m = PORT.matcher(read(s + "-service/src/main/resources/application.yml"));
      if (!m.find()) {
        throw new IllegalStateException(s + "-service declares no port");
      }
      ports.put(s, Integer.parseInt(m.group(1)));
    }
    return ports;
  }
}
