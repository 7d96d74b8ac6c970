package io.vigil.common.testing.containers;

import java.util.List;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotatedBeanDefinitionReader;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Adds {@link VigilServiceConnections} to every Spring test context of a run with the testcontainers
 * profile (registered in this source set's {@code META-INF/spring.factories}, so a default build has
 * none of it).
 */
public class VigilContainersContextCustomizerFactory implements ContextCustomizerFactory {

  @Override
  public ContextCustomizer createContextCustomizer(Class<?> testClass,
      List<ContextConfigurationAttributes> configAttributes) {
    return Customizer.INSTANCE;
  }

  /** One instance, equal to itself: contexts stay cacheable. */
  enum Customizer implements ContextCustomizer {
    INSTANCE;

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
      if (context instanceof BeanDefinitionRegistry registry) {
        new AnnotatedBeanDefinitionReader(registry).register(VigilServiceConnections.class);
      }
    }
  }
}
