package io.vigil.detectorcrash;

import io.vigil.detector.DetectorApplication;
import io.vigil.detector.detect.AlertEngine;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The detector for the crash tests, in a child JVM: with {@code --crash.at=<point>} it stops at the
 * first batch that reaches that point, says so on its output, and waits there to be SIGKILLed. (A
 * package of its own, so the service's component scan never picks the stopping point up.)
 */
public final class DetectorCrashMain {

  public static final String REACHED = "CRASH-HOOK reached ";

  private DetectorCrashMain() {}

  public static void main(String[] args) {
    new SpringApplicationBuilder(DetectorApplication.class, StopAt.class).run(args);
  }

  @Configuration(proxyBeanMethods = false)
  static class StopAt {

    @Bean
    AlertEngine.Hook crashHook(@Value("${crash.at:}") String at) {
      AtomicBoolean reached = new AtomicBoolean();
      return point -> {
        if (point.equals(at) && reached.compareAndSet(false, true)) {
          System.out.println(REACHED + point);
          System.out.flush();
          while (true) {
            try {
              Thread.sleep(60_000);
            } catch (InterruptedException e) {
              // a kill is coming; nothing else moves this batch on
            }
          }
        }
      };
    }
  }
}
