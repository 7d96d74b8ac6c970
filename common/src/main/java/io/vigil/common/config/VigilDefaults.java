package io.vigil.common.config;

import java.io.IOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * Adds {@code vigil-defaults.properties} as the lowest-precedence property source, so every service
 * starts with the same actuator exposure, health groups, structured logs, graceful shutdown and
 * Kafka settings; a service's own {@code application.yml} or environment overrides any of them.
 */
public class VigilDefaults implements EnvironmentPostProcessor {

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    try {
      for (PropertySource<?> source : new PropertiesPropertySourceLoader()
          .load("vigilDefaults", new ClassPathResource("vigil-defaults.properties"))) {
        environment.getPropertySources().addLast(source);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read vigil-defaults.properties", e);
    }
  }
}
