package io.vigil.common.config;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * How a service's Redis pipelines reach the server: written in one go when the pipeline closes.
 *
 * <p>Spring Data Redis flushes after every command of a pipeline by default, so a pipeline of a
 * hundred commands is a hundred socket writes on Lettuce's I/O thread. Every Vigil service that
 * pipelines (the detector's alert state, the notifier's stages and state writer, the gateway's ingest
 * counts, cmdb's instance cache) reads the results only once the pipeline has closed, so nothing is
 * lost by holding the commands until then; in the notifier's events benchmark the per-command writes
 * were about half of the I/O thread's time. {@code vigil.redis.flush-pipelines-on-close=false} goes back
 * to Spring's default.
 *
 * <p>A caveat for new pipelines: Lettuce starts a command's timeout ({@code spring.data.redis.timeout})
 * when the command is queued, not when it is written, so a pipeline's callback must only queue commands
 * (work out the values before it opens); one that spent longer than the timeout inside would time out
 * its first commands before they were sent. Every pipeline in Vigil does so today.
 */
@AutoConfiguration
@ConditionalOnClass(LettuceConnectionFactory.class)
@ConditionalOnProperty(name = "vigil.redis.flush-pipelines-on-close", havingValue = "true", matchIfMissing = true)
public class VigilRedisAutoConfiguration {

  @Bean
  static BeanPostProcessor vigilRedisPipelinesFlushOnClose() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof LettuceConnectionFactory factory) {
          factory.setPipeliningFlushPolicy(LettuceConnection.PipeliningFlushPolicy.flushOnClose());
        }
        return bean;
      }
    };
  }
}
