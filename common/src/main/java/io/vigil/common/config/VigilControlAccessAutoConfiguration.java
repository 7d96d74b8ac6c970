package io.vigil.common.config;

import io.vigil.common.control.ControlDataSource;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.security.ConfiguredCredentials;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.CredentialResolver;
import io.vigil.common.security.ProductCredentials;
import io.vigil.common.security.SecretBox;
import io.vigil.common.security.VigilSecurityProperties;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Callers resolved from the control tables, for the services that read them ({@code
 * vigil.security.control-callers=true}): operator tokens beside the configured credentials, and
 * product credentials opened with the master key ({@code vigil.security.master-key-file}, required:
 * there is no default key, so such a service does not start without one). A service that reads data
 * for operators but takes no product writes sets {@code vigil.security.product-credentials=false}
 * and never holds the master key. The tables are read through {@link ControlDataSource}: the
 * service's datasource unless the service declares a pool of its own for them. A service that takes
 * product keys on its API ({@code vigil.security.product-keys=true}, the cmdb) resolves {@code <key
 * id>:<secret>} bearer keys to the product.
 */
@AutoConfiguration(before = VigilWebAutoConfiguration.class,
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnProperty(name = "vigil.security.control-callers", havingValue = "true")
@EnableConfigurationProperties(VigilSecurityProperties.class)
public class VigilControlAccessAutoConfiguration {

  @Bean
  @ConditionalOnProperty(name = "vigil.security.product-credentials", havingValue = "true", matchIfMissing = true)
  SecretBox vigilSecretBox(@Value("${vigil.security.master-key-file:}") String keyFile) {
    if (keyFile.isBlank()) {
      throw new IllegalStateException("vigil.security.master-key-file is not set (VIGIL_MASTER_KEY_FILE):"
          + " this service reads product credentials sealed under the master key, and there is no default key");
    }
    return SecretBox.fromFile(Path.of(keyFile));
  }

  /**
   * The service's datasource when the control tables are in its database; a small read-only pool of
   * its own, same server and account, when the service names a control database apart from its own
   * ({@code vigil.control.database}: the cmdb, the notifier).
   */
  @Bean
  @ConditionalOnMissingBean
  ControlDataSource controlDataSource(DataSource dataSource, @Value("${vigil.control.database:}") String database,
      @Value("${vigil.mysql.url-base:}") String base, @Value("${vigil.mysql.url-options:}") String options,
      @Value("${spring.datasource.username:}") String user, @Value("${spring.datasource.password:}") String password) {
    if (database.isBlank()) {
      return ControlDataSource.shared(dataSource);
    }
    return ControlDataSource.pool(base + "/" + database + "?" + options, user, password, 4);
  }

  @Bean
  ControlCallerResolver controlCallerResolver(VigilSecurityProperties properties, ControlDataSource control,
      DependencyMetrics dependencies, @Value("${vigil.security.cache-ttl:60s}") Duration ttl,
      @Value("${vigil.security.product-keys:false}") boolean productKeys, ObjectProvider<ProductCredentials> products) {
    CredentialResolver configured = new ConfiguredCredentials(properties);
    return new ControlCallerResolver(configured, new JdbcTemplate(control.dataSource()), Clock.systemUTC(), ttl,
        dependencies, productKeys ? products.getObject() : null);
  }

  @Bean
  @ConditionalOnProperty(name = "vigil.security.product-credentials", havingValue = "true", matchIfMissing = true)
  ProductCredentials productCredentials(ControlDataSource control, SecretBox box, DependencyMetrics dependencies,
      @Value("${vigil.security.cache-ttl:60s}") Duration ttl) {
    return new ProductCredentials(new JdbcTemplate(control.dataSource()), box, Clock.systemUTC(), ttl, dependencies);
  }
}
