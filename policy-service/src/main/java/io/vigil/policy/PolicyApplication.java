package io.vigil.policy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class PolicyApplication {

  public static void main(String[] args) {
    SpringApplication.run(PolicyApplication.class, args);
  }
}
