package io.vigil.notifier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class NotifierApplication {

  public static void main(String[] args) {
    // The JDK's HTTP client completes every sendAsync on CompletableFuture's default executor, which on
    // a machine of two cores (common pool parallelism 1) is a new thread per task: a thread per
    // webhook. Two workers in the common pool instead, unless the operator chose a number.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
    SpringApplication.run(NotifierApplication.class, args);
  }
}
