package io.vigil.cmdb;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CmdbApplication {

  public static void main(String[] args) {
    SpringApplication.run(CmdbApplication.class, args);
  }
}
