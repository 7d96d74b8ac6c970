package io.vigil.detector;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class DetectorApplication {

  public static void main(String[] args) {
    SpringApplication.run(DetectorApplication.class, args);
  }
}
